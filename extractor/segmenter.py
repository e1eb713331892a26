"""jieba's tokenizer with our user dictionary, started fast.

jieba builds a prefix dictionary of 500,000 entries from its word list (about 1.5 s) and
caches it in the system temporary folder as a marshal file that still takes 0.5 s to read.
Here the prefix dictionary, user words included, is cached once in the user's cache folder
(``$XDG_CACHE_HOME/xxgk-extractor``, else ``~/.cache/xxgk-extractor``; never /tmp) as a
pickle, which loads in well under half that time; the file name carries a digest of jieba's
version, its word list and our user dictionary, so a change to any of them builds it anew.

Even that load (0.15 s) is most of a cold start for one small file, which segments a few dozen
clauses. So beside the pickle the same entries are kept in an SQLite index, and
``SharedTokenizer`` first cuts each clause with only the entries it can look up (the substrings
of the clause jieba's DAG asks for, so the tokens are the same), and loads the whole dictionary
once that many clauses have been cut that the lookups would cost more than the load
(``LOAD_WHOLE_AFTER``). A caller that knows a document's clauses in advance looks them all up at
once (``prefetch``): each query costs a few microseconds besides its entries. What the index
answered is kept for the run's later clauses, which then ask only for pieces not asked before.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable
from math import log
from pathlib import Path
from typing import Any

from .vocab import DATA

USER_DICT = DATA / "userdict.txt"
CACHE_FORMAT = 2  # bump when what the cache holds changes (2: the index names each entry's next characters)
# Clauses cut by index lookups (about 60 µs each) before the whole dictionary (0.15 s) is loaded.
LOAD_WHOLE_AFTER = 2000
_SQL_VARIABLES = 900  # placeholders per lookup query (SQLite's oldest limit is 999)
_LONGEST_WORD = 16  # characters of the longest dictionary entry looked up
_INDEX_MAP_BYTES = 64 << 20  # the index is read through a memory map of up to this many bytes
# Every install, upgrade or user-dictionary change writes a cache of its own (16 MB with its
# index) into the one cache folder, which other installs of the package share (a second venv,
# a CI run): a new cache removes the others but the most recently used few.
OTHER_CACHES_KEPT = 3
# A cache used within the hour is kept whatever their number: another install on the machine is
# running with it (several venvs or CI jobs at once would otherwise remove each other's caches,
# and every new process would build its cache again or load the whole dictionary)
IN_USE_SECONDS = 3600.0
_USED_EVERY = 600.0  # a cache's file time is set anew when read, at most every ten minutes


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "xxgk-extractor"


def import_jieba() -> Any:
    """jieba, imported without pkg_resources (0.4 s to import, deprecated): jieba falls back
    to opening its data files directly when pkg_resources cannot be imported."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _cache_path(jieba: Any, dictionary: str) -> Path:
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT} {jieba.__version__} {sys.version_info[:2]}".encode())
    stat = os.stat(dictionary)
    digest.update(f"{dictionary} {stat.st_size} {stat.st_mtime_ns}".encode())
    digest.update(USER_DICT.read_bytes())
    return cache_dir() / f"prefix-dict-{digest.hexdigest()[:16]}.pickle"


def _default_cache_path(jieba: Any, tokenizer: Any) -> Path:
    return _cache_path(jieba, tokenizer.dictionary or os.path.join(os.path.dirname(jieba.__file__),
                                                                   jieba.DEFAULT_DICT_NAME))


def load_tokenizer() -> Any:
    """A ``jieba.Tokenizer`` holding jieba's dictionary and ours, from the cache when it can."""
    jieba = import_jieba()
    tokenizer = jieba.Tokenizer()
    path = _default_cache_path(jieba, tokenizer)
    try:
        with open(path, "rb") as f:
            tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab, force_split = pickle.load(f)
    except Exception:  # no cache yet, or one we cannot read: build it
        return _build(jieba, tokenizer, path)
    for word in force_split:  # what load_userdict does beyond the dictionary (words of frequency 0)
        jieba.finalseg.add_force_split(word)
    tokenizer.initialized = True
    _mark_used(path)
    if not _index_path(path).exists():  # a cache from before the index: add it for the next run
        _write_index(tokenizer, _index_path(path))
    return tokenizer


def _mark_used(path: Path) -> None:
    """Set the cache's file time to now (at most once a day): what "recently used" means to
    ``_prune_other_caches``."""
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > _USED_EVERY:
            os.utime(path)


def _prune_other_caches(kept: Path) -> None:
    """Remove the caches (pickle and index) of other dictionaries but the ``OTHER_CACHES_KEPT``
    most recently used and those used within ``IN_USE_SECONDS``; a file another process removes
    first is no error."""
    dated: list[tuple[float, Path]] = []
    for other in kept.parent.glob("prefix-dict-*.pickle"):
        if other != kept:
            with contextlib.suppress(OSError):
                dated.append((other.stat().st_mtime, other))
    dated.sort(reverse=True)
    recent = time.time() - IN_USE_SECONDS
    for used, old in dated[OTHER_CACHES_KEPT:]:
        if used > recent:
            continue
        for stale in (old, _index_path(old)):
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)


def _index_path(pickle_path: Path) -> Path:
    return pickle_path.with_suffix(".sqlite")


def _write_index(tokenizer: Any, path: Path) -> None:
    """The prefix dictionary as an SQLite table (word → frequency, and the characters that extend
    it to another entry) and its total, written atomically."""
    following: dict[str, str] = {}
    for word in tokenizer.FREQ:
        if len(word) > 1:  # its prefix is an entry too (the prefix dictionary holds every prefix)
            prefix = word[:-1]
            following[prefix] = following.get(prefix, "") + word[-1]  # each word once: no character twice
    rows = ((word, n, following.get(word, "")) for word, n in tokenizer.FREQ.items())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL, next TEXT NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE total (n INTEGER NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?, ?)", rows)
            db.execute("INSERT INTO total VALUES (?)", (tokenizer.total,))
            db.commit()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        pass  # no index: the shared tokenizer loads the whole dictionary instead


@functools.lru_cache(maxsize=1)
def shared_tokenizer() -> SharedTokenizer:
    """The process's one ``SharedTokenizer`` (``.load()`` it before forking workers)."""
    return SharedTokenizer()


class SharedTokenizer:
    """``lcut`` with jieba's dictionary and ours, cheap to start: clauses are cut with the
    entries looked up in the on-disk index until ``LOAD_WHOLE_AFTER`` of them, then with the
    whole dictionary (``load``). Same tokens either way; safe to share between threads.

    What the index answered is kept for the later clauses of the run (``_entries``,
    ``_not_entries``): a run's documents share most of their words, so each asks only for the
    pieces no earlier clause asked for."""

    def __init__(self) -> None:
        self._whole: Any = None
        self._index: tuple[sqlite3.Connection, Any, int] | None = None  # connection, small tokenizer, pid
        self._looked_up = 0
        self._lock = threading.Lock()
        self._entries: dict[str, int] = {}  # pieces the index holds, with their frequencies
        self._next: dict[str, str] = {}  # the characters that extend each of these to another entry
        self._not_entries: set[str] = set()  # characters asked for that it does not hold
        self._blocks: set[str] = set()  # the blocks (``_han_blocks``) whose pieces were all asked for
        self._texts: set[str] = set()  # the texts whose blocks were all asked for (a clause cut after its prefetch)

    def load(self) -> Any:
        """The whole ``jieba.Tokenizer`` (loaded once; the index is closed then)."""
        with self._lock:
            if self._whole is None:
                self._whole = load_tokenizer()
                if self._index is not None:
                    self._index[0].close()
                    self._index = None
                self.forget_lookups()
            return self._whole

    def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 — jieba's keyword
        whole = self._whole
        if whole is not None:  # the usual case in a batch: no lock
            return _lcut(whole, text, HMM)
        if not HMM and self._looked_up < LOAD_WHOLE_AFTER:
            with self._lock:
                small = self._small_tokenizer(() if text in self._texts else (text,))
                if small is not None:
                    self._looked_up += 1
                    return _lcut(small, text, False)
        return _lcut(self.load(), text, HMM)

    @property
    def looks_up(self) -> bool:
        """Whether clauses are still cut from entries looked up in the index (``prefetch`` pays)."""
        return self._whole is None and self._looked_up < LOAD_WHOLE_AFTER

    def prefetch(self, texts: Iterable[str]) -> None:
        """Look up the entries of all ``texts`` in one go (one document's clauses), so that
        ``lcut(…, HMM=False)`` of any of them queries nothing more; nothing to do once the whole
        dictionary is loaded (or will be before these are cut)."""
        if not self.looks_up:
            return
        with self._lock:
            self._small_tokenizer(texts)

    def forget_lookups(self) -> None:
        """Forget what the index answered (a memo, like the other caches of a run)."""
        self._entries = {}
        self._next = {}
        self._not_entries = set()
        self._blocks = set()
        self._texts = set()

    def _small_tokenizer(self, texts: Iterable[str]) -> Any:
        """A tokenizer holding every dictionary entry jieba's DAG asks for in ``texts`` (and those
        of the clauses before them); None when there is no index to read."""
        index = self._open_index()
        if index is None:
            return None
        db, small, _ = index
        if not self._look_up(db, texts):
            return None
        small.FREQ = self._entries  # more entries than the clause needs: the DAG asks only for its own
        return small

    def _look_up(self, db: sqlite3.Connection, texts: Iterable[str]) -> bool:
        """Ask the index for the entries of ``texts`` as far as jieba's DAG reaches, but those asked
        for before; False when it cannot be read. The DAG is built in each block of Chinese
        characters, letters and digits (``_han_blocks``), never across two. It extends a word from
        each start only while the longer piece is an entry (the prefix dictionary holds every
        prefix of every word): from each start the pieces are read on while they are known
        entries, up to one not known, which is asked for with the others of its round (up to the
        longest word, 16 characters). Whether a longer piece is an entry at all is told by the
        shorter one's next characters: only entries are asked for (and single characters)."""
        texts = set(texts)
        blocks = {block for text in texts for block in _han_blocks(text)} - self._blocks
        waiting = [(block, 0, 1) for block in blocks]  # a start, the length to read next (first: every start)
        every_start = True
        while waiting:
            unknown, waiting = self._unknown_pieces(waiting, every_start)
            every_start = False
            if not unknown:
                break
            pieces = list(unknown)
            try:
                for i in range(0, len(pieces), _SQL_VARIABLES):
                    chunk = pieces[i:i + _SQL_VARIABLES]
                    for word, n, following in db.execute(
                            f"SELECT word, n, next FROM freq WHERE word IN ({','.join('?' * len(chunk))})", chunk):
                        self._entries[word] = n
                        self._next[word] = following
            except sqlite3.Error:
                return False
            self._not_entries.update(piece for piece in pieces if piece not in self._entries)
        self._blocks |= blocks
        self._texts |= texts
        return True

    def _unknown_pieces(self, starts: list[tuple[str, int, int]], every_start: bool = False
                        ) -> tuple[set[str], list[tuple[str, int, int]]]:
        """From each (block, start, length) — or, with ``every_start``, from every start of each
        block — the pieces read on while they are known entries: the first piece not known at
        each start, and the starts that wait for it. A piece one longer than an entry is an entry
        only if its last character is among the entry's next ones."""
        entries, following, not_entries = self._entries, self._next, self._not_entries
        unknown: set[str] = set()
        waiting = []
        for block, first, length in starts:
            n = len(block)
            for k in range(first, n) if every_start else (first,):
                last = k + _LONGEST_WORD if k + _LONGEST_WORD < n else n
                end = k + length
                while end <= last:
                    piece = block[k:end]
                    if piece in entries:
                        if end < last and block[end] not in following[piece]:
                            break  # the longer piece is no entry: the DAG stops here
                        end += 1
                        continue
                    if piece not in not_entries:
                        unknown.add(piece)
                        waiting.append((block, k, end - k))
                    break
        return unknown, waiting

    def _open_index(self) -> tuple[sqlite3.Connection, Any, int] | None:
        if self._index is not None and self._index[2] == os.getpid():
            return self._index
        self._index = None  # none yet, or one opened before a fork: never share a connection
        jieba = import_jieba()
        small = jieba.Tokenizer()
        cache = _default_cache_path(jieba, small)  # a digest of the user dictionary: made once
        path = _index_path(cache)
        if not path.exists():
            return None
        try:
            # immutable: the index is never written in place (a new one replaces the file), so
            # SQLite need not lock it nor check it for changes at each query
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            # pages read from the mapped file, not copied in by a read call each (the index is
            # 9 MB; SQLite's own page cache holds 2 MB of it)
            db.execute(f"PRAGMA mmap_size={_INDEX_MAP_BYTES}")
            small.total = db.execute("SELECT n FROM total").fetchone()[0]
        except (sqlite3.Error, TypeError):
            return None
        small.initialized = True
        _mark_used(cache)
        self._index = (db, small, os.getpid())
        return self._index


def _han_blocks(text: str) -> list[str]:
    """The pieces of ``text`` ``_cut_no_hmm`` cuts with the dictionary: jieba's blocks of Chinese
    characters (letters and digits with them); every other character is a token by itself."""
    han = import_jieba().re_han_default
    return [block for block in han.split(text) if block and han.match(block)]


def _lcut(tokenizer: Any, text: str, hmm: bool) -> list[str]:
    """``tokenizer.lcut(text, HMM=hmm)``; without HMM (every subject) by ``_cut_no_hmm``."""
    if hmm:
        return tokenizer.lcut(text, HMM=True)
    return _cut_no_hmm(tokenizer.FREQ, tokenizer.total, text)


def _cut_no_hmm(freq: dict[str, int], total: int, sentence: str) -> list[str]:
    """jieba's ``cut(sentence, HMM=False)`` step for step, with its own patterns, without its
    layers of generators: blocks of its Chinese characters (letters and digits with them) are
    cut by ``_cut_block``; in the rest a space or line end is a token, any other character too."""
    jieba = import_jieba()
    han, skip = jieba.re_han_default, jieba.re_skip_default
    tokens: list[str] = []
    for block in han.split(sentence):
        if not block:
            continue
        if han.match(block):
            tokens += _cut_block(freq, total, block, jieba.re_eng)
            continue
        for piece in skip.split(block):
            if skip.match(piece):
                tokens.append(piece)
            else:
                tokens.extend(piece)
    return tokens


def _cut_block(freq: dict[str, int], total: int, block: str, english: re.Pattern[str]) -> list[str]:
    """jieba's ``__cut_DAG_NO_HMM`` of one block, in one pass from the end back: the words from
    each start (``get_DAG``: extended while the piece is an entry, kept when its frequency is not
    0, else the character alone) weighed as ``calc`` weighs them (the same sums in the same order;
    on equal weight the later end wins, as jieba's max over (weight, end) has it); then the route,
    single letters and digits run together into one token."""
    n = len(block)
    logtotal = log(total)
    weight: list[float] = [0] * (n + 1)
    end = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        best, best_end = None, k
        i, frag = k, block[k]
        while i < n and frag in freq:
            if freq[frag]:
                w = log(freq[frag]) - logtotal + weight[i + 1]
                if best is None or w >= best:
                    best, best_end = w, i
            i += 1
            frag = block[k:i + 1]
        if best is None:  # no word starts here: the character alone (jieba weighs it log(freq or 1))
            best = log(freq.get(block[k]) or 1) - logtotal + weight[k + 1]
        weight[k], end[k] = best, best_end
    tokens, run, x = [], "", 0
    while x < n:
        word = block[x:end[x] + 1]
        x = end[x] + 1
        if len(word) == 1 and english.match(word):
            run += word
            continue
        if run:
            tokens.append(run)
            run = ""
        tokens.append(word)
    if run:
        tokens.append(run)
    return tokens


def _build(jieba: Any, tokenizer: Any, path: Path) -> Any:
    # jieba's own build, without its marshal cache in /tmp (ours replaces it)
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    with USER_DICT.open("rb") as f:  # a file, not a path: works from a zip install too
        tokenizer.load_userdict(f)
    force_split = [w for w in _user_words() if tokenizer.FREQ.get(w) == 0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab, force_split), f,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the new, never half
    except OSError:
        return tokenizer  # no cache folder we can write: the tokenizer still works, built each run
    _write_index(tokenizer, _index_path(path))
    _prune_other_caches(path)
    return tokenizer


def _user_words() -> list[str]:
    return [line.split()[0] for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.strip()]
