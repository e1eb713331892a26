"""jieba's tokenizer with our user dictionary, started fast.

jieba builds a prefix dictionary of 500,000 entries from its word list (about 1.5 s) and
caches it in the system temporary folder as a marshal file that still takes 0.5 s to read.
Here the prefix dictionary, user words included, is cached once in the user's cache folder
(``$XDG_CACHE_HOME/xxgk-extractor``, else ``~/.cache/xxgk-extractor``; never /tmp) as a
pickle, which loads in well under half that time; the file name carries a digest of jieba's
version, its word list and our user dictionary, so a change to any of them builds it anew.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from .vocab import DATA

USER_DICT = DATA / "userdict.txt"
CACHE_FORMAT = 1  # bump when what the cache holds changes


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


def load_tokenizer() -> Any:
    """A ``jieba.Tokenizer`` holding jieba's dictionary and ours, from the cache when it can."""
    jieba = import_jieba()
    tokenizer = jieba.Tokenizer()
    path = _cache_path(jieba, tokenizer.dictionary or os.path.join(os.path.dirname(jieba.__file__),
                                                                   jieba.DEFAULT_DICT_NAME))
    try:
        with open(path, "rb") as f:
            tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab, force_split = pickle.load(f)
    except Exception:  # no cache yet, or one we cannot read: build it
        return _build(jieba, tokenizer, path)
    for word in force_split:  # what load_userdict does beyond the dictionary (words of frequency 0)
        jieba.finalseg.add_force_split(word)
    tokenizer.initialized = True
    return tokenizer


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
        pass  # no cache folder we can write: the tokenizer still works, built each run
    return tokenizer


def _user_words() -> list[str]:
    return [line.split()[0] for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.strip()]
