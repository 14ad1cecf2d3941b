"""Every command that takes --workspace is a WorkspaceCommand: one way to find the workspace, one error message."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from federe.core.management.workspace import WorkspaceCommand

# Commands whose --workspace is not "the workspace this command acts on" (a filter, or a name to create).
OTHER_MEANING = {"sync", "apitoken", "createworkspace"}


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _takes_workspace(name: str, app: str) -> bool:
    parser = load_command_class(app, name).create_parser("federe", name)
    return any("--workspace" in action.option_strings for p in _parsers(parser) for action in p._actions)


def test_every_command_about_a_workspace_uses_the_base():
    federe = {name: app for name, app in get_commands().items() if app.startswith("federe")}
    taking = {name for name, app in federe.items() if _takes_workspace(name, app)} - OTHER_MEANING
    assert {"members", "listening", "moderation", "nlp", "people", "people_stats", "import"} <= taking
    plain = {name for name in taking if not isinstance(load_command_class(federe[name], name), WorkspaceCommand)}
    assert not plain, f"commands with --workspace that do not use WorkspaceCommand: {sorted(plain)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args", [("members", "list"), ("listening", "queries"), ("moderation", "rules"), ("people", "export")]
)
def test_an_unknown_workspace_is_the_same_message_everywhere(args):
    with pytest.raises(CommandError, match="No workspace named nope"):
        call_command(*args, "--workspace", "nope")
