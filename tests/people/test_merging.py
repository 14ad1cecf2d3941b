"""Merge suggestions with their evidence; merges, automatic or not, undone exactly."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.people import services
from federe.people.engagement import scoring
from federe.people.identities import evidence, merging, suggestions
from federe.people.models import (
    CustomField,
    Identity,
    Merge,
    MergeSuggestion,
    Note,
    Person,
    PersonTag,
    SuggestionStatus,
)
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def codes(suggestion: MergeSuggestion) -> set[str]:
    return {s["code"] for s in suggestion.signals}


def test_normalising():
    assert evidence.norm_name("  Chloé   LEFÈVRE ") == evidence.norm_name("lefevre chloe") == "chloe lefevre"
    assert evidence.norm_name("Jo") == ""  # too short to mean anything
    # Letters that do not decompose fold like everywhere else (federe.core.text.normalise): they used to stay.
    assert evidence.norm_name("Łukasz Dąbrowski") == evidence.norm_name("lukasz dabrowski")
    assert evidence.norm_name("Søren Kœnig") == evidence.norm_name("Soren Koenig")
    assert evidence.norm_name("Ｊｕｌｉｅ Ｒｏｙ") == evidence.norm_name("julie roy")  # full width
    assert evidence.norm_email(" Ana@Example.ORG ") == "ana@example.org"
    assert evidence.norm_handle("@Ana_B") == "ana_b"
    assert evidence.norm_link("https://www.Example.org/u/ana/") == evidence.norm_link("http://example.org/u/ana")


def test_suggestions_carry_their_evidence_and_weights(community, workspace):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    a = community.person("Chloé Lefèvre", connection=blog, handle="chloe", email="chloe@example.org")
    b = community.person("chloe lefevre", connection=forum, handle="Chloe", email="CHLOE@example.org")
    c = community.person("Hugo Roux", connection=blog, url="https://hugo.example/")
    d = community.person("H. R.", connection=forum, url="http://www.hugo.example")
    e = community.person("Léa Petit", connection=blog)
    f = community.person("Lea Petit", connection=blog)  # same name, same channel: not evidence
    community.person("Léa Petit", connection=forum)  # same name elsewhere: a weak suggestion with e and f

    result = suggestions.refresh_suggestions(workspace, auto_merge=False)

    found = {(s.person_a_id, s.person_b_id): s for s in MergeSuggestion.objects.all()}
    strong = found[(a.pk, b.pk)]
    assert codes(strong) == {"same_email", "same_handle", "similar_name"}
    assert strong.total == 60 + 30 + 20 and evidence.confidence(strong.total) == "high"
    link = found[(c.pk, d.pk)]
    assert codes(link) == {"same_link"} and link.total == 40
    assert (e.pk, f.pk) not in found
    weak = [s for pair, s in found.items() if e.pk in pair or f.pk in pair]
    assert len(weak) == 2 and all(s.total == 20 and codes(s) == {"similar_name"} for s in weak)
    assert result.created == len(found) == 4
    assert "same e-mail address: chloe@example.org" in [evidence.describe(s) for s in strong.signals]


def test_replying_to_each_other_supports_but_never_suggests_alone(community, workspace):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    a = community.person("Ana Bell", connection=blog)
    b = community.person("Ana Bell", connection=forum)
    c = community.person("Zed Zulu", connection=blog)
    first = community.say(a, days_ago=3)
    community.say(b, days_ago=2, parent=first)
    community.say(a, days_ago=1, parent=community.say(b, days_ago=1.5))
    community.say(c, days_ago=1, parent=first)
    community.say(a, days_ago=0.5, parent=community.say(c, days_ago=0.7))
    scoring.recompute(workspace)
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    pairs = {(s.person_a_id, s.person_b_id): s for s in MergeSuggestion.objects.all()}
    assert codes(pairs[(a.pk, b.pk)]) == {"similar_name", "replied_to_each"}
    assert pairs[(a.pk, b.pk)].total == 30
    assert (a.pk, c.pk) not in pairs  # replies alone are a conversation, not a duplicate


def test_big_groups_are_no_evidence(community, workspace):
    channels = [community.channel(f"C{i}") for i in range(evidence.MAX_GROUP + 1)]
    for channel in channels:
        community.person("Camille Martin", connection=channel)
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    assert not MergeSuggestion.objects.exists()


def test_a_rejected_pair_stays_rejected(community, workspace, owner):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    community.person("Ana Bell", connection=blog, handle="anab")
    community.person("Ana Bell", connection=forum, handle="anab")
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    suggestion = MergeSuggestion.objects.get()
    suggestions.reject_suggestion(suggestion, by=owner)
    assert suggestions.refresh_suggestions(workspace, auto_merge=False).created == 0
    assert MergeSuggestion.objects.get().status == SuggestionStatus.REJECTED
    with pytest.raises(ValidationError):
        suggestions.accept_suggestion(suggestion, by=owner)
    assert AuditEvent.objects.filter(verb="person.merge_rejected").count() == 1


def state(*persons: Person) -> dict:
    """Everything a merge touches, for these persons."""
    ids = [p.pk for p in persons]
    return {
        "persons": list(
            Person.objects.filter(pk__in=ids)
            .order_by("pk")
            .values("pk", "display_name", "first_seen_at", "last_seen_at", "merged_into_id", "score", "level", "reach")
        ),
        "identities": sorted(Identity.objects.filter(person__in=ids).values_list("pk", "person_id")),
        "notes": sorted(Note.objects.filter(person__in=ids).values_list("pk", "person_id", "body")),
        "tags": sorted(PersonTag.objects.filter(person__in=ids).values_list("pk", "person_id", "tag_id")),
        "fields": sorted(CustomField.objects.filter(person__in=ids).values_list("pk", "person_id", "name", "value")),
        "suggestions": sorted(MergeSuggestion.objects.values_list("pk", "status")),
    }


def test_merge_then_undo_restores_exactly_what_was_there(community, workspace, owner):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    keep = community.person("Ana Bell", connection=blog, handle="anab")
    absorb = community.person("Ana B.", connection=forum, handle="anab")
    other = community.person("Ana Bell", connection=community.channel("Chat"), handle="anab")
    community.say(keep, days_ago=10)
    community.say(absorb, days_ago=2, parent=community.say(other, days_ago=3))
    scoring.recompute(workspace)
    services.add_note(person=absorb, body="met at the fair", by=owner)
    services.add_tag(person=absorb, name="vip", by=owner)
    services.add_tag(person=absorb, name="beta", by=owner)
    services.add_tag(person=keep, name="vip", by=owner)  # both have it: stays with absorb during the merge
    services.set_field(person=absorb, name="city", value="Lyon", by=owner)
    services.set_field(person=keep, name="city", value="Paris", by=owner)  # kept value wins while merged
    services.set_field(person=absorb, name="company", value="Acme", by=owner)
    suggestions.refresh_suggestions(workspace, auto_merge=False)
    suggestion = MergeSuggestion.objects.get(person_a=keep, person_b=absorb)
    before = state(keep, absorb, other)

    record = suggestions.accept_suggestion(suggestion, by=owner, keep=keep.pk)

    assert Identity.objects.filter(person=absorb).count() == 0 and Identity.objects.filter(person=keep).count() == 2
    assert Note.objects.get().person_id == keep.pk
    assert {t.tag.name for t in PersonTag.objects.filter(person=keep)} == {"vip", "beta"}
    assert dict(CustomField.objects.filter(person=keep).values_list("name", "value")) == {
        "city": "Paris",
        "company": "Acme",
    }
    absorb.refresh_from_db()
    keep.refresh_from_db()
    assert absorb.merged_into_id == keep.pk and absorb.score == 0
    assert keep.first_seen_at == min(before["persons"][0]["first_seen_at"], before["persons"][1]["first_seen_at"])
    # the other open suggestion about the absorbed person waits, superseded, until the merge is undone
    superseded = MergeSuggestion.objects.filter(status=SuggestionStatus.SUPERSEDED)
    assert superseded.exists() and all(absorb.pk in (s.person_a_id, s.person_b_id) for s in superseded)
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.ACCEPTED

    merging.unmerge(record, by=owner)

    after = state(keep, absorb, other)
    for person_before, person_after in zip(before["persons"], after["persons"], strict=True):
        assert person_after["score"] == pytest.approx(person_before["score"], rel=1e-3)  # a few ms more decay
        person_before.pop("score"), person_after.pop("score")
    assert after["persons"] == before["persons"]
    for key in ("identities", "notes", "tags", "fields"):
        assert after[key] == before[key], key
    assert dict(after["suggestions"])[suggestion.pk] == SuggestionStatus.UNDONE
    others = {pk: status for pk, status in before["suggestions"] if pk != suggestion.pk}
    assert {pk: status for pk, status in after["suggestions"] if pk != suggestion.pk} == others
    verbs = list(AuditEvent.objects.filter(verb__startswith="person.").values_list("verb", flat=True))
    assert "person.merged" in verbs and "person.unmerged" in verbs
    with pytest.raises(ValidationError):
        merging.unmerge(Merge.objects.get(pk=record.pk), by=owner)


def test_a_merge_can_only_be_undone_after_the_later_ones(community, workspace, owner):
    a, b, c = (community.person(n) for n in ("A", "B", "C"))
    first = merging.merge(keep=a, absorb=b, by=owner)
    second = merging.merge(keep=c, absorb=a, by=owner)
    assert set(Identity.objects.filter(person=c).values_list("person_id", flat=True)) == {c.pk}
    assert Identity.objects.filter(person=c).count() == 3
    with pytest.raises(ValidationError, match="undo that merge first"):
        merging.unmerge(first, by=owner)
    merging.unmerge(second, by=owner)
    merging.unmerge(first, by=owner)
    assert [Identity.objects.filter(person=p).count() for p in (a, b, c)] == [1, 1, 1]
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_high_confidence_suggestions_merge_automatically_and_can_be_undone(community, workspace, owner):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    a = community.person("Ana Bell", connection=blog, handle="anab", email="ana@example.org")
    b = community.person("Ana Bell", connection=forum, handle="anab", email="ana@example.org")
    community.person("Bo Diddley", connection=blog, handle="bod")
    community.person("Bo Diddley", connection=forum, handle="bod")  # 50 points: suggested, not merged
    result = suggestions.refresh_suggestions(workspace)
    assert result.auto_merged == 1
    record = Merge.objects.get()
    assert record.automatic and record.by is None and {record.kept_id, record.absorbed_id} == {a.pk, b.pk}
    assert MergeSuggestion.objects.filter(status=SuggestionStatus.AUTO_MERGED).count() == 1
    assert MergeSuggestion.objects.filter(status=SuggestionStatus.OPEN).count() == 1
    assert AuditEvent.objects.filter(verb="person.auto_merged", actor_label="system").count() == 1
    merging.unmerge(record, by=owner)
    assert Identity.objects.filter(person=a).count() == Identity.objects.filter(person=b).count() == 1
    # an undone automatic merge is not redone by the next search
    assert suggestions.refresh_suggestions(workspace).auto_merged == 0


def test_auto_merge_can_be_switched_off(community, workspace):
    blog, forum = community.channel("Blog"), community.channel("Forum")
    community.person("Ana Bell", connection=blog, handle="anab", email="ana@example.org")
    community.person("Ana Bell", connection=forum, handle="anab", email="ana@example.org")
    s = scoring.settings_for(workspace)
    s.auto_merge_threshold = 0
    s.save()
    assert suggestions.refresh_suggestions(workspace).auto_merged == 0
    assert MergeSuggestion.objects.get().status == SuggestionStatus.OPEN


def test_roles_and_workspaces(community, workspace, owner, member_factory):
    a, b = community.person("A"), community.person("B")
    with pytest.raises(PermissionDenied):
        merging.merge(keep=a, absorb=b, by=member_factory(Role.ANALYST))
    foreign = Person.objects.create(workspace=WorkspaceFactory(), display_name="Elsewhere")
    with pytest.raises(ValidationError):
        merging.merge(keep=a, absorb=foreign, by=owner)
    with pytest.raises(ValidationError):
        merging.merge(keep=a, absorb=a, by=owner)
    assert not Merge.objects.exists()
