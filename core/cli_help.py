"""Help output shared by the four command-line tools (muscle, sentinel, registry-sync, gateway)."""

from __future__ import annotations

import argparse

__all__ = ["HelpFormatter"]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Adds "(default: X)" to an option's help when it has a real default the help does not
    already state; flags, empty lists and unset values say nothing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        quiet = default in (None, False, [], (), argparse.SUPPRESS) or "default" in text
        if quiet or (action.option_strings == [] and action.nargs in ("?", "*")):
            return text
        return f"{text} (default: %(default)s)"
