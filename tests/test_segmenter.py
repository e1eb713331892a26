"""jieba's prefix dictionary is cached in the user cache folder and gives the same tokens."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = (
    "from extractor.segmenter import load_tokenizer\n"
    "t = load_tokenizer()\n"
    "print('/'.join(t.lcut('本年度共收到政府信息公开申请12件，依申请公开办理完毕', HMM=False)))\n"
)


def _run(cache: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                          check=True, timeout=300).stdout


def test_prefix_dictionary_cached_in_user_cache_folder(tmp_path: Path) -> None:
    built = _run(tmp_path)  # builds the dictionary and writes the cache
    cached = list((tmp_path / "xxgk-extractor").glob("prefix-dict-*.pickle"))
    assert len(cached) == 1
    assert _run(tmp_path) == built  # read back from the cache: the same tokens
    assert "政府信息公开" in built.split("/")  # a word of our user dictionary is one token


def test_clauses_cut_from_the_index_match_the_whole_dictionary(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The shared tokenizer's first clauses are cut with only the entries looked up in the
    SQLite index; every clause of the bundled reports gets the tokens of the whole dictionary."""
    import re

    from extractor import segmenter

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = segmenter.load_tokenizer()  # builds the pickle and the index
    assert list((tmp_path / "xxgk-extractor").glob("prefix-dict-*.sqlite"))
    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for d in ("dev", "dev2", "seed") for p in sorted((root / "evals" / d).glob("*.txt"))]
    clauses = sorted({c for t in texts for c in re.split(r"[，,。；;：:\n]", t) if c.strip()})
    clauses.append("政府信息公开ABC工作2024年abc１２３ 共计" * 3)  # mixed scripts, longer than any word
    assert len(clauses) > 1000
    shared = segmenter.SharedTokenizer()
    monkeypatch.setattr(segmenter, "LOAD_WHOLE_AFTER", len(clauses))
    for clause in clauses:
        assert shared.lcut(clause, HMM=False) == whole.lcut(clause, HMM=False), clause
    assert shared._whole is None  # all of them were cut from the index
    shared.lcut("依申请公开", HMM=False)  # one past the limit: the whole dictionary is loaded now
    assert shared._whole is not None and shared._index is None


def test_clauses_prefetched_together_match_the_whole_dictionary(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A document's clauses looked up in one go are cut as the whole dictionary cuts them, and
    cutting them queries the index no more."""
    from extractor import segmenter

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = segmenter.load_tokenizer()
    clauses = ["本年度共收到政府信息公开申请", "依申请公开办理完毕", "“上海科技”微信公众号共编发文章",
               "政府信息公开ABC工作2024年abc１２３ 共计" * 3, "其中原创文章"]
    shared = segmenter.SharedTokenizer()
    shared.prefetch(clauses)
    db = shared._index[0]
    queries: list[str] = []
    db.set_trace_callback(queries.append)
    assert [shared.lcut(c, HMM=False) for c in clauses] == [whole.lcut(c, HMM=False) for c in clauses]
    assert queries == [] and shared._whole is None
    shared.lcut("结转下年度继续办理", HMM=False)  # not prefetched: looked up on its own
    assert queries


def test_a_later_document_asks_only_for_pieces_not_asked_before(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What the index answered is kept for the run's later clauses: a document whose clauses were
    all seen asks nothing, one with a new word asks only for its new pieces; the tokens are the
    whole dictionary's either way, and after ``forget_lookups`` everything is asked again."""
    from extractor import segmenter

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = segmenter.load_tokenizer()
    first = ["本年度共收到政府信息公开申请", "依申请公开办理完毕"]
    later = ["本年度共收到政府信息公开申请", "结转下年度继续办理"]
    shared = segmenter.SharedTokenizer()
    shared.prefetch(first)
    asked: list[str] = []
    shared._index[0].set_trace_callback(asked.append)
    shared.prefetch(first)
    assert asked == []
    shared.prefetch(later)
    pieces = [p for q in asked for p in re.findall(r"'([^']*)'", q)]
    assert "结" in pieces and "政" not in pieces and "办" not in pieces  # 办 was asked for with 办理完毕
    assert all(p in whole.FREQ for p in pieces if len(p) > 1)  # a longer piece is asked for only when it is an entry
    assert [shared.lcut(c, HMM=False) for c in first + later] == [whole.lcut(c, HMM=False) for c in first + later]
    asked.clear()
    shared.forget_lookups()
    shared.prefetch(first)
    assert asked


def test_clauses_cut_as_jieba_cuts_them(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The shared tokenizer cuts a clause without HMM by jieba's steps of its own: the tokens are
    jieba's for every clause and 3-, 11- and 30-character window of the bundled reports (Chinese,
    letters, digits, spaces, line ends and punctuation mixed) and for a few made-up ones."""
    import re

    from extractor import segmenter

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = segmenter.load_tokenizer()
    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for d in ("dev", "dev2", "full", "seed") for p in sorted((root / "evals" / d).glob("*.txt"))]
    clauses = {c for t in texts for c in re.split(r"[，,。；;：:\n]", t)}
    clauses |= {t[i:i + w] for t in texts for i in range(0, len(t), 11) for w in (3, 11, 30)}
    clauses |= {"", " ", "\r\n", "ABC2024年abc１２３ 共计", "a b\tc", "A股和GDP增长了B超T恤a", "X光3D片", "政府信息公开ABC工作2024年abc１２３ 共计" * 3, "C++与C#的%占比"}
    assert len(clauses) > 10000
    for clause in sorted(clauses):
        assert segmenter._cut_no_hmm(whole.FREQ, whole.total, clause) == whole.lcut(clause, HMM=False), clause


def test_a_new_cache_removes_other_dictionaries_caches_but_the_most_recently_used(tmp_path: Path) -> None:
    """Each install or user-dictionary change writes its own 16 MB cache into the shared folder:
    building one keeps the three most recently used of the others (pickle and index) and
    removes the rest; reading a cache marks it used."""
    import time

    from extractor.segmenter import OTHER_CACHES_KEPT

    folder = tmp_path / "xxgk-extractor"
    folder.mkdir()
    now = time.time()
    others = []
    for age_days in range(6):  # another install's caches, used 0 to 5 days ago
        pickle_file = folder / f"prefix-dict-other{age_days:011d}.pickle"
        for f in (pickle_file, pickle_file.with_suffix(".sqlite")):
            f.write_bytes(b"x")
            os.utime(f, (now - age_days * 86400 - 60, now - age_days * 86400 - 60))
        others.append(pickle_file)
    _run(tmp_path)  # builds this install's cache
    ours = [p for p in folder.glob("prefix-dict-*.pickle") if p not in others]
    assert len(ours) == 1
    kept = others[:OTHER_CACHES_KEPT]
    assert [p for p in others if p.exists()] == kept
    assert [p for p in others if p.with_suffix(".sqlite").exists()] == kept

    os.utime(ours[0], (now - 10 * 86400, now - 10 * 86400))  # ours, last used ten days ago
    _run(tmp_path)  # read from the cache: marked used
    assert ours[0].stat().st_mtime > now - 3600
    assert [p for p in others if p.exists()] == kept  # reading removes nothing


def test_caches_other_installs_use_now_are_kept_however_many(tmp_path: Path) -> None:
    """Several venvs or CI jobs running at once each use their own cache: a new one removes none
    used within the hour (before, the fourth install removed a running one's cache, and each new
    process of that install built it again or loaded the whole dictionary)."""
    import time

    folder = tmp_path / "xxgk-extractor"
    folder.mkdir()
    now = time.time()
    others = []
    for minutes in range(6):  # six other installs, each used a few minutes ago
        pickle_file = folder / f"prefix-dict-busy{minutes:012d}.pickle"
        for f in (pickle_file, pickle_file.with_suffix(".sqlite")):
            f.write_bytes(b"x")
            os.utime(f, (now - minutes * 300 - 60, now - minutes * 300 - 60))
        others.append(pickle_file)
    stale = folder / "prefix-dict-stale0000000.pickle"  # and one not used for two days
    stale.write_bytes(b"x")
    os.utime(stale, (now - 2 * 86400, now - 2 * 86400))
    _run(tmp_path)  # builds this install's cache
    assert all(p.exists() and p.with_suffix(".sqlite").exists() for p in others)
    assert not stale.exists()
