"""What every ``xxgk`` command shares: exit codes, one-line messages about paths, plain help.

Exit status (documented in the README): 0 done; 1 the command ran and found problems (bad gold
files; a gold file it will not overwrite); 2 the command cannot run as asked (a missing input path, a directory where a file is
needed, conflicting options) — click uses 2 for its own usage errors too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperGroup

USAGE = 2  # the command cannot run as asked
PROBLEMS = 1  # it ran and found problems

err = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = USAGE) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    err.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(code)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def missing(paths: Iterable[str | Path]) -> list[str]:
    return [str(p) for p in paths if not Path(p).exists()]


def no_such(paths: list[str]) -> str:
    return ("no such file or directory: " if len(paths) == 1 else "no such files or directories: ") + ", ".join(paths)


def require_file(path: Path, what: str = "one report file") -> None:
    """Exit 2 with one line unless ``path`` is a file (a directory is named as one)."""
    if path.is_dir():
        fail(f"{path} is a directory: give {what}")
    if not path.is_file():
        fail(no_such([str(path)]))


def require_writable_parent(path: Path | None) -> None:
    if path is not None and not path.parent.is_dir():
        fail(f"cannot write {path}: no such directory {path.parent}")


class PlainHelpGroup(TyperGroup):
    """Help without typer's type noise (``<bool>``, ``<str>``, ``<list[str]>``): an option that
    takes a value shows a name (``OUT``, ``MODEL``), a flag shows none, an argument shows its
    name as click writes it (``PATH...``, ``[GOLD...]``).

    Recent typer releases print the Python type beside every parameter; older ones do not have
    the methods overridden here, so this is a no-op for them.
    """

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", []):
            if isinstance(param, TyperArgument):
                _plain_argument(param)
            elif param.metavar is None:
                if getattr(param, "is_flag", False) or getattr(param, "count", False):
                    param.metavar = ""
                else:
                    longest = max(param.opts, key=len)
                    param.metavar = longest.lstrip("-").replace("-", "_").upper()
        return command


def _plain_argument(param: TyperArgument) -> None:
    name = (param.metavar or param.name or "ARG").rstrip(".").upper()
    shown = name + ("..." if param.nargs != 1 else "")
    param.metavar = shown
    usage = shown if param.required else f"[{shown}]"
    param.get_usage_pieces = lambda ctx: [usage]  # type: ignore[method-assign]
    if hasattr(param, "display_type_rich"):
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
