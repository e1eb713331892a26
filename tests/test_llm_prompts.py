"""Prompts as versioned files: golden renderings and the loader's refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor import extract
from extractor.llm.prompts import PromptError, available, load_prompt
from extractor.llm.request import build_request

DATA = Path(__file__).parent / "data" / "llm"
UPDATE = os.environ.get("XXGK_UPDATE_GOLDEN") == "1"
RELEASED = [(task, v) for task, versions in available().items() for v in versions]


def render_all(messages: list[dict[str, str]]) -> str:
    return "".join(f"=== {m['role']} ===\n{m['content']}\n" for m in messages)


def check_golden(name: str, got: str, *, rewritable: bool = False) -> None:
    """A prompt's golden is written once, for a new version, and never rewritten; the sample
    requests (which also show what the rules left open) may be regenerated."""
    path = DATA / name
    if UPDATE and (rewritable or not path.exists()):
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: a new prompt version needs one (XXGK_UPDATE_GOLDEN=1)"
    assert got == path.read_text(encoding="utf-8")


def test_the_released_prompts():
    assert ("fill_ambiguous", 1) in RELEASED and ("fill_all", 1) in RELEASED


@pytest.mark.parametrize(("task", "version"), RELEASED)
def test_each_prompt_renders_as_its_golden_file(task, version):
    prompt = load_prompt(task, version)
    values = {name: f"<{name}>" for name in sorted(prompt.variables)}
    check_golden(f"{task}.v{version}.golden.txt", render_all(prompt.render(**values)))


@pytest.mark.parametrize("mode", ["ambiguous", "all"])
def test_the_request_for_the_sample_report(mode):
    """What is sent for tests/data/llm/sample.txt: candidates, definitions, settled keys."""
    text = (DATA / "sample.txt").read_text(encoding="utf-8")
    request = build_request(extract(text), text, mode, version=1)
    check_golden(f"sample.{mode}.v1.golden.txt", render_all(request.messages), rewritable=True)


def test_newest_version_by_default():
    assert load_prompt("fill_ambiguous").version == max(available()["fill_ambiguous"])


def test_unknown_name_or_version_fails():
    with pytest.raises(PromptError, match="unknown prompt 'fill_everything'"):
        load_prompt("fill_everything")
    with pytest.raises(PromptError, match="no version 99"):
        load_prompt("fill_ambiguous", 99)


def test_missing_or_unknown_variables_fail():
    prompt = load_prompt("fill_ambiguous", 1)
    values = {name: "x" for name in prompt.variables}
    with pytest.raises(PromptError, match=r"missing \['sentences'\]"):
        prompt.render(**{k: v for k, v in values.items() if k != "sentences"})
    with pytest.raises(PromptError, match=r"unknown \['extra'\]"):
        prompt.render(**values, extra="x")


def test_malformed_prompt_files_fail(tmp_path):
    (tmp_path / "broken.v1.toml").write_text('system = "costs $ 5"\nuser = "$text"\n', encoding="utf-8")
    (tmp_path / "partial.v1.toml").write_text('system = "only a system part"\n', encoding="utf-8")
    with pytest.raises(PromptError, match="lone"):
        load_prompt("broken", directory=tmp_path)
    with pytest.raises(PromptError, match="exactly 'system' and 'user'"):
        load_prompt("partial", directory=tmp_path)


def test_a_new_prompt_version_is_sent_only_once_the_code_names_it(tmp_path, monkeypatch):
    """A prompts/<task>.v2.toml beside v1 changes no request: each mode's version is pinned in
    code (request.PROMPTS), so results, cache keys and evals stay those of v1."""
    from extractor.llm.prompts import prompts_dir
    from extractor.llm.request import PROMPTS

    text = (DATA / "sample.txt").read_text(encoding="utf-8")
    report = extract(text)
    before = {mode: build_request(report, text, mode) for mode in ("ambiguous", "all")}
    for item in prompts_dir().iterdir():
        if item.name.endswith(".toml"):
            (tmp_path / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    for task, version in PROMPTS.values():  # the same prompt, reworded
        released = (tmp_path / f"{task}.v{version}.toml").read_text(encoding="utf-8")
        assert released.count('system = """') == 1
        newer = released.replace('system = """', 'system = """\nA NEWER PROMPT.')
        (tmp_path / f"{task}.v{version + 1}.toml").write_text(newer, encoding="utf-8")
    monkeypatch.setenv("XXGK_PROMPTS_DIR", str(tmp_path))
    assert available()["fill_ambiguous"] == [1, 2]  # the new file is there…
    for mode, request in before.items():
        after = build_request(report, text, mode)
        assert after.prompt.id == request.prompt.id == f"{PROMPTS[mode][0]}.v1"  # …and not sent
        assert after.messages == request.messages
        assert "A NEWER PROMPT" not in render_all(after.messages)
    asked = build_request(report, text, "ambiguous", version=2)  # until the code asks for it
    assert asked.prompt.id == "fill_ambiguous.v2" and "A NEWER PROMPT" in render_all(asked.messages)
