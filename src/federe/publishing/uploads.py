"""Images a post carries: their type is read from their first bytes (never from the name or the browser's word)
and their size is bounded before anything is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: Under the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB), which counts a whole compose form.
MAX_IMAGE_BYTES = 2 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(head: bytes) -> str:
    """The image type of a file from its first bytes; "" when it is none we take."""
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def image_type(upload: UploadedFile) -> str:
    """The checked type of an uploaded image, or a ValidationError in words."""
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": upload.name, "limit": filesizeformat(MAX_IMAGE_BYTES)}
        )
    upload.seek(0)
    mime = sniff(upload.read(16))
    upload.seek(0)
    if not mime:
        raise ValidationError(_("%(name)s is not a JPEG, PNG, GIF or WebP image.") % {"name": upload.name})
    return mime
