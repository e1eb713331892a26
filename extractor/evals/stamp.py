"""The run stamp: project version, git commit, LLM model and prompt versions, time."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .gold import Json


def _git_commit() -> str | None:
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{out}-dirty" if out and dirty else out or None


def _llm_stamp(mode: str | None, preds: Iterable[Json | None]) -> Json:
    """The LLM mode, and the models and prompt versions the results name (``llm`` key of a result)."""
    models: set[str] = set()
    prompts: set[str] = set()
    for pred in preds:
        info = (pred or {}).get("llm")
        if not isinstance(info, dict):
            continue
        if info.get("model"):
            models.add(str(info["model"]))
        for key in ("prompt", "prompt_version", "prompts"):
            value = info.get(key)
            values = value if isinstance(value, list | tuple) else value.values() if isinstance(value, dict) else [value]
            prompts.update(str(v) for v in values if v)
    return {"mode": mode, "model": ", ".join(sorted(models)) or None, "prompts": sorted(prompts) or None}


def run_stamp(*, llm: str | None, preds: Iterable[Json | None], gold: list[str], pred_path: str | None) -> Json:
    """Project version, git commit, LLM model and prompt versions, time: what produced these figures."""
    from datetime import UTC, datetime

    from .. import __version__

    return {"version": __version__, "commit": _git_commit(), "llm": _llm_stamp(llm, preds),
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "gold": gold, "pred": pred_path}
