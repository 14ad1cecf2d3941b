from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.db import connection

from federe.config.cli import ALIASES, COMMANDS, main

PROD = {
    "FEDERE_ENV": "production",
    "SECRET_KEY": "k" * 20 + "Zq8!xP2#rT5$wY7&uI9*oA1@sD3^fG6(hJ4)",
    "FEDERE_SECRETS_KEY": "a-long-secrets-key",
    "ALLOWED_HOSTS": "federe.example.org",
}


def run_federe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FEDERE_", "DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "federe.config.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_everyday_commands_in_plain_words(capsys):
    assert main(["federe", "--help"]) == 0
    out = capsys.readouterr().out
    for name, text in COMMANDS:
        assert name in out and text in out
    assert {"demo", "worker", "sync", "createworkspace"} <= {name for name, _ in COMMANDS}


def test_production_refuses_to_start_without_keys():
    result = run_federe("check", env={"FEDERE_ENV": "production"})
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_federe("check", "--deploy", "--fail-level", "WARNING", env={**PROD, "FEDERE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_check_deploy_warns_which_proves_the_check_looks():
    result = run_federe("check", "--deploy", "--fail-level", "WARNING", env={"FEDERE_ENV": "development"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr + result.stdout


@pytest.mark.django_db
def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    probe = (
        "import django; django.setup(); from django.db import connection as c; cur = c.cursor(); "
        "cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0]); "
        "cur.execute('PRAGMA busy_timeout'); print(cur.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FEDERE_", "DATABASE_URL"))}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={
            **clean,
            "FEDERE_ENV": "test",
            "FEDERE_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "federe.config.settings",
        },
    ).stdout.split()
    assert out == ["wal", "20000"]


def test_bad_environment_values_name_the_variable():
    result = run_federe("check", env={"FEDERE_ENV": "development", "FEDERE_SYNC_INTERVAL_SECONDS": "often"})
    assert result.returncode == 2
    assert "FEDERE_SYNC_INTERVAL_SECONDS must be an integer" in result.stderr


def federe_commands() -> set[str]:
    """Every management command that Fédère itself ships, under the name typed on the command line."""
    from django.core.management import get_commands

    typed = {module: name for name, module in ALIASES.items()}
    return {typed.get(name, name) for name, app in get_commands().items() if app.startswith("federe.")}


def test_help_lists_every_command_fédère_ships(capsys):
    listed = {name for name, _ in COMMANDS}
    assert {"listening", "nlp", "people", "import", "people-stats"} <= federe_commands()
    assert federe_commands() <= listed
    main(["federe", "--help"])
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in federe_commands())


@pytest.mark.parametrize("command", sorted(federe_commands()))
def test_every_command_help_works_without_configuration(command, tmp_path):
    result = run_federe(command, "--help", env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "not configured" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_serve_on_a_taken_port_says_so_and_fails(command, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_federe(
            command,
            "--address",
            f"127.0.0.1:{port}",
            env={"FEDERE_ENV": "test", "FEDERE_DATA_DIR": str(tmp_path)},
        )
    assert result.returncode != 0
    assert f"port {port}" in result.stderr and "taken" in result.stderr
    assert "PORT=" in result.stderr  # says how to choose another
    assert "runs on" not in result.stdout and "is running" not in result.stdout


@pytest.mark.parametrize("address", ["localhost:abc", "127.0.0.1:70000", "[::1]:"])
def test_serve_on_an_address_that_is_not_one_says_so(address, tmp_path):
    result = run_federe("serve", "--address", address, env={"FEDERE_ENV": "test", "FEDERE_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "is not an address to listen on" in result.stderr
    assert "Traceback" not in result.stderr
