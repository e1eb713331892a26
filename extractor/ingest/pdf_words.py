"""pdfplumber's plain reading of characters into words and lines, without its maps.

``pdfplumber.utils.extract_text`` and ``chars_to_textmap(...).extract_text_lines()`` (plain,
not layout; default settings) build a word map, a text map of one entry per letter and, for
lines, a regular-expression search over it: most of the PDF reader's time once characters come
from PDFium. For upright characters the result is simple, and is built here directly:

* lines of characters: ``top`` values chained within ``y_tolerance`` (pdfplumber's
  ``cluster_objects``), in the order of their values, characters in their given order;
* words: a line's characters by ``x0``; a word ends at a blank character, and a character
  left of the one before, more than ``x_tolerance`` after its end or more than ``y_tolerance``
  above or below it starts a new one; ligatures are written out (ﬁ → fi);
* lines of words: words chained again by their ``top`` (over all words), then, for
  ``extract_text``, grouped by line in that order, and for text lines, consecutive words of one
  line together (pdfplumber keeps the words' order there); words joined by a space.

None for characters this does not cover (not upright, an empty text): the caller asks
pdfplumber. ``tests/test_pdf_backends.py`` checks both against pdfplumber's on every page and
cell we have and on random characters.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from pdfplumber.utils.text import LIGATURES

Word = tuple[float, list[dict]]  # top, characters
_X0, _X1, _TOP, _BOTTOM = itemgetter("x0"), itemgetter("x1"), itemgetter("top"), itemgetter("bottom")
_TEXT = itemgetter("text")
_WRITTEN_OUT = str.maketrans({k: v for k, v in LIGATURES.items() if len(k) == 1})


def plain_text(chars: list[dict], x_tolerance: float = 3, y_tolerance: float = 3,
               checked: bool = False) -> str | None:
    """``pdfplumber.utils.extract_text(chars, x_tolerance, y_tolerance)``. ``checked``: the
    characters are known to be ones this reads (``readable``: a table's cells, checked once)."""
    words = _words(chars, x_tolerance, y_tolerance, checked)
    if words is None:
        return None
    if len(words) == 1:  # one word is one line (most cells)
        return _text(words[0])
    lines = _chained(words, lambda w: w[0], y_tolerance)
    return "\n".join(" ".join(_text(w) for w in line) for line in lines)


def text_lines(chars: list[dict], x_tolerance: float = 3, y_tolerance: float = 3) -> list[dict] | None:
    """``chars_to_textmap(chars, layout=False).extract_text_lines(strip=True, return_chars=True)``:
    each line's ``text``, ``x0``, ``top``, ``x1``, ``bottom`` and ``chars`` (a ligature's
    character once per letter, as there)."""
    words = _words(chars, x_tolerance, y_tolerance)
    if words is None:
        return None
    cluster = _cluster_ids([w[0] for w in words], y_tolerance)
    lines: list[list[Word]] = []
    last = None
    for word in words:
        if lines and cluster[word[0]] == last:
            lines[-1].append(word)
        else:
            lines.append([word])
        last = cluster[word[0]]
    out = []
    for line in lines:
        texts = [_text(w) for w in line]
        letters = [c for _, word_chars in line for c in word_chars]
        if sum(map(len, texts)) != len(letters):  # a ligature or a character of several letters
            letters = [c for c in letters for _ in LIGATURES.get(c["text"], c["text"])]
        out.append({"text": " ".join(texts), "x0": min(map(_X0, letters)),
                    "top": min(map(_TOP, letters)), "x1": max(map(_X1, letters)),
                    "bottom": max(map(_BOTTOM, letters)), "chars": letters})
    return out


def readable(chars: list[dict]) -> bool:
    """Whether these characters are read here (upright, each with a text and no line break);
    else the caller asks pdfplumber."""
    return not any(not c["upright"] or not c["text"] or "\n" in c["text"] for c in chars)


def _words(chars: list[dict], x_tolerance: float, y_tolerance: float, checked: bool = False) -> list[Word] | None:
    if not checked and not readable(chars):
        return None
    words: list[Word] = []
    last_x0 = last_x1 = last_top = 0.0  # the word's last character's (read once a character)
    for line in _chained(chars, _TOP, y_tolerance):
        word: list[dict] = []
        for char in sorted(line, key=_X0):
            if char["text"].isspace():
                word = _close(word, words)
                continue
            x0, top = char["x0"], char["top"]
            if word and (x0 < last_x0 or x0 > last_x1 + x_tolerance or abs(top - last_top) > y_tolerance):
                word = _close(word, words)
            word.append(char)
            last_x0, last_x1, last_top = x0, char["x1"], top
        _close(word, words)
    return words


def _close(word: list[dict], words: list[Word]) -> list[dict]:
    if word:
        words.append((min(map(_TOP, word)), word))
    return []


def _text(word: Word) -> str:
    text = "".join(map(_TEXT, word[1]))
    if len(text) == len(word[1]):  # one letter a character: ligatures written out in one pass
        return text.translate(_WRITTEN_OUT)
    return "".join(LIGATURES.get(c["text"], c["text"]) for c in word[1])


def _cluster_ids(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: distinct values sorted, chained within ``tolerance``."""
    cluster: dict[float, int] = {}
    n, last = -1, None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            n += 1
        cluster[v] = n
        last = v
    return cluster


def _chained(items: list, key: Callable[[Any], float], tolerance: float) -> list[list]:
    """pdfplumber's ``cluster_objects``: the groups in the order of their values, each in the
    order of ``items``."""
    keys = list(map(key, items))
    if keys and max(keys) <= min(keys) + tolerance:  # one group (every value chains to the next)
        return [items]  # (the callers read the groups, never change them)
    cluster = _cluster_ids(keys, tolerance)
    groups: dict[int, list] = {}
    for x, k in zip(items, keys, strict=True):
        groups.setdefault(cluster[k], []).append(x)
    return [groups[k] for k in sorted(groups)]
