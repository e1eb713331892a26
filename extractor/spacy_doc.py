"""Results as a spaCy ``Doc``: for users who build on spaCy (matchers, training data, displaCy).

The document is tokenised by spaCy's blank Chinese pipeline with the jieba segmenter (no model
download). Mentions become ``doc.spans["mentions"]``, labelled with their field (or ``mention``),
and each span carries the mention in ``span._.xxgk`` as a dict. Token boundaries may not fall on a
mention's edges (jieba joins 余条 into one token), so spans are widened to whole tokens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .models import Report

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPAN_KEY = "mentions"


@lru_cache(maxsize=1)
def blank_zh() -> Language:
    """spaCy's blank ``zh`` pipeline with the jieba segmenter."""
    import spacy
    from spacy.tokens import Span

    if not Span.has_extension("xxgk"):
        Span.set_extension("xxgk", default=None)
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def to_spacy_doc(report: Report, text: str | None = None) -> Doc:
    """The report's text as a spaCy Doc with every mention as a span in ``doc.spans["mentions"]``.

    ``text`` is the text the offsets index (``report.text`` when extracted ``--with-text``).
    """
    text = text if text is not None else report.text
    if text is None:
        raise ValueError("no text: pass the document text or extract with with_text=True")
    doc = blank_zh()(text)
    spans = []
    for m in report.mentions:
        span = doc.char_span(m.start, m.end, label=m.field or "mention", alignment_mode="expand")
        if span is None:
            continue
        data: dict[str, Any] = m.model_dump(mode="json")
        span._.xxgk = data
        spans.append(span)
    doc.spans[SPAN_KEY] = spans
    return doc
