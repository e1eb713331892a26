"""Optional LLM fill for what the rules cannot settle, through ``instructor`` +
``openai`` against any OpenAI-compatible endpoint.

Off unless asked for. Nothing here imports ``openai`` or ``instructor`` until a request is made;
they come with the ``[llm]`` extra (``pip install 'xxgk-extractor[llm]'``), and an ``LLMConfig``
with a mode other than ``off`` refuses to be made without them (``LLMConfigError``).

    from extractor import extract
    from extractor.llm import LLMConfig
    report = extract(text, llm=LLMConfig.from_env("ambiguous", model="deepseek-chat"))
"""

from .config import MODES, LLMConfig, LLMConfigError

__all__ = ["MODES", "LLMConfig", "LLMConfigError", "fill_report", "fill_reports"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name in ("fill_report", "fill_reports"):
        from . import fill

        return getattr(fill, name)
    raise AttributeError(name)
