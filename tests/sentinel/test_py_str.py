"""Generated string literals round-trip and are already in ruff format's quote style."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from sentinel.render import py_str

TEXTS = [
    "plain",
    'says "hello"',
    "it's",
    """both "double" "quotes" and 'single'""",
    'a backslash \\ and "quotes"',
    "control\tcharacters\nand é",
]


@pytest.mark.parametrize("text", TEXTS)
def test_literal_round_trips_and_is_format_clean(text: str) -> None:
    literal = py_str(text)
    assert ast.literal_eval(literal) == text
    source = f"x = {literal}\n"
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert formatted == source
