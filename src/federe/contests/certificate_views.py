"""The public certificate of a draw: no account, an unguessable address (``Contest.public_id``, 256 bits).

Before the draw it shows the commitment and its time (the rules stay sealed: a quiz's answers are in them); after
it, everything ``verify_draw.py`` needs: rules, entry list and its hash, seed, public value and its source,
winners (display names only). The JSON, the script and the rules PDF are offered for download. A wrong address
and a draft contest give the same 404; each address may open these pages ``RATE`` times per ``WINDOW`` seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from federe.accounts.throttling import client_address
from federe.contests import queries
from federe.contests.models import Contest, Stage
from federe.core import ratelimit

RATE, WINDOW = 120, 600
SCRIPT = Path(__file__).with_name("verify_draw.py")


def _dead(request: HttpRequest, status: int = 404) -> HttpResponse:
    return render(request, "contests/certificate_dead.html", {"status": status}, status=status)


def _found(request: HttpRequest, public_id: str, *, drawn: bool = False) -> Contest | HttpResponse:
    """The contest of this address (drawn, when asked), or the page saying why not."""
    if ratelimit.hit("certificate", client_address(request), RATE, WINDOW):
        return _dead(request, 429)
    contest = queries.certificate(public_id)
    if contest is None or (drawn and contest.stage != Stage.DRAWN):
        return _dead(request)
    return contest


@require_GET
def certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _found(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    data = found.published if found.stage == Stage.DRAWN else {}
    context = {
        "contest": found,
        "data": data,
        "rules": json.dumps(data.get("rules", {}), indent=2, ensure_ascii=False, sort_keys=True),
        "drawn": found.stage == Stage.DRAWN,
    }
    return render(request, "contests/certificate.html", context)


@require_GET
def published_json(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _found(request, public_id, drawn=True)
    if isinstance(found, HttpResponse):
        return found
    body = json.dumps(found.published, indent=2, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="draw.json"'
    return response


@require_GET
def script(request: HttpRequest, public_id: str) -> HttpResponse:
    found = _found(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(SCRIPT.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify_draw.py"'
    return response


@require_GET
def rules_document(request: HttpRequest, public_id: str) -> HttpResponse | FileResponse:
    found = _found(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    if not found.rules_document:
        return _dead(request)
    return FileResponse(found.rules_document.open("rb"), content_type="application/pdf", filename="rules.pdf")
