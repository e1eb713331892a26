"""Results as spaCy Docs (blank zh pipeline with the jieba segmenter)."""

from __future__ import annotations

import pytest

from extractor import extract, extract_file, to_spacy_doc

from .conftest import SEED_TEXT


def test_every_mention_is_a_span_labelled_with_its_field() -> None:
    report = extract_file(SEED_TEXT, with_text=True)
    doc = to_spacy_doc(report)
    spans = list(doc.spans["mentions"])
    assert len(spans) == len(report.mentions) == 20
    for span, mention in zip(spans, report.mentions, strict=True):
        assert span.start_char <= mention.start and mention.end <= span.end_char
        assert mention.text in span.text
        assert span.label_ == (mention.field or "mention")
        assert span._.xxgk["value"] == mention.value


def test_spans_widen_to_whole_tokens() -> None:
    text = "累计发布信息1300余条。"
    doc = to_spacy_doc(extract(text), text)
    (span,) = doc.spans["mentions"]
    assert span.text.startswith("1300") and span._.xxgk["text"] == "1300余条"


def test_text_is_required() -> None:
    with pytest.raises(ValueError, match="no text"):
        to_spacy_doc(extract("发布信息3条。"))
