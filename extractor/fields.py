"""Fields (placeholder)."""
from __future__ import annotations


def resolve_fields(text, mentions, sections):  # type: ignore[no-untyped-def]
    return {}
