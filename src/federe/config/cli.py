"""The ``federe`` command: Django's management commands, introduced in plain words."""

from __future__ import annotations

import os
import sys
import tempfile

COMMANDS: list[tuple[str, str]] = [
    ("demo", "Create a local database with demo data, then start the web server and a worker."),
    ("serve", "Start the web server and a background worker together (local use)."),
    ("worker", "Run background work: syncing channels when they are due, sending replies, publishing posts."),
    ("sync", "Fetch new messages now from one channel, or from every channel of a workspace."),
    ("moderation", "Moderation: list rules, back-test one, see the review queue, decide on messages."),
    ("listening", "Listening: saved queries, back-fill, mentions, share of voice, alerts, opinion leaders."),
    ("nlp", "Classifiers: score messages, evaluate, train, learn from moderators, roll back a model."),
    ("people", "People: export as CSV, recompute scores, merge suggestions, merge/unmerge, signals, erase."),
    ("import", "Import a community's history from an export: federe import NETWORK SOURCE --workspace SLUG."),
    ("posts", "Posts: federe posts list|show|create|cancel|retry --workspace SLUG (create schedules with --at)."),
    ("notifications", "Notifications: federe notifications digest e-mails the daily digests (run it once a day)."),
    ("links", "Short links: federe links list --workspace SLUG [--post ID] (each with its clicks)."),
    ("inbox", "Inbox: federe inbox views|filters|bulk ACTION --threads IDS --as USER --workspace SLUG."),
    ("saved-replies", "Saved replies: federe saved-replies list|import FILE.csv --workspace SLUG (all rows or none)."),
    (
        "search",
        'Search every message: federe search "words" --workspace SLUG [--author, --channel, --since…]; reindex.',
    ),
    ("tickets", "Escalation tickets: federe tickets teams|list|create|status --workspace SLUG (--as a member)."),
    ("sla", "SLA policies: federe sla list|show THREAD|refresh --workspace SLUG (a thread's clocks in words)."),
    (
        "campaigns",
        "Campaigns: federe campaigns list|create|show ID|import-spend ID FILE.csv --workspace SLUG (impact, budget).",
    ),
    ("analytics", "Dashboards: federe analytics show [--days 7|30|90 | --since --until] [--channel ID] | rebuild."),
    (
        "reports",
        "Client reports: federe reports list|create|pdf|html|share|send [ID] --workspace SLUG (a PDF, a share link).",
    ),
    (
        "contests",
        "Contests: federe contests list|create|commit|entries|draw|verify --workspace SLUG (--as a member).",
    ),
    (
        "events",
        "Events: federe events list|create|show|collect|check-in --workspace SLUG (--as a member).",
    ),
    ("people-stats", "Active members per month, retention by cohort, score against a network's reputation."),
    ("createworkspace", "Create a workspace (a brand or a client) and name its owner."),
    ("createuser", "Create a user who can log in (asks for the password)."),
    ("members", "A workspace's team: federe members add|list|role|remove --workspace SLUG (add invites by e-mail)."),
    ("apitoken", "Create a personal API token for a user in a workspace."),
    ("migrate", "Create or update the database tables."),
    ("compiletranslations", "Compile the French catalogue (done by the installer)."),
    ("check", "Check the configuration; add --deploy before going to production."),
]

# Names typed with a dash for commands whose module cannot have one.
ALIASES = {"people-stats": "people_stats", "saved-replies": "saved_replies"}

HELP = """Fédère: self-hosted community management.

Usage: federe COMMAND [options]      (federe COMMAND --help for its options)

Everyday commands:
{commands}

Every other Django management command works too (for example 'federe shell').
Configuration comes from the environment: FEDERE_ENV (production, development, test),
DATABASE_URL, SECRET_KEY, FEDERE_SECRETS_KEY, ALLOWED_HOSTS. See docs/operations.md.
"""


def render_help() -> str:
    width = max(len(name) for name, _ in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS)
    return HELP.format(commands=lines)


def _settings_for_help() -> None:
    """A command's --help needs no configuration: load the local defaults, writing nothing in the current folder."""
    os.environ["FEDERE_ENV"] = "development"
    os.environ["FEDERE_DATA_DIR"] = os.path.join(tempfile.gettempdir(), "federe-help")
    os.environ.pop("DATABASE_URL", None)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) < 2 or args[1] in {"-h", "--help", "help"}:
        sys.stdout.write(render_help())
        return 0
    args[1] = ALIASES.get(args[1], args[1])
    if any(arg in {"-h", "--help"} for arg in args[2:]):
        _settings_for_help()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        sys.stderr.write(
            f"Fédère is not configured: {exc}\n"
            "For a local try, set FEDERE_ENV=development (make demo does). See docs/operations.md.\n"
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
