from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NlpConfig(AppConfig):
    name = "federe.nlp"
    label = "nlp"
    verbose_name = _("Classifiers")
