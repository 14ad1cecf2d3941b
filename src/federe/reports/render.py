"""A report as an HTML document and as a PDF (WeasyPrint), in the template's language.

The PDF is drawn from the same HTML. WeasyPrint fetches nothing from another host: ``fetch`` is its only way to
read a resource, and it serves files from the report logos' folder and Fédère's own static files, nothing else
(no http, https, ftp or other file; a ``data:`` URL carries its bytes with it). Charts are inline SVG, fonts are
the system's (DejaVu, Liberation).
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from federe.reports import logos
from federe.reports.content import Report


class Refused(ValueError):
    """A resource the report may not fetch."""


def _allowed_roots() -> list[Path]:
    roots = [logos.folder()]
    static = finders.find("federe")
    if isinstance(static, str):
        roots.append(Path(static))
    return [root.resolve() for root in roots]


def fetch(url: str) -> tuple[bytes, str]:
    """The bytes and type of a resource the report may use: a local file under an allowed folder, or a ``data:``
    URL; ``Refused`` for anything else (another host, another scheme, a file elsewhere)."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        head, _comma, payload = url[5:].partition(",")
        mime = head.split(";")[0] or "text/plain"
        data = base64.b64decode(payload) if head.endswith(";base64") else unquote(payload).encode()
        return data, mime
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise Refused(url)
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in _allowed_roots()) or not path.is_file():
        raise Refused(url)
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def fetcher() -> Any:
    """WeasyPrint's url_fetcher: ``fetch`` and nothing else (no urllib opener, no redirect, no network)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, mime = fetch(url)
            return URLFetcherResponse(url, data, {"Content-Type": mime})

    return LocalOnly()


def html(report: Report, *, for_pdf: bool = False, nonce: str = "", links: dict[str, str] | None = None) -> str:
    """The report's document. In a browser the logo is inline (``data:``); in the PDF it is its file."""
    logo = logos.path(report.template.logo) if report.template.logo else None
    if logo is not None and not logo.is_file():
        logo = None
    logo_src = ""
    if logo is not None:
        logo_src = logo.as_uri() if for_pdf else "data:image/png;base64," + base64.b64encode(logo.read_bytes()).decode()
    context = {
        "report": report,
        "logo_src": logo_src,
        "for_pdf": for_pdf,
        "nonce": nonce,
        "links": links or {},
        "lang": report.template.language,
    }
    with translation.override(report.template.language):
        return render_to_string("reports/report.html", context)


def pdf_of(document: str) -> bytes:
    """Any of our HTML documents as a PDF, fetching only what ``fetch`` allows."""
    from weasyprint import HTML

    return bytes(HTML(string=document, url_fetcher=fetcher(), base_url=str(settings.MEDIA_ROOT)).write_pdf())


def pdf(report: Report) -> bytes:
    return pdf_of(html(report, for_pdf=True))


def file_name(report: Report, extension: str) -> str:
    return f"report-{report.workspace.slug}-{report.period.since}-{report.period.last}.{extension}"
