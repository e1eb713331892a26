"""Token estimates for requests not (yet) sent: ``evals/llm_tokens.py`` and servers that report
no usage.

The estimate is deliberately simple and tokenizer-free: each CJK character or full-width
punctuation mark counts 1 token, every other run of characters 1 token per 4 characters (at
least 1 per word), and each chat message 4 tokens of framing. Real tokenizers differ
(cl100k ≈ 1–1.3 tokens per Chinese character; Qwen, DeepSeek and o200k ≈ 0.6–0.8), but the
ratio between two requests, which is what the evals compare, hardly depends on it.
"""

from __future__ import annotations

import math
import re

_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0002fa1f]")
_WORD = re.compile(r"\S+")
MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    wide = len(_WIDE.findall(text))
    rest = _WIDE.sub(" ", text)
    return wide + sum(max(1, math.ceil(len(w) / 4)) for w in _WORD.findall(rest))


def estimate_messages(messages: list[dict[str, str]]) -> int:
    return sum(MESSAGE_OVERHEAD + estimate_tokens(str(m.get("content") or "")) for m in messages) + 2
