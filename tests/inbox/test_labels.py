"""Labels: one list per workspace, names unique without case, put on and taken off threads of that workspace only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from federe.inbox import labels
from federe.inbox.models import Conversation, Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(synced):
    return list(Conversation.objects.filter(connection=synced).order_by("pk").values_list("pk", flat=True)[:3])


def test_a_name_is_one_label_whatever_its_case_and_spaces(workspace):
    first = labels.create(workspace, "  Bug   report ")
    again = labels.create(workspace, "bug REPORT")
    assert first.pk == again.pk and first.name == "Bug report"
    assert Label.objects.filter(workspace=workspace).count() == 1


def test_the_database_refuses_two_labels_of_one_name_in_a_workspace(workspace):
    Label.objects.create(workspace=workspace, name="Lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(workspace=workspace, name="LEAD")


def test_two_workspaces_may_each_have_the_same_name(workspace, other_workspace):
    rival, _owner, _channel = other_workspace
    assert labels.create(workspace, "Lead").pk != labels.create(rival, "Lead").pk


@pytest.mark.parametrize("name", ["", "   ", "x" * 41])
def test_an_empty_or_too_long_name_is_refused_in_words(workspace, name):
    with pytest.raises(ValidationError) as caught:
        labels.create(workspace, name)
    assert "label" in str(caught.value).lower()


def test_attach_counts_only_new_ones_and_detach_takes_them_off(workspace, threads):
    lead = labels.create(workspace, "Lead")
    assert labels.attach(workspace, lead, threads[:2]) == 2
    assert labels.attach(workspace, lead, threads) == 1
    assert set(Conversation.objects.filter(labels=lead).values_list("pk", flat=True)) == set(threads)
    assert labels.detach(workspace, lead, threads[:1]) == 1
    assert set(Conversation.objects.filter(labels=lead).values_list("pk", flat=True)) == set(threads[1:])


def test_another_workspaces_label_or_thread_is_refused(workspace, other_workspace, threads):
    rival, _owner, _channel = other_workspace
    theirs = labels.create(rival, "Theirs")
    with pytest.raises(ValidationError):
        labels.attach(workspace, theirs, threads)
    mine = labels.create(workspace, "Mine")
    their_thread = Conversation.objects.filter(workspace=rival).values_list("pk", flat=True).first()
    with pytest.raises(ValidationError):
        labels.attach(workspace, mine, [*threads, their_thread])
    assert not Conversation.objects.filter(labels__isnull=False).exists()
