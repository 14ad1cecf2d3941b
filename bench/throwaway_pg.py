"""A throw-away PostgreSQL database for a benchmark: dropped and created again, then dropped at the end. Only
names containing "bench", and never one with open sessions (another run): that run is not killed, we stop."""

from __future__ import annotations


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
