"""A benchmark's throw-away database and Django start. PostgreSQL: dropped and created again, then dropped at the
end; only names containing "bench", and never one with open sessions (another run): that run is not killed, we stop.
SQLite: a file of its own under var/bench/, deleted at the end."""

from __future__ import annotations

import os


def _parts(url: str) -> tuple[str, str]:
    """The database's name and the address of the server's maintenance database."""
    return url.rsplit("/", 1)[1].split("?", 1)[0], url.rsplit("/", 1)[0] + "/postgres"


def create(url: str) -> None:
    import psycopg
    from psycopg import sql

    name, admin_url = _parts(url)
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            busy = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
            if busy and busy[0]:
                # Never kill someone else's run (no WITH (FORCE)): say so and stop.
                raise SystemExit(
                    f"Database {name!r} has {busy[0]} open session(s): another benchmark is probably running. "
                    "Wait for it, or pass --postgres-url with another name containing 'bench'."
                )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {admin_url} ({exc}). Start it, pass --postgres-url, or use SQLite."
        ) from exc


def drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    name, admin_url = _parts(url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def sqlite_url(label: str) -> str:
    """A fresh SQLite file for one run under var/bench/ (removed by ``remove``)."""
    from pathlib import Path

    directory = Path(__file__).resolve().parent.parent / "var" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / f'{label}-{os.getpid()}.sqlite3'}"


def start_django(url: str, *, migrate: bool = True) -> None:
    """Point Django at ``url`` (test settings, no query log), start it, and migrate unless told not to."""
    import sys
    from pathlib import Path

    os.environ["FEDERE_ENV"] = "test"
    os.environ["DEBUG"] = "false"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "federe.config.settings"
    src = str(Path(__file__).resolve().parent.parent / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def remove(url: str) -> None:
    """Close Django's connections, then drop the PostgreSQL database or delete the SQLite file and its journals."""
    from pathlib import Path

    from django.db import connections

    connections.close_all()
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        drop(url)
