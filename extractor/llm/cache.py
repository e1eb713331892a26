"""On-disk cache of model answers, so that a re-run makes no requests.

Keyed by the endpoint (no credentials), the model, the prompt version, the instructor mode,
the answer schema and the exact messages; an entry holds the validated answer and what it cost
when first asked. The API key is never part of a key or an entry.

Layout: ``<cache dir>/llm/<2 hex>/<sha256>.json`` (default cache dir ``~/.cache/xxgk``, or
``$XXGK_CACHE_DIR``); entries are written atomically, so parallel runs can share a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .config import LLMConfig

FORMAT = 1


def cache_key(config: LLMConfig, prompt_id: str, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
    material = {
        "format": FORMAT,
        "endpoint": config.endpoint,
        "model": config.model,
        "prompt": prompt_id,
        "instructor_mode": config.instructor_mode,
        "temperature": 0,
        "max_tokens": config.max_tokens,
        "schema": schema,
        "messages": messages,
    }
    blob = json.dumps(material, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    def __init__(self, root: Path):
        self.root = Path(root) / "llm"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f, ensure_ascii=False, indent=1)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written costs a request next time, nothing more
