"""federe compiletranslations: .po to .mo in pure Python, so no gettext install is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the French catalogue (and any other) so the interface is translated."

    def handle(self, *args: Any, **options: Any) -> None:
        for base in settings.LOCALE_PATHS:
            for po_path in Path(base).glob("*/LC_MESSAGES/*.po"):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"{po_path.parent.parent.name}: {catalogue.percent_translated()}% translated")
