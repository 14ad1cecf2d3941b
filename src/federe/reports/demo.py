"""The demo's client report: one template per workspace, every section, a logo drawn here (two colour bands),
e-mailed every month to the client's address."""

from __future__ import annotations

import io
from typing import Any

from federe.accounts.models import Workspace
from federe.reports import services
from federe.reports.models import ReportTemplate, Schedule


def _logo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 80), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 80, 80), fill=colour)
    draw.rectangle((90, 30, 230, 50), fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load(workspace: Workspace, owner: Any, *, language: str) -> ReportTemplate:
    fields = services.Fields(
        name="Rapport mensuel" if language == "fr" else "Monthly report",
        language=language,
        days=30,
        schedule=Schedule.MONTHLY,
        recipients=[f"client@{workspace.slug}.example"],
    )
    return services.create_template(workspace, by=owner, fields=fields, logo=_logo((31, 58, 95)))
