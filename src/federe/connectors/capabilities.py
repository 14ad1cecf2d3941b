from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Capability(StrEnum):
    READ = "read"
    REPLY = "reply"
    MODERATE = "moderate"
    PUBLISH = "publish"
    METRICS = "metrics"
    IMPORT = "import"  # history from an export (a data dump): no sync, an importer in the connector's folder


CAPABILITY_LABELS = {
    Capability.READ: _("read"),
    Capability.REPLY: _("reply"),
    Capability.MODERATE: _("moderate"),
    Capability.PUBLISH: _("publish"),
    Capability.METRICS: _("metrics"),
    Capability.IMPORT: _("history import"),
}
