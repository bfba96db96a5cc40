"""Every command and option of the four command-line tools says what it does, and its default."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

import pytest

from gateway.cli import build_parser as gateway_parser
from muscles.cli import build_parser as muscle_parser
from registry_sync.cli import build_parser as registry_parser
from sentinel.cli import build_parser as sentinel_parser

PARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "muscle": muscle_parser,
    "sentinel": sentinel_parser,
    "registry-sync": registry_parser,
    "gateway": gateway_parser,
}
_SILENT_DEFAULTS = (None, False, [], (), argparse.SUPPRESS)


def _commands(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _commands(sub, f"{name} {sub_name}")


def _subcommand_helps(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    helps: dict[str, str | None] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                helps[choice.dest] = choice.help
    return helps


@pytest.mark.parametrize("tool", sorted(PARSERS))
def test_every_command_and_option_has_a_description_and_shows_its_default(tool: str) -> None:
    problems = []
    for name, parser in _commands(PARSERS[tool](), tool):
        problems += [f"{name} {cmd}: no help" for cmd, text in _subcommand_helps(parser).items() if not text]
        text = " ".join(parser.format_help().split())
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            label = "/".join(action.option_strings) or action.dest
            if not action.help:
                problems.append(f"{name} {label}: no help")
            elif action.default not in _SILENT_DEFAULTS and "default" not in (action.help or "").lower():
                shown = f"(default: {action.default})"
                if " ".join(shown.split()) not in text:
                    problems.append(f"{name} {label}: default {action.default!r} not shown")
    assert problems == []


def test_a_flag_or_an_unset_option_does_not_print_a_meaningless_default() -> None:
    text = muscle_parser().format_help() + "".join(
        sub.format_help() for _, sub in _commands(muscle_parser(), "muscle")
    )
    assert "(default: None)" not in text and "(default: False)" not in text and "(default: [])" not in text
