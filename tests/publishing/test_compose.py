"""The compose page: channels that publish, a variant per channel from the main text, limits as one types, images
checked, and the time typed in the workspace's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from federe.accounts.models import Role
from federe.publishing import approvals
from federe.publishing.models import Delivery, Post, PostMedia
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NEXT_YEAR = timezone.now().year + 1


@pytest.fixture
def blog(workspace):
    return ConnectionFactory(workspace=workspace, name="Blog")


@pytest.fixture
def logged(client, owner):
    client.force_login(owner)
    return client


def url(name, *args):
    return reverse(f"publishing:{name}", args=["acme", *args])


def form(channel, **extra):
    data = {"title": "", "body": "Bonjour à tous", "when": "later", "day": f"{NEXT_YEAR}-07-01", "at": "10:00"}
    data["channels"] = [channel.pk]
    return data | extra


def test_only_channels_that_publish_are_offered(logged, workspace, blog):
    ConnectionFactory(workspace=workspace, name="Feed only", network="rss", config={"url": "https://example.org/f"})
    page = logged.get(url("compose")).content.decode()
    assert "Blog" in page and "Feed only" not in page


def test_schedule_in_the_workspace_timezone_and_variant_from_the_main_text(logged, blog):
    answer = logged.post(url("compose"), form(blog))
    post = Post.objects.get()
    assert answer.status_code == 302 and answer["Location"] == url("post", post.pk)
    assert post.scheduled_at == datetime(NEXT_YEAR, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Paris, summer time
    variant = post.variants.get()
    assert variant.body_text == "Bonjour à tous" and variant.connection == blog
    assert Delivery.objects.get(post=post).due_at == post.scheduled_at


def test_a_time_skipped_by_summer_time_is_refused_in_words(logged, blog):
    # The last Sunday of March, 02:30 does not exist in Paris.
    march = datetime(NEXT_YEAR, 3, 31)
    sunday = march - timedelta(days=(march.weekday() + 1) % 7)
    answer = logged.post(url("compose"), form(blog, day=sunday.date().isoformat(), at="02:30"))
    assert "does not exist in Europe/Paris" in answer.content.decode()
    assert not Post.objects.exists()


def test_a_variant_over_its_limit_is_refused_and_nothing_is_saved(logged, blog):
    answer = logged.post(url("compose"), form(blog, **{f"v{blog.pk}_text": "x" * 503}))
    assert "3 characters over this network&#x27;s limit of 500." in answer.content.decode()
    assert not Post.objects.exists()


def test_limits_as_one_types_count_and_preview_sanitised(logged, blog):
    answer = logged.post(
        url("limits"), {"prefix": f"v{blog.pk}", "body": "<script>alert(1)</script> voir https://example.org"}
    )
    page = answer.content.decode()
    assert "50 of 500 characters" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="https://example.org"' in page
    assert logged.post(url("limits"), {"prefix": "v999999", "body": "x"}).status_code == 404


def test_images_are_stored_with_their_description_and_checked(logged, blog):
    good = SimpleUploadedFile("chat.png", PNG, content_type="image/png")
    answer = logged.post(url("compose"), form(blog, image_1=good, alt_1="Un chat roux"))
    assert answer.status_code == 302
    media = PostMedia.objects.get()
    assert (media.mime, media.alt_text, media.size) == ("image/png", "Un chat roux", len(PNG))
    shown = logged.get(url("media", media.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    fake = SimpleUploadedFile("fake.png", b"not an image", content_type="image/png")
    refused = logged.post(url("compose"), form(blog, image_1=fake, alt_1="x")).content.decode()
    assert "fake.png is not a JPEG, PNG, GIF or WebP image." in refused
    no_alt = SimpleUploadedFile("chat.png", PNG, content_type="image/png")
    refused = logged.post(url("compose"), form(blog, image_1=no_alt)).content.decode()
    assert "Image 1: this network needs a description (alt text)." in refused
    assert Post.objects.count() == 1


def test_a_draft_needs_no_channel_nor_time(logged):
    answer = logged.post(url("compose"), {"body": "Idée", "when": "draft"})
    post = Post.objects.get()
    assert answer.status_code == 302 and post.scheduled_at is None and post.status == "draft"


def test_a_past_time_and_a_missing_channel_are_refused(logged, blog):
    page = logged.post(url("compose"), form(blog, day="2020-01-01")).content.decode()
    assert "This time is in the past." in page
    page = logged.post(url("compose"), form(blog, channels=[])).content.decode()
    assert "Choose at least one channel." in page
    assert not Post.objects.exists()


def test_editing_keeps_one_variant_per_channel(logged, blog):
    logged.post(url("compose"), form(blog))
    post = Post.objects.get()
    page = logged.get(url("edit", post.pk)).content.decode()
    assert "Bonjour à tous" in page and f'value="{NEXT_YEAR}-07-01"' in page
    logged.post(url("edit", post.pk), form(blog, body="Bonsoir", at="18:30"))
    post.refresh_from_db()
    assert post.variants.get().body_text == "Bonsoir"
    assert post.scheduled_at == datetime(NEXT_YEAR, 7, 1, 16, 30, tzinfo=UTC)


def test_with_approval_publish_now_is_refused_and_a_time_opens_a_round(logged, owner, workspace, blog):
    approvals.save_workflow(workspace, by=owner, required=True, allow_self_approval=False, link_days=7, steps=[])
    page = logged.post(url("compose"), form(blog, when="now")).content.decode()
    assert "asks for approval first" in page and not Post.objects.exists()
    logged.post(url("compose"), form(blog))
    post = Post.objects.get()
    assert post.approval == "pending" and approvals.open_round(post) is not None


def test_a_role_without_publishing_cannot_compose(client, member_factory, blog):
    client.force_login(member_factory(Role.MODERATOR))
    assert client.get(url("compose")).status_code == 403
    assert client.post(url("compose"), form(blog)).status_code == 403
    assert client.get(url("list")).status_code == 200
    assert not Post.objects.exists()


def test_the_list_shows_states_as_the_team_sees_them(logged, owner, workspace, blog):
    logged.post(url("compose"), {"body": "Brouillon", "when": "draft"})
    logged.post(url("compose"), form(blog, body="Programmé"))
    page = logged.get(url("list")).content.decode()
    assert "Brouillon" in page and "Programmé" in page
    assert page.count('class="badge state-draft"') == 1 and page.count('class="badge state-scheduled"') == 1
    only = logged.get(url("list") + "?state=scheduled").content.decode()
    assert "Programmé" in only and "Brouillon" not in only


def test_the_first_day_of_the_calendar_is_refused_not_a_500(logged, blog):
    answer = logged.post(url("compose"), form(blog, day="0001-01-01", at="00:05"))
    assert answer.status_code == 200 and "Choose a date between the years 1 and 9999." in answer.content.decode()
    assert not Post.objects.exists()
