"""Saved filters: a member's own, in one workspace; saved from the inbox, renamed, deleted after confirmation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from federe.accounts.models import Role
from federe.inbox import saved_filters
from federe.inbox.models import SavedFilter
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_filter_keeps_only_what_the_inbox_understands(workspace, owner):
    saved = saved_filters.add(workspace, owner, "  My   queue ", "?view=mine&status=new&evil=<x>&channel=²")
    assert saved.name == "My queue" and saved.query == "status=new&view=mine"


def test_names_are_unique_per_member_without_case_but_two_members_may_share_one(workspace, owner, member_factory):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    saved_filters.add(workspace, owner, "Urgent", "view=mine")
    with pytest.raises(ValidationError):
        saved_filters.add(workspace, owner, "URGENT", "view=unread")
    saved_filters.add(workspace, mate, "Urgent", "view=unread")
    assert [f.name for f in saved_filters.of(workspace, owner)] == ["Urgent"]
    assert SavedFilter.objects.count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_an_empty_or_too_long_name_is_refused(workspace, owner, name):
    with pytest.raises(ValidationError):
        saved_filters.add(workspace, owner, name, "view=mine")


def test_filters_are_private_to_the_member_and_the_workspace(workspace, owner, member_factory, other_workspace):
    rival, _rival_owner, _conn = other_workspace
    MembershipFactory(workspace=rival, user=owner)  # the same person in another workspace
    mate = member_factory(Role.COMMUNITY_MANAGER)
    mine = saved_filters.add(workspace, owner, "Mine", "view=mine")
    assert list(saved_filters.of(rival, owner)) == []
    assert list(saved_filters.of(workspace, mate)) == []
    with pytest.raises(SavedFilter.DoesNotExist):
        saved_filters.get(workspace, mate, mine.pk)
    with pytest.raises(SavedFilter.DoesNotExist):
        saved_filters.rename(mine, "Stolen", by=mate)
    with pytest.raises(SavedFilter.DoesNotExist):
        saved_filters.remove(mine, by=mate)


def test_the_pages_save_list_rename_and_delete_after_confirmation(client, workspace, owner, member_factory):
    client.force_login(owner)
    slug = workspace.slug
    response = client.post(
        reverse("inbox:filter-save", args=[slug]), {"name": "Waiting", "back": "view=waiting"}, follow=True
    )
    assert "Filter “Waiting” saved." in response.content.decode()
    saved = SavedFilter.objects.get(user=owner)
    page = client.get(reverse("inbox:filters", args=[slug])).content.decode()
    assert "?view=waiting" in page and "data-confirm" in page
    client.post(reverse("inbox:filter-rename", args=[slug, saved.pk]), {"name": "Oldest first"})
    saved.refresh_from_db()
    assert saved.name == "Oldest first"
    unconfirmed = client.post(reverse("inbox:filter-delete", args=[slug, saved.pk]))
    assert unconfirmed.status_code == 400 and SavedFilter.objects.filter(pk=saved.pk).exists()
    client.post(reverse("inbox:filter-delete", args=[slug, saved.pk]), {"confirmed": "yes"})
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_someone_elses_filter_is_a_404_on_every_page(client, workspace, owner, member_factory):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    theirs = saved_filters.add(workspace, mate, "Theirs", "view=mine")
    client.force_login(owner)
    slug = workspace.slug
    assert client.post(reverse("inbox:filter-rename", args=[slug, theirs.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("inbox:filter-delete", args=[slug, theirs.pk]), {"confirmed": "yes"}).status_code == 404
    assert "Theirs" not in client.get(reverse("inbox:list", args=[slug])).content.decode()
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
