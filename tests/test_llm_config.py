"""LLM configuration from flags and environment variables; grounding as real examples."""

from __future__ import annotations

import pytest

from extractor import extract
from extractor.llm import LLMConfig, LLMConfigError
from extractor.llm.candidates import find_candidates
from extractor.llm.grounding import Grounder
from extractor.llm.schema import Assignment
from extractor.llm.tokens import estimate_tokens
from extractor.sections import split_sections


def test_defaults_are_off_and_need_nothing():
    config = LLMConfig.from_env(env={})
    assert config.mode == "off" and not config.enabled


def test_project_variables_win_over_openai_ones_and_flags_over_both():
    env = {"OPENAI_BASE_URL": "https://api.openai.com/v1", "OPENAI_API_KEY": "sk-openai",
           "XXGK_LLM_BASE_URL": "https://api.deepseek.com", "XXGK_LLM_API_KEY": "sk-deepseek",
           "XXGK_LLM_MODEL": "deepseek-chat", "XXGK_LLM_TIMEOUT": "5", "XXGK_CACHE_DIR": "/tmp/x"}
    config = LLMConfig.from_env("ambiguous", env=env)
    assert (config.base_url, config.api_key, config.model, config.timeout) == (
        "https://api.deepseek.com", "sk-deepseek", "deepseek-chat", 5.0)
    assert str(config.cache_path()) == "/tmp/x"
    config = LLMConfig.from_env("all", model="qwen-plus", base_url="http://localhost:11434/v1", env=env)
    assert (config.base_url, config.model) == ("http://localhost:11434/v1", "qwen-plus")
    only_openai = LLMConfig.from_env("ambiguous", model="gpt-4o-mini",
                                     env={"OPENAI_BASE_URL": "https://x/v1", "OPENAI_API_KEY": "sk-o"})
    assert (only_openai.base_url, only_openai.api_key) == ("https://x/v1", "sk-o")


def test_bad_settings_are_refused():
    with pytest.raises(LLMConfigError, match="needs a model"):
        LLMConfig.from_env("ambiguous", env={})
    with pytest.raises(LLMConfigError, match="unknown LLM mode"):
        LLMConfig(mode="some", model="m")  # type: ignore[arg-type]
    with pytest.raises(LLMConfigError, match="must be a number"):
        LLMConfig.from_env("all", model="m", env={"XXGK_LLM_TIMEOUT": "soon"})


def test_the_key_is_redacted_and_not_in_repr_or_cache_identity():
    config = LLMConfig(mode="all", model="m", base_url="https://user:pw@host/v1", api_key="sk-SECRET-1234")
    assert "sk-SECRET" not in repr(config)
    assert config.endpoint == "https://***@host/v1"
    assert config.redact("401: key sk-SECRET-1234 is invalid") == "401: key *** is invalid"


# ---------------------------------------------------------------- grounding, as real examples
TEXT = (
    "2024年政府信息公开工作年度报告\n\n一、总体情况\n\n"
    "全年通过政府网站发布信息300条，通过政务微博发布信息50条。"
    "全年共办理政府信息公开申请43件。本机关不掌握相关政府信息26项，没有现成信息需要另行制作9项。"
    "申请按期答复率100%。本年度未收取任何费用。\n"
)


def ground(assignment: dict, text: str = TEXT):
    report = extract(text)
    sections = split_sections(text)
    candidates = find_candidates(text, report, sections)
    return Grounder(text, sections, candidates, [(0, len(text))]).ground(Assignment(**assignment))


@pytest.mark.parametrize(("assignment", "kept"), [
    # one figure, quoted
    ({"field": "requests.completed", "value": 43, "quotes": ["办理政府信息公开申请43件"]}, (43, ["43件"])),
    # parts of one figure add up (fields.md: 26 + 9 → 35)
    ({"field": "requests.unable_to_provide", "value": 35, "quotes": ["本机关不掌握相关政府信息26项", "没有现成信息需要另行制作9项"]},
     (35, ["26项", "9项"])),
    # a statement of none
    ({"field": "fees.collected", "value": 0, "quotes": ["本年度未收取任何费用"]}, (0, ["本年度未收取任何费用"])),
    # a percentage
    ({"field": "requests.on_time_rate", "value": 100, "quotes": ["申请按期答复率100%"]}, (100, ["100%"])),
])
def test_grounded_values_are_kept(assignment, kept):
    g = ground(assignment)
    assert not isinstance(g, str), g
    assert (g.value, [e.text for e in g.evidence]) == kept


@pytest.mark.parametrize(("assignment", "reason"), [
    # a total is never invented from its channels
    ({"field": "proactive.total", "value": 350, "quotes": ["通过政府网站发布信息300条，通过政务微博发布信息50条"]},
     "value not in the cited text"),
    # a number the text does not write
    ({"field": "requests.completed", "value": 44, "quotes": ["办理政府信息公开申请43件"]}, "value not in the cited text"),
    # a figure of something else: 100% is not a count of requests
    ({"field": "requests.completed", "value": 100, "quotes": ["按期答复率100%"]}, "figure does not fit the key"),
    # a quote the text does not hold
    ({"field": "requests.completed", "value": 43, "quotes": ["办结申请43件"]}, "cites nothing"),
    # 0 without a statement of none about the key
    ({"field": "review.total", "value": 0, "quotes": ["本年度未收取任何费用"]}, "value not in the cited text"),
])
def test_ungrounded_values_are_dropped(assignment, reason):
    g = ground(assignment)
    assert isinstance(g, str) and g.startswith(reason)


def test_token_estimate():
    assert estimate_tokens("收到申请43件") == 6
    assert estimate_tokens("hello world") == 4
