"""LLM configuration: one frozen object, from flags and environment variables.

Precedence for each setting: the explicit argument (a CLI flag), then the project's variable
(``XXGK_LLM_*``), then the usual OpenAI one (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``), then the
default. The API key is kept out of ``repr`` and out of everything written (cache, logs, output).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

Mode = Literal["off", "ambiguous", "all"]
MODES: tuple[str, ...] = ("off", "ambiguous", "all")
InstructorMode = Literal["json", "md_json", "tools"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The LLM layer's own packages: an optional extra, not installed with the package alone.
LLM_PACKAGES = ("openai", "instructor")
INSTALL_HINT = "pip install 'xxgk-extractor[llm]'"
# The openai client refuses to start without a key; local servers (Ollama, vLLM) ignore it.
PLACEHOLDER_KEY = "not-needed"


class LLMConfigError(ValueError):
    """The LLM layer was asked for but cannot be set up (no model, unknown mode…)."""


@dataclass(frozen=True)
class LLMConfig:
    mode: Mode = "off"
    model: str | None = None
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False, compare=False)
    # One HTTP request may take this long (seconds) before it counts as failed and is retried.
    timeout: float = 60.0
    # Retries of failed HTTP requests (timeouts, 429, 5xx, connection errors), with backoff.
    http_retries: int = 4
    backoff: float = 1.0  # first wait; doubled at each retry, with jitter
    max_wait: float = 30.0  # no single wait (backoff or Retry-After) is longer than this
    # Re-asks of instructor for answers that fail validation (0-2); not HTTP retries.
    reasks: int = 1
    # Requests in flight at once in one process (bulk runs: also see ``fill_reports``).
    concurrency: int = 4
    cache: bool = True
    cache_dir: str | None = None
    # instructor mode: "json" (response_format json_object, the schema in the system message)
    # works with OpenAI, DeepSeek, DashScope, Ollama and vLLM; "md_json" for servers that reject
    # response_format; "tools" for servers with reliable tool calling.
    instructor_mode: InstructorMode = "json"
    max_tokens: int = 2000

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise LLMConfigError(f"unknown LLM mode {self.mode!r} (choose off, ambiguous or all)")
        if self.mode != "off" and not self.model:
            raise LLMConfigError("the LLM needs a model: --model or XXGK_LLM_MODEL")
        if not 0 <= self.reasks <= 2:
            raise LLMConfigError("reasks must be 0, 1 or 2")
        if self.instructor_mode not in ("json", "md_json", "tools"):
            raise LLMConfigError(f"unknown instructor mode {self.instructor_mode!r}")
        if self.mode != "off":
            missing = missing_packages()
            if missing:
                raise LLMConfigError(f"the LLM layer needs {' and '.join(missing)}, which are not installed: "
                                     f"{INSTALL_HINT}")

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    @property
    def endpoint(self) -> str:
        """The base URL as used in cache keys: no trailing slash, no credentials."""
        return _strip_credentials(self.base_url.rstrip("/"))

    @property
    def key(self) -> str:
        return self.api_key or PLACEHOLDER_KEY

    def cache_path(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        env = os.environ.get("XXGK_CACHE_DIR")
        if env:
            return Path(env).expanduser()
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "xxgk"

    def redact(self, message: str) -> str:
        """``message`` with the API key (and URL credentials) taken out, fit for logs and output."""
        if self.api_key and len(self.api_key) >= 4:
            message = message.replace(self.api_key, "***")
        return _strip_credentials(message)

    def with_(self, **changes: object) -> LLMConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(
        cls,
        mode: str | None = None,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        env: dict[str, str] | None = None,
        **overrides: object,
    ) -> LLMConfig:
        """Settings from arguments first, then ``XXGK_LLM_*``, then ``OPENAI_*`` variables.

        Variables: ``XXGK_LLM_MODEL``, ``XXGK_LLM_BASE_URL`` / ``OPENAI_BASE_URL``,
        ``XXGK_LLM_API_KEY`` / ``OPENAI_API_KEY``, ``XXGK_LLM_TIMEOUT``, ``XXGK_LLM_RETRIES``,
        ``XXGK_LLM_CONCURRENCY``, ``XXGK_LLM_INSTRUCTOR_MODE``, ``XXGK_CACHE_DIR``
        (``XXGK_LLM_CACHE=0`` turns the cache off).
        """
        e = os.environ if env is None else env

        def pick(*names: str) -> str | None:
            return next((e[n] for n in names if e.get(n)), None)

        settings: dict[str, object] = {
            "mode": mode or "off",
            "model": model or pick("XXGK_LLM_MODEL"),
            "base_url": base_url or pick("XXGK_LLM_BASE_URL", "OPENAI_BASE_URL") or DEFAULT_BASE_URL,
            "api_key": api_key or pick("XXGK_LLM_API_KEY", "OPENAI_API_KEY"),
        }
        numeric = {"timeout": ("XXGK_LLM_TIMEOUT", float), "http_retries": ("XXGK_LLM_RETRIES", int),
                   "concurrency": ("XXGK_LLM_CONCURRENCY", int)}
        for name, (var, kind) in numeric.items():
            if e.get(var):
                try:
                    settings[name] = kind(e[var])
                except ValueError:
                    raise LLMConfigError(f"{var} must be a number, not {e[var]!r}") from None
        if e.get("XXGK_LLM_INSTRUCTOR_MODE"):
            settings["instructor_mode"] = e["XXGK_LLM_INSTRUCTOR_MODE"]
        if e.get("XXGK_CACHE_DIR"):
            settings["cache_dir"] = e["XXGK_CACHE_DIR"]
        if e.get("XXGK_LLM_CACHE", "").lower() in ("0", "false", "no", "off"):
            settings["cache"] = False
        settings.update(overrides)
        return cls(**settings)  # type: ignore[arg-type]


def missing_packages() -> list[str]:
    """The LLM layer's packages that cannot be found (looked up, not imported: importing them
    takes a second, and an answer from the cache needs neither)."""
    import importlib.util

    missing = []
    for name in LLM_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def _strip_credentials(url_or_text: str) -> str:
    """``https://user:secret@host/v1`` → ``https://***@host/v1``."""
    import re

    return re.sub(r"(https?://)[^/@\s]+@", r"\1***@", url_or_text)
