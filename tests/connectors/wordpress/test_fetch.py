"""The fetch cursor against a fake comment list served through respx (same params and headers as WordPress)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from federe.connectors import registry
from federe.connectors.types import NetworkStatus
from tests.connectors.wordpress.conftest import by_status, load

SITE = "https://blog.example.org"


class FakeWordPress:
    """Comments by id, answering /wp/v2/comments with status=any, orderby=id, offset, per_page, _fields."""

    def __init__(self) -> None:
        self.template = by_status(load("comments_page.json"), "approved")
        self.comments: dict[int, dict] = {}
        self.requests: list[httpx.QueryParams] = []
        self.next_id = 1  # like MySQL's auto-increment, ids are never reused

    def add(self, count: int, *, status: str = "hold", age: timedelta = timedelta(0)) -> list[int]:
        start = self.next_id
        self.next_id += count
        date = (datetime.now(UTC) - age).replace(tzinfo=None).isoformat(timespec="seconds")
        for comment_id in range(start, start + count):
            self.comments[comment_id] = {
                **self.template,
                "id": comment_id,
                "status": status,
                "date_gmt": date,
                "content": {"rendered": f"<p>comment {comment_id}</p>", "raw": f"comment {comment_id}"},
            }
        return list(range(start, start + count))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        self.requests.append(params)
        assert (params["status"], params["orderby"], params["context"]) == ("any", "id", "edit")
        ordered = sorted(self.comments.values(), key=lambda c: c["id"], reverse=params["order"] == "desc")
        offset, per_page = int(params["offset"]), int(params["per_page"])
        assert 1 <= per_page <= 100
        page = ordered[offset : offset + per_page]
        if params.get("_fields") == "id":
            page = [{"id": c["id"]} for c in page]
        return httpx.Response(200, json=page, headers={"X-WP-Total": str(len(ordered))})


@pytest.fixture
def site(dns):
    fake = FakeWordPress()
    with respx.mock(base_url=f"{SITE}/wp-json") as mock:
        mock.get("/wp/v2/comments").mock(side_effect=fake)
        yield fake


def connector(**config):
    base = {"site_url": SITE, "page_size": 5, "recheck_last": 3, "recheck_days": 0}
    return registry.build("wordpress", config={**base, **config}, credentials={"username": "u", "app_password": "p"})


def sync(wordpress, cursor=None, limit=100):
    """What sync_connection does: fetch pages until has_more is false; returns the ids and the cursor."""
    ids: list[str] = []
    for _ in range(limit):
        batch = wordpress.fetch(cursor)
        ids += [item.external_id for item in batch.items]
        cursor = batch.cursor
        if not batch.has_more:
            return ids, cursor
    raise AssertionError("fetch never said it was done")


def new_ids(ids, cursor_before):
    return sorted({int(i) for i in ids if int(i) > (cursor_before or {}).get("last_id", 0)})


def test_first_sync_reads_every_comment_in_id_order_then_rechecks(site):
    site.add(12)
    wordpress = connector()
    first = wordpress.fetch(None)
    assert [i.external_id for i in first.items] == ["1", "2", "3", "4", "5"] and first.has_more
    assert first.cursor == {"last_id": 5, "offset": 5, "recheck_page": 0}
    ids, cursor = sync(wordpress, first.cursor)
    assert ids[:7] == [str(i) for i in range(6, 13)]  # the new ones, in order: 4 per page after the anchor
    # then the recheck: the 3 most recent at least, newest first, a whole page of them
    assert ids[7:] == ["12", "11", "10", "9", "8"]
    assert cursor == {"last_id": 12, "offset": 12, "recheck_page": 0}


def test_every_status_is_fetched(site):
    for status in ("approved", "hold", "spam", "trash"):
        site.add(1, status=status)
    batch = connector().fetch(None)
    assert [i.status for i in batch.items] == [
        NetworkStatus.PUBLISHED,
        NetworkStatus.HELD,
        NetworkStatus.SPAM,
        NetworkStatus.REMOVED,
    ]


def test_a_second_sync_fetches_only_the_new_comments_and_the_recheck(site):
    site.add(7)
    _ids, cursor = sync(connector())
    site.add(2)
    ids, cursor = sync(connector(), cursor)
    assert ids == ["8", "9", "9", "8", "7", "6", "5"]  # 8 and 9 once as new, then the recheck page
    assert cursor["last_id"] == 9 and cursor["offset"] == 9


def test_status_changes_on_the_blog_come_back_through_the_recheck(site):
    site.add(4)
    _ids, cursor = sync(connector())
    site.comments[4]["status"] = "approved"
    site.comments[3]["status"] = "spam"
    statuses = {}
    for _ in range(5):
        batch = connector().fetch(cursor)
        statuses.update({i.external_id: i.status for i in batch.items})
        cursor = batch.cursor
        if not batch.has_more:
            break
    assert statuses == {
        "4": NetworkStatus.PUBLISHED,
        "3": NetworkStatus.SPAM,
        "2": NetworkStatus.HELD,
        "1": NetworkStatus.HELD,
    }


def test_recheck_covers_recent_days_beyond_the_last_comments(site):
    site.add(5, age=timedelta(days=10))
    site.add(8, age=timedelta(hours=1))
    _ids, cursor = sync(connector())
    ids, _cursor = sync(connector(recheck_days=2), cursor)
    assert sorted(map(int, ids)) == list(range(4, 14))  # two pages of 5: the 8 recent ones reach page 2
    ids, _cursor = sync(connector(recheck_last=0, recheck_days=0), cursor)
    assert ids == []


def test_recheck_stops_at_recheck_max(site):
    site.add(30, age=timedelta(hours=1))
    _ids, cursor = sync(connector())
    ids, _cursor = sync(connector(recheck_days=30, recheck_max=10), cursor)
    assert len(ids) == 10


def test_old_comments_deleted_for_good_do_not_hide_new_ones(site):
    """'Empty spam' deletes older comments: the list moves left, the cursor's offset points too far."""
    site.add(20)
    _ids, cursor = sync(connector(recheck_last=0))
    for comment_id in range(2, 15):
        del site.comments[comment_id]
    site.add(6)  # ids 21..26, now at positions 7..12 of the list
    ids, cursor = sync(connector(recheck_last=0), cursor)
    assert sorted(map(int, ids)) == list(range(21, 27))
    assert cursor == {"last_id": 26, "offset": 13, "recheck_page": 0}


def test_the_last_stored_comment_deleted_is_not_a_problem(site):
    site.add(10)
    _ids, cursor = sync(connector(recheck_last=0))
    del site.comments[10]
    site.add(3)
    ids, cursor = sync(connector(recheck_last=0), cursor)
    assert sorted(map(int, ids)) == [11, 12, 13]
    assert cursor["offset"] == 12


def test_everything_deleted(site):
    site.add(6)
    _ids, cursor = sync(connector(recheck_last=0))
    site.comments.clear()
    ids, cursor = sync(connector(recheck_last=0), cursor)
    assert ids == [] and cursor == {"last_id": 6, "offset": 0, "recheck_page": 0}
    site.add(2)
    ids, cursor = sync(connector(recheck_last=0), cursor)
    assert ids == ["7", "8"]


def test_malformed_comments_are_skipped_and_reported_once(site):
    site.add(4)
    site.comments[2]["date_gmt"] = "garbage"
    batch = connector().fetch(None)
    assert [i.external_id for i in batch.items] == ["1", "3", "4"]
    assert [m.external_id for m in batch.malformed] == ["2"]
    recheck = connector().fetch(batch.cursor)
    assert recheck.cursor["recheck_page"] == 0 and recheck.malformed == []


def test_a_fetch_with_the_same_cursor_returns_the_same_page(site):
    site.add(8)
    first = connector().fetch({"last_id": 3, "offset": 3, "recheck_page": 0})
    again = connector().fetch({"last_id": 3, "offset": 3, "recheck_page": 0})
    assert [i.external_id for i in first.items] == [i.external_id for i in again.items] == ["4", "5", "6", "7"]


def test_unknown_or_broken_cursors_start_over(site):
    site.add(2)
    for cursor in ({}, {"offset": "x"}, {"last_id": None, "offset": -4}, {"recheck_page": [1]}):
        assert [i.external_id for i in connector().fetch(cursor).items] == ["1", "2"]


def test_finding_the_place_again_after_a_mass_deletion_takes_few_requests(site):
    site.add(1000)
    _ids, cursor = sync(connector(page_size=100, recheck_last=0), limit=20)
    for comment_id in range(1, 951):
        del site.comments[comment_id]
    site.add(3)
    site.requests.clear()
    ids, cursor = sync(connector(page_size=100, recheck_last=0), cursor)
    assert ids == ["1001", "1002", "1003"]
    assert len(site.requests) <= 2 + 11  # the anchor miss, log2(1000) one-id probes, the page
