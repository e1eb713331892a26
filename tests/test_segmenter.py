"""jieba's prefix dictionary is cached in the user cache folder and gives the same tokens."""

from __future__ import annotations

import os
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
