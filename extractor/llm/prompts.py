"""Prompts as files: ``prompts/<task>.v<N>.toml``, one file per version, never edited after
release (a change is a new version). One loader; it fails on unknown names, unknown versions,
missing variables and variables the prompt does not use. Which version a mode sends is pinned
in code (``request.PROMPTS``): a new file changes nothing until the code names it.

The folder ``prompts/`` at the root of the repository is installed as the package
``extractor.prompts`` (``pyproject.toml``), so ``importlib.resources`` finds the files in a
checkout (editable install), a wheel, a ``--user`` install or a zip alike.

A prompt file holds two strings, ``system`` and ``user``, with ``$name`` placeholders
(``string.Template``; a literal dollar sign is ``$$``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from string import Template

FILE_NAME = re.compile(r"^(?P<task>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.toml$")


class PromptError(LookupError):
    """Unknown prompt, unknown version, or variables that do not match the prompt."""


PACKAGE = "extractor.prompts"


def prompts_dir() -> Traversable:
    """``$XXGK_PROMPTS_DIR`` (experiments), else the installed package ``extractor.prompts``."""
    env = os.environ.get("XXGK_PROMPTS_DIR")
    if env:
        return Path(env)
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise PromptError(f"the prompt files ({PACKAGE}) are not installed: reinstall the package "
                          "(pip install -e . in a checkout)") from None


@dataclass(frozen=True)
class Prompt:
    task: str
    version: int
    system: str
    user: str

    @property
    def id(self) -> str:
        """``fill_ambiguous.v1``: recorded in results as ``llm:<id>``."""
        return f"{self.task}.v{self.version}"

    @property
    def variables(self) -> frozenset[str]:
        names: set[str] = set()
        for part in (self.system, self.user):
            for m in Template.pattern.finditer(part):
                name = m.group("named") or m.group("braced")
                if name:
                    names.add(name)
                elif m.group("invalid") is not None:
                    raise PromptError(f"prompt {self.id}: a lone '$' (write '$$' for a dollar sign)")
        return frozenset(names)

    def render(self, **values: str) -> list[dict[str, str]]:
        """The chat messages of this prompt with ``values`` filled in."""
        missing = self.variables - values.keys()
        unknown = values.keys() - self.variables
        if missing or unknown:
            parts = [f"missing {sorted(missing)}" if missing else "", f"unknown {sorted(unknown)}" if unknown else ""]
            raise PromptError(f"prompt {self.id}: variables " + ", ".join(p for p in parts if p))
        return [
            {"role": "system", "content": Template(self.system).substitute(values)},
            {"role": "user", "content": Template(self.user).substitute(values)},
        ]


def available(directory: Traversable | None = None) -> dict[str, list[int]]:
    """Task → its versions, oldest first."""
    found: dict[str, list[int]] = {}
    for path in (directory or prompts_dir()).iterdir():
        m = FILE_NAME.match(path.name)
        if m:
            found.setdefault(m.group("task"), []).append(int(m.group("version")))
    return {task: sorted(v) for task, v in sorted(found.items())}


def load_prompt(task: str, version: int | None = None, *, directory: Traversable | None = None) -> Prompt:
    """The prompt ``task`` at ``version`` (the newest when not given; the extractor always gives
    one, ``request.PROMPTS``)."""
    return _load(task, version, directory or prompts_dir())


@lru_cache(maxsize=64)
def _load(task: str, version: int | None, directory: Traversable) -> Prompt:
    versions = available(directory).get(task)
    if not versions:
        raise PromptError(f"unknown prompt {task!r} (known: {', '.join(available(directory)) or 'none'}) in {directory}")
    version = versions[-1] if version is None else version
    if version not in versions:
        raise PromptError(f"prompt {task!r} has no version {version} (known: {versions})")
    data = tomllib.loads((directory / f"{task}.v{version}.toml").read_text(encoding="utf-8"))
    if set(data) != {"system", "user"}:
        raise PromptError(f"prompt {task}.v{version}: the file must hold exactly 'system' and 'user'")
    prompt = Prompt(task=task, version=version, system=data["system"], user=data["user"])
    prompt.variables  # noqa: B018 — fails early on a malformed placeholder
    return prompt
