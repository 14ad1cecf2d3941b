"""The agency's logo on a report: an uploaded PNG or JPEG, checked (size, type, dimensions), re-encoded as PNG
(nothing of the upload but its pixels is kept) and stored under ``MEDIA_ROOT/report-logos/``."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000
FORMATS = {"PNG", "JPEG"}


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "report-logos"


def path(name: str) -> Path:
    """The stored logo called ``name`` (a name this module made: no folder, no dots but the extension)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValidationError(_("This logo is not one of ours."))
    return folder() / name


def store(data: bytes, workspace_id: int) -> str:
    """Check an upload and keep it as PNG; returns its file name. ValidationError (translated) when refused."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise ValidationError(_("The logo is larger than 1 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in FORMATS:
            raise ValidationError(_("The logo must be a PNG or JPEG image."))
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > MAX_SIDE:
                raise ValidationError(_("The logo is at most 4000 pixels wide and high."))
            image.load()
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The logo must be a PNG or JPEG image.")) from exc
    name = f"{workspace_id}-{secrets.token_hex(8)}.png"
    folder().mkdir(parents=True, exist_ok=True)
    (folder() / name).write_bytes(out.getvalue())
    return name


def remove(name: str) -> None:
    if name:
        path(name).unlink(missing_ok=True)
