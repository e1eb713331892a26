"""Sections: the headed parts of a report (一、总体情况 … 六、其他需要报告的事项, and the
older seven-part format), their sub-headings, and the stretches that are tables.

Numbers inside the national-format tables of 二、三、四 are not prose mentions, so each
section knows whether it is a table section.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from . import patterns as P


@dataclass(frozen=True)
class Section:
    start: int
    end: int
    heading: str  # the top-level heading, e.g. "二、主动公开政府信息情况"
    is_table: bool
    # where the table of a table section starts: the sentences between its heading and its first table
    # marker are prose ("做好政府信息主动公开…2021年,我办累计主动公开政府信息53条。" before 第二十条第(一)项, dev2 n130)
    table_start: int = 0


@dataclass(frozen=True)
class Heading:
    start: int
    text: str


class SectionMap:
    """Where each offset stands: its section, its innermost heading, whether it is in a table."""

    def __init__(self, text: str, sections: list[Section], headings: list[Heading]):
        self.text = text
        self.sections = sections
        self.headings = headings
        self._heading_starts = [h.start for h in headings]
        self._section_starts = [s.start for s in sections]

    def section_at(self, pos: int) -> Section | None:
        i = bisect_right(self._section_starts, pos) - 1
        return self.sections[i] if i >= 0 and pos < self.sections[i].end else None

    def heading_at(self, pos: int) -> str | None:
        i = bisect_right(self._heading_starts, pos) - 1
        return self.headings[i].text if i >= 0 else None

    def prose_spans(self) -> list[tuple[int, int]]:
        """The stretches of text outside the table sections, in order."""
        spans, pos = [], 0
        for section in self.sections:
            if section.is_table:
                if section.table_start > pos:
                    spans.append((pos, section.table_start))
                pos = section.end
        if pos < len(self.text):
            spans.append((pos, len(self.text)))
        return spans

    def in_table(self, pos: int) -> bool:
        section = self.section_at(pos)
        return bool(section and section.is_table and pos >= section.table_start)


def split_sections(text: str) -> SectionMap:
    tops = [m for m in P.TOP_HEADING.finditer(text) if _plausible_heading(m)]
    sections: list[Section] = []
    for i, m in enumerate(tops):
        end = tops[i + 1].start() if i + 1 < len(tops) else len(text)
        heading = _clean_heading(m.group("title"), m.group("num"))
        body = text[m.end():end]
        marker = P.TABLE_MARKERS.search(body)
        is_table = bool(P.TABLE_SECTION_TITLE.search(heading)) and bool(marker)
        table_start = m.start()
        if is_table and marker and "。" in body[:marker.start()]:
            table_start = m.end() + body.rfind("。", 0, marker.start()) + 1  # prose ends with its last sentence
        sections.append(Section(start=m.start(), end=end, heading=heading, is_table=is_table,
                                table_start=table_start))
    headings = [Heading(s.start, s.heading) for s in sections]
    for m in P.SUB_HEADING.finditer(text):
        headings.append(Heading(m.start(), _clean_heading(m.group("title"), m.group("num"), sub=True)))
    headings.sort(key=lambda h: h.start)
    # A table section ends where prose resumes only at the next top heading; tables that sit in
    # sections without a national heading (excerpts) are caught by the table-row test in mentions.
    return SectionMap(text, sections, headings)


def _plausible_heading(m: re.Match[str]) -> bool:
    title = m.group("title")
    return bool(P.HEADING_WORDS.search(title)) and len(title) <= 40


def _clean_heading(title: str, num: str, sub: bool = False) -> str:
    title = re.sub(r"\s+", "", title).rstrip("。.：:")
    num = re.sub(r"\s+", "", num)
    if sub:
        num = num.replace("(", "（").replace(")", "）")
        return f"{num}{title}"
    return f"{num}、{title}"
