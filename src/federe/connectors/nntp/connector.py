"""Usenet newsgroups (NNTP): articles in, follow-ups and new threads out, moderation of a moderated group.

Config: ``host``, ``port`` (119; 563 with ``tls``), ``tls`` ("yes" for NNTP over TLS), ``user``; ``targets``
(the groups followed, chosen from LIST ACTIVE); ``from_address`` and ``from_name`` (the poster: a dotted domain,
news servers refuse ``user@localhost``); ``moderation_maildir`` (the moderator's mailbox, where a moderated
group's submissions arrive) and ``approved_by`` (the moderator's address written in ``Approved``);
``page_size`` (articles per page, default 100). Credentials: ``password``.

Reading (RFC 3977): for each followed group, GROUP gives the range of article numbers, OVER lists the articles
after the cursor's number, ARTICLE reads each (pipelined). The cursor keeps the last number read per group, so a
sync reads only what is new; an article cancelled between OVER and ARTICLE is passed over. A page fails whole (the
server gone mid-way): nothing of it is stored and the next sync starts again at the same numbers. Held articles
come from the moderation mailbox (``held.py``) as HELD items with the same id the approved article will have.

Posting (``articles.py``): a Message-ID derived from the idempotency key; before posting, STAT asks the server
whether that id is already there (and the moderation mailbox whether it is held): a retried reply or delivery
finds its first attempt and posts nothing.

Moderation: APPROVE posts a held article with ``Approved``; REJECT leaves it unposted (the moderator's mailbox is
never changed); DELETE cancels a posted article with a control message (RFC 5537 §5.3), or leaves a held one
unposted. Whether a cancel is honoured is the server's choice: Fédère checks that the article is gone and says
plainly when it is not.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.mail.outgoing import message_id_for, plain_text
from federe.connectors.nntp import articles, held
from federe.connectors.nntp.client import Answer, NewsClient
from federe.connectors.nntp.mapping import map_article, map_group
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    Item,
    MalformedItem,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PostRules,
    PublishResult,
    Target,
)
from federe.connectors.values import int_setting

CANCEL_WAIT_SECONDS = 5.0
HELD_NOTICE = _lazy("The group is moderated: the article waits for its moderator.")
NO_EDIT = _lazy(
    "An article cannot be edited once posted: news servers copy it to their peers. Fédère can cancel it, and"
    " servers that honour cancels remove it."
)

SETUP_FIELDS = (
    SetupField("host", _lazy("News server"), help=_lazy("The NNTP server's name, for example news.example.org")),
    SetupField("port", _lazy("Port"), required=False, help=_lazy("119, or 563 for NNTP over TLS; 119 when empty.")),
    SetupField(
        "tls",
        _lazy("NNTP over TLS"),
        required=False,
        kind="choice",
        choices=(("no", _lazy("No: plain text (port 119)")), ("yes", _lazy("Yes: TLS (port 563)"))),
    ),
    SetupField("user", _lazy("User name"), required=False, help=_lazy("For AUTHINFO: needed to post and cancel.")),
    SetupField("password", _lazy("Password"), secret=True, required=False, kind="password"),
    SetupField(
        "from_address",
        _lazy("Articles are posted from"),
        required=False,
        help=_lazy("An address with a dotted domain (news servers refuse user@localhost)."),
    ),
    SetupField("from_name", _lazy("Poster name shown on articles"), required=False),
    SetupField(
        "moderation_maildir",
        _lazy("Moderator's mailbox (Maildir folder)"),
        required=False,
        help=_lazy(
            "For a moderated group: the absolute path of the Maildir where its submissions are mailed to the moderator."
        ),
    ),
    SetupField(
        "approved_by",
        _lazy("Moderator address (Approved header)"),
        required=False,
        help=_lazy("Written in the Approved header of the articles Fédère approves; the poster's address if empty."),
    ),
)


@register
class NntpConnector(Connector):
    key = "nntp"
    label = _lazy("Usenet newsgroups (NNTP)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = True  # tests/connectors/nntp/test_integration.py, INN 2.7.1
    post_rules = PostRules(max_length=60_000, title=True, title_required=True, title_max_length=200)
    actions = frozenset({ActionKind.APPROVE, ActionKind.REJECT, ActionKind.DELETE})
    limitations = (NO_EDIT,)
    targets_label = _lazy("Newsgroups to follow")
    setup_fields = SETUP_FIELDS
    setup_help = (
        SetupStep(
            _lazy(
                "To moderate a group, have its submissions mailed to a Maildir on this server (under a folder the"
                " administrator allows with FEDERE_MAILDIR_ROOTS) and give its path: Fédère shows them as held."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.page_size = int_setting(config, "page_size", 100, 1, 1000)
        self._client: NewsClient | None = None

    @property
    def client(self) -> NewsClient:
        """Built on first use, so that a setting that cannot work is reported as a connector error, in words."""
        if self._client is None:
            host = str(self.config.get("host") or "").strip()
            if not host or (any(c in host for c in "/: @") and not host.startswith("[")):
                raise Permanent(_("Give the news server's name, for example news.example.org."))
            tls = _yes_or_no(self.config.get("tls"))
            try:
                port = int(str(self.config.get("port") or (563 if tls else 119)).strip())
            except ValueError:
                port = 0
            if not 0 < port < 65536:
                raise Permanent(_("The news server's port must be a number between 1 and 65535."))
            self._client = NewsClient(
                host.strip("[]"),
                port,
                str(self.config.get("user") or "").strip(),
                str(self.credentials.get("password") or ""),
                tls=tls,
                timeout=int_setting(self.config, "timeout", 15, 1, 120),
            )
        return self._client

    @property
    def mailbox(self) -> str:
        return str(self.config.get("moderation_maildir") or "").strip()

    def check(self) -> None:
        with self.client:
            pass
        if self.mailbox:
            held.maildir.entries(self.mailbox)

    def list_targets(self) -> list[Target]:
        with self.client as client:
            return [map_group(name, status) for name, _high, _low, status in client.list_active()]

    def _followed(self) -> list[str]:
        chosen = self.config.get("targets")
        if isinstance(chosen, list) and chosen:
            return [str(group) for group in chosen]
        raise Permanent(_("Choose the newsgroups this channel follows."))

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = cursor if isinstance(cursor, dict) else {}
        followed = self._followed()
        numbers = dict(cursor.get("groups") or {})
        found: dict[str, Item] = {}
        malformed: list[MalformedItem] = []
        has_more = False
        budget = self.page_size
        with self.client as client:
            for group in followed:
                if budget <= 0:
                    has_more = True
                    break
                state = client.select(group)
                last = numbers.get(group)
                last = last if isinstance(last, int) and last >= state.low - 1 else state.low - 1
                if state.count == 0 or state.high <= last:
                    numbers[group] = last
                    continue
                end = min(state.high, last + budget)
                rows = client.over(last + 1, end)
                for row, raw in zip(rows, client.articles([row.number for row in rows]), strict=True):
                    if raw is None:
                        continue  # cancelled since OVER listed it
                    mapped = map_article(raw, group)
                    if isinstance(mapped, MalformedItem):
                        malformed.append(MalformedItem(reason=mapped.reason, external_id=f"{group}:{row.number}"))
                    else:
                        found.setdefault(mapped.external_id, mapped)
                budget -= end - last
                numbers[group] = end
                has_more = has_more or end < state.high
            following: Cursor = {"groups": numbers}
            if self.mailbox:
                following["held"], more = self._fetch_held(client, cursor.get("held"), set(followed), found, malformed)
                has_more = has_more or more
        return Batch(items=list(found.values()), cursor=following, has_more=has_more, malformed=malformed)

    def _fetch_held(
        self, client: NewsClient, cursor: Any, followed: set[str], found: dict[str, Item], bad: list[MalformedItem]
    ) -> tuple[Any, bool]:
        """Held articles not yet approved (an approved one is on the server: the server's copy is the item); the
        mailbox's next cursor, and whether it has more."""
        entries, following, more = held.read(self.mailbox, cursor, self.page_size, followed)
        for entry in entries:
            if isinstance(entry, MalformedItem):
                bad.append(entry)
            elif entry.external_id not in found and not client.exists(entry.external_id):
                found[entry.external_id] = entry
        return following, more

    # -- posting --------------------------------------------------------------------------------------------

    def _poster(self) -> tuple[str, str]:
        sender = str(self.config.get("from_address") or "").strip()
        if "@" not in sender or "." not in sender.rpartition("@")[2]:
            raise Permanent(
                _("To post, give the address articles are posted from, with a dotted domain (name@example.org).")
            )
        return sender, str(self.config.get("from_name") or "").strip()

    def _already(self, client: NewsClient, message_id: str) -> PublishResult | None:
        """The article an earlier attempt posted: on the server, or held for the moderator."""
        if client.exists(message_id):
            return PublishResult(external_id=message_id, created_at=timezone.now())
        if held.find(self.mailbox, message_id) is not None:
            return PublishResult(external_id=message_id, created_at=timezone.now(), notice=str(HELD_NOTICE))
        return None

    def _post(self, client: NewsClient, article: bytes, message_id: str) -> PublishResult:
        answer = client.post(article)
        if answer.code == 441 and _duplicate(answer):
            return PublishResult(external_id=message_id, created_at=timezone.now())
        if answer.code != 240:
            raise Permanent(_("The news server refused the article: %(answer)s.") % {"answer": answer.shown})
        notice = str(HELD_NOTICE) if "moderator" in answer.text.lower() else ""
        return PublishResult(external_id=message_id, created_at=timezone.now(), notice=notice)

    def reply(self, reply: OutgoingReply) -> PublishResult:
        sender, name = self._poster()
        parent_id = reply.parent_id or reply.thread_id
        message_id = message_id_for(reply.idempotency_key, sender)
        with self.client as client:
            found = self._already(client, message_id)
            if found is not None:
                return found
            parent = client.head(parent_id)
            if parent is None:
                raise Permanent(_("The article this replies to is no longer on the news server."))
            groups, subject, references = articles.follow_up_of(articles.headers_of(parent), parent_id)
            if groups.strip().lower() == "poster":
                raise Permanent(_("The author asked for answers by e-mail (Followup-To: poster), not in the group."))
            text = _text(reply.body_html, "")
            article = articles.build(
                sender=sender, sender_name=name, groups=groups, subject=subject, message_id=message_id,
                text=text, references=references,
            )  # fmt: skip
            return self._post(client, article, message_id)

    def publish(self, post: OutgoingPost) -> PublishResult:
        sender, name = self._poster()
        group = self._group_for(post)
        subject = " ".join(post.title.split())
        if not subject:
            raise Permanent(_("A news article needs a subject: give the post a title."))
        text = _text(post.body_html, post.body_text)
        message_id = message_id_for(post.idempotency_key, sender)
        with self.client as client:
            found = self._already(client, message_id)
            if found is not None:
                return found
            article = articles.build(
                sender=sender, sender_name=name, groups=group, subject=subject, message_id=message_id, text=text
            )
            return self._post(client, article, message_id)

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        sender, _name = self._poster()
        with self.client as client:
            return self._already(client, message_id_for(post.idempotency_key, sender))

    def _group_for(self, post: OutgoingPost) -> str:
        followed = self._followed()
        chosen = str(post.options.get("group") or "").strip()
        return chosen if chosen in followed else followed[0]

    # -- moderation -----------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        message_id = action.external_id.strip().strip("<>")
        if not message_id or any(c in message_id for c in " \r\n<>"):
            raise Permanent(_("%(value)s is not a news article.") % {"value": repr(action.external_id)[:80]})
        with self.client as client:
            posted = client.exists(message_id)
            if action.kind == ActionKind.APPROVE:
                return self._approve(client, message_id) if not posted else ActionResult(True, "already posted")
            if posted and action.kind == ActionKind.DELETE:
                return self._cancel(client, message_id)
            if posted:
                raise Permanent(
                    _("This article is already posted, so it can no longer be rejected: delete (cancel) it instead.")
                )
            # Held: not posting it is all there is to do (the moderator's mailbox stays as it is).
            return ActionResult(done=True, detail="not posted" if held.find(self.mailbox, message_id) else "gone")

    def _approve(self, client: NewsClient, message_id: str) -> ActionResult:
        raw = held.find(self.mailbox, message_id)
        if raw is None:
            raise Permanent(_("This article is neither on the news server nor held in the moderator's mailbox."))
        approver = str(self.config.get("approved_by") or "").strip() or self._poster()[0]
        answer = client.post(articles.approved(raw, approver))
        if answer.code == 441 and not _duplicate(answer):
            raise Permanent(_("The news server refused to post the approved article: %(answer)s.") % _shown(answer))
        return ActionResult(done=True, detail="approved")

    def _cancel(self, client: NewsClient, message_id: str) -> ActionResult:
        sender, name = self._poster()
        head = client.head(message_id)
        if head is None:
            return ActionResult(done=True, detail="already gone")
        groups = articles.header(articles.headers_of(head), "Newsgroups")
        approver = str(self.config.get("approved_by") or "").strip()
        control = articles.build(
            sender=sender,
            sender_name=name,
            groups=groups,
            subject=f"cmsg cancel <{message_id}>",
            message_id=articles.cancel_id(message_id, sender),
            text=_("Cancelled by a moderator."),
            extra={"Control": f"cancel <{message_id}>", **({"Approved": approver} if approver else {})},
        )
        answer = client.post(control)
        if answer.code == 441 and not _duplicate(answer):
            raise Permanent(_("The news server refused to cancel the article: %(answer)s.") % _shown(answer))
        deadline = time.monotonic() + CANCEL_WAIT_SECONDS
        while client.exists(message_id):
            if time.monotonic() >= deadline:
                raise Permanent(
                    _(
                        "The news server took the cancel message but still shows the article: it does not honour"
                        " cancels from this account."
                    )
                )
            time.sleep(0.2)
        return ActionResult(done=True, detail="cancelled")


def _yes_or_no(value: Any) -> bool:
    said = str(value or "").strip().lower()
    if said in ("", "no", "non", "false", "0", "off"):
        return False
    if said in ("yes", "oui", "true", "1", "on"):
        return True
    raise Permanent(_('"NNTP over TLS" is "yes" or "no".'))


def _duplicate(answer: Answer) -> bool:
    """A 441 that says the server has this Message-ID already (INN: "435 Duplicate")."""
    return "duplicate" in answer.text.lower()


def _shown(answer: Answer) -> dict[str, str]:
    return {"answer": answer.shown}


def _text(body_html: str, body_text: str) -> str:
    text = (body_text or plain_text(body_html)).strip()
    if not text:
        raise Permanent(_("A news article needs a text."))
    return text
