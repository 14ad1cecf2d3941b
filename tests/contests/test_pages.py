"""The contest pages: create with the form (a quiz, a PDF), review and decide, commit and draw with confirmation,
in English and French; refusals in words, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role
from federe.contests import services
from federe.contests.collect import collect
from federe.contests.models import Contest, Entry, Stage
from federe.core.models import AuditEvent
from tests.contests.conftest import START, fields

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    soon = timezone.localtime(timezone.now() + timedelta(days=1))
    later = soon + timedelta(days=7)
    data = {
        "name": "Quiz de Noël",
        "start_day": soon.date().isoformat(),
        "start_at": "09:00",
        "end_day": later.date().isoformat(),
        "end_at": "18:00",
        "rule": "hashtag",
        "term": "#Noel",
        "winners_count": "2",
        "exclude_staff": "on",
        "exclude_blocked": "on",
        "public_source": "https://drand.cloudflare.com first round after the end",
    }
    data.update(changes)
    return data


def test_create_review_commit_from_the_pages(client, owner, workspace):
    client.force_login(owner)
    pdf = SimpleUploadedFile("rules.pdf", b"%PDF-1.4\nrules\n", content_type="application/pdf")
    response = client.post(reverse("contests:create", args=[workspace.slug]), {**_form(), "document": pdf})
    contest = Contest.objects.get(name="Quiz de Noël")
    assert response.status_code == 302 and response["Location"].endswith(f"/contests/{contest.pk}/")
    assert len(contest.rules_document_sha256) == 64
    detail = reverse("contests:detail", args=[workspace.slug, contest.pk])
    assert client.get(detail).status_code == 200
    assert client.get(reverse("contests:list", args=[workspace.slug])).content.count(b"Quiz de No") == 1
    # without the confirmation nothing is published: the page asks again
    commit = reverse("contests:commit", args=[workspace.slug, contest.pk])
    assert client.post(commit).status_code == 400
    assert Contest.objects.get(pk=contest.pk).stage == Stage.DRAFT
    assert client.post(commit, {"confirmed": "yes"}).status_code == 302
    contest.refresh_from_db()
    assert contest.stage == Stage.COMMITTED and AuditEvent.objects.filter(verb="contest.committed").exists()
    # the rules are frozen: the edit page says so and changes nothing
    edit = client.post(reverse("contests:edit", args=[workspace.slug, contest.pk]), _form(name="Changed"))
    assert edit.status_code == 422 and "committed" in edit.content.decode()
    assert Contest.objects.get(pk=contest.pk).name == "Quiz de Noël"
    # the draw before the end: refused in words
    draw = reverse("contests:draw", args=[workspace.slug, contest.pk])
    response = client.post(draw, {"confirmed": "yes", "public_value": "42", "source": "x"}, follow=True)
    assert "after the end" in response.content.decode() and Contest.objects.get(pk=contest.pk).stage == "committed"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_wrong_forms_say_what_is_wrong(client, owner, workspace, language):
    client.force_login(owner)
    client.cookies["django_language"] = language
    url = reverse("contests:create", args=[workspace.slug])
    cases = [
        (_form(end_day="2020-01-01"), {"en": "The end must come after the start.", "fr": "La fin doit venir"}),
        (_form(rule="quiz", questions="What?"), {"en": "Line 1:", "fr": "Ligne 1"}),
        (_form(term=""), {"en": "Give the hashtag", "fr": "Donnez le hashtag"}),
        (
            _form(document=SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf")),
            {"en": "as a PDF", "fr": "en PDF"},
        ),
    ]
    for data, said in cases:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 422, data
        assert said[language] in response.content.decode()
    assert not Contest.objects.exists()


def test_the_entries_page_excludes_and_reinstates_with_a_reason(client, owner, workspace, town, member_factory):

    town.say(town.person("Alice"), "#WinAMug", at=START + timedelta(hours=1))
    contest = services.add(workspace=workspace, fields=fields(), by=owner)
    collect(contest)
    entry = Entry.objects.get(contest=contest)
    client.force_login(owner)
    page = client.get(reverse("contests:entries", args=[workspace.slug, contest.pk]))
    assert page.status_code == 200 and "Alice" in page.content.decode()
    decide = reverse("contests:decide", args=[workspace.slug, contest.pk, entry.pk])
    assert client.post(decide, {"decision": "exclude", "note": ""}, follow=True).status_code == 200
    assert Entry.objects.get(pk=entry.pk).decided == ""
    client.post(decide, {"decision": "exclude", "note": "Employee of the agency"})
    excluded = client.get(reverse("contests:entries", args=[workspace.slug, contest.pk]) + "?show=excluded")
    assert "Excluded by the organiser: Employee of the agency" in excluded.content.decode()
    analyst = member_factory(Role.ANALYST)
    client.force_login(analyst)
    assert client.get(reverse("contests:entries", args=[workspace.slug, contest.pk])).status_code == 200
    client.post(decide, {"decision": "include", "note": "me"})
    assert Entry.objects.get(pk=entry.pk).decided == "excluded"  # an analyst may look, not decide
    assert client.get(reverse("contests:create", args=[workspace.slug])).status_code == 403
