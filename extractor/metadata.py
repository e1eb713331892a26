"""Document metadata: the issuing body, the statistics year, the level of government the body
belongs to and its region (province / city / county with the GB/T 2260 code).

The body is read, in this order, from
1. the title line (``X2023年政府信息公开工作年度报告``, also inside the opening sentence:
   ``现公布《X2023年…报告》``, ``特向社会公布2010年度X政府信息公开报告``);
2. the opening sentence of 总体情况 (``2024年，大连市医疗保障局认真贯彻…``);
3. who compiled it (``本报告由X编制``; a government's report compiled by its office
   ``由X人民政府办公室编制`` is the government's);
4. the contact paragraph (``请与X办公室联系``: the body is the name before its office).
A name is then completed: a place alone is its government (``天津市`` → 天津市人民政府), a short
form the text defines (``（以下简称“自治区北部湾办”）``) or a usual one (``市工信局``,
``区政府办``; ``data/metadata.toml``) is written in full, and a name that starts with a bare level
(``市``, ``区``) takes the place of that level the text names. Anything that cannot be completed,
or that does not read as a name, leaves the body ``null`` rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import divisions as dv
from .vocab import _load_toml

HEAD_CHARS = 3000  # the title, the opening and the contact paragraph stand in the first part
DATA = _load_toml("metadata.toml")
ABBREVIATIONS: dict[str, str] = DATA["abbreviations"]
GENERIC_LEAD: dict[str, str] = DATA["generic_lead"]
NOT_GENERIC: tuple[str, ...] = tuple(DATA["names"]["not_a_generic_lead"])
NAMES: dict[str, list[str]] = DATA["names"]
SPEAKER_LEVEL: dict[str, list[str]] = DATA["speaker_level"]
PLACE_WORD_LEVEL: dict[str, str] = DATA["place_word_level"]
_SPEAKER = {level: re.compile("|".join(map(re.escape, words))) for level, words in SPEAKER_LEVEL.items()}
# The last place word of a body's name (沐阳县人民政府 → 县), for names the table does not hold
PLACE_WORD = re.compile(
    "(" + "|".join(sorted(map(re.escape, PLACE_WORD_LEVEL), key=len, reverse=True)) + r")(?=人民政府|政府|[^省县旗盟州区市]*$)"
)

_ORG = "|".join(sorted(map(re.escape, NAMES["org_suffixes"]), key=len, reverse=True))
_HAN = r"[\u4e00-\u9fff（）()]"
# A name ends with an organisation word, or is a place alone (a place's report is its government's)
ORG_NAME = re.compile(rf"^{_HAN}*?(?:{_ORG})(?:[（(][^（）()]{{2,20}}[）)])?$")
ORG_SUFFIX_AT_END = re.compile(rf"(?:{_ORG})$")
PLACE_ONLY = re.compile(r"^[\u4e00-\u9fff]{1,20}(?:省|市|县|区|旗|乡|镇|自治区|自治州|自治县|街道|盟|地区)$")
BARE_ZONE_WORDS = frozenset(NAMES["bare_zone_words"])
NOT_A_NAME = re.compile("|".join(map(re.escape, NAMES["not_a_name"])))

# The words of a title after the year ("政府信息公开工作年度报告", "信息公开年报"; a line may break
# inside them)
_TITLE_WORDS = (r"(?:政府信息公开|政务信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:开展)?\s*(?:年度)?\s*(?:工作)?\s*"
                r"(?:(?:情况)?\s*的?\s*(?:报告|年报)|情况(?=[。，,；;]))")
# The title: "<body>2023年(度)<body>政府信息公开工作年度报告"
TITLE = re.compile(
    rf"(?P<year>(?:19|20)\d{{2}})\s*年\s*度?\s*(?P<mid>[^\n，。,；;《》]{{0,24}}?){_TITLE_WORDS}"
)
# "连云区教育局政府信息公开工作2025年度报告": the title words before the year
_WORDS_BEFORE_YEAR = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?"
_TITLE_YEAR_TAIL = rf"{_WORDS_BEFORE_YEAR}\s*" r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:工作)?(?:年度)?报告"
TITLE_YEAR_LAST = re.compile(r"(?P<body>[^\n，。,；;《》]{2,40}?)" + _TITLE_YEAR_TAIL)
# What TITLE_YEAR_LAST must end with: a text without it is not searched with the pattern, which
# tries a body of 2 to 40 characters at every position (most of metadata's time on an excerpt)
TITLE_YEAR_TAIL = re.compile(_TITLE_YEAR_TAIL)
ABOUT_AT_END = re.compile(r"\s*关于\s*$")
# What may stand before the body on the line of a title (the last of them is cut off)
TITLE_LEAD = re.compile(
    r"现予?公布|现发布|现公开|向社会公布|向社会公开|公开发布|编制并向社会公开|编制了|现编制|编制|印发|公布|发布|"
    r"全面总结|总结|结合|依据|根据|标题|题目|信息名称|文件名称|名称|关于|来源|^由|[《“\"#|:：>»]"
)
TITLE_WORDS_BEFORE_YEAR = re.compile(rf"{_WORDS_BEFORE_YEAR}$")
OPENING = re.compile(
    r"(?:(?:19|20)\d{2}\s*年度?\s*(?:以来)?|(?:领导|指导)下)\s*[,，]\s*(?P<body>[\u4e00-\u9fff（）()]{2,30}?)\s*"
    rf"(?=[（(]以下简称|{'|'.join(map(re.escape, NAMES['opening_verbs']))})"
)
COMPILED_BY = (
    # a wrapped line may cut the name ("由北京市统计局、国家统计局北京调\n查总队…编制")
    re.compile(r"由(?P<body>[^，。,；;]{2,40}?)(?:负责)?(?:编制|编写|撰写|综合)"),
    re.compile(r"本(?:年度)?报告由(?P<body>[^，。,；;\n]{2,40}?)(?:根据|依据|按照)"),
    re.compile(r"(?:^|[。\n])(?P<body>[^，。,；;\n]{2,40}?)编制了《"),
)
CONTACT = (
    re.compile(r"(?:请|直接)(?:与|和|同)(?P<body>[^，。,；;\n（(]{2,40}?)联系"),
    re.compile(r"请联系\s*[：:]?\s*(?P<body>[^，。,；;\n（(：:]{2,40}?)(?=[，。,；;（(：:]|联系电话|电话)"),
)
# "广西壮族自治区北部湾经济区规划建设管理办公室（以下简称自治区北部湾办）"
DEFINED_SHORT = re.compile(
    r"(?P<full>[\u4e00-\u9fff（）()]{4,40}?)\s*[（(]\s*(?:以下)?简称\s*[:：]?\s*[“\"《]?(?P<short>[\u4e00-\u9fff（）()]{2,20}?)"
    r"[”\"》]?\s*[）)]"
)
GOVERNMENT_OFFICE = re.compile(r"^(?P<gov>.+?人民政府)(?:办公室|办公厅)$")
STAT_PERIOD = re.compile(
    r"(?:统计|数据)[^。\n]{0,12}?(?:期限|时限|时间|期间|区间)?[^。\n]{0,6}?"
    r"(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。\n]{0,8}?(?:至|到|—|-|～|~)"
)
STAT_PERIOD_SHORT = re.compile(r"统计期限?为?\s*(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
FIRST_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
# The years a report can be for: the 条例 took effect in 2008 (国务院令第492号 of 2007 is no report year)
REPORT_YEARS = (2008, 2100)
# A township-level body: 镇、乡、街道、苏木, and a county's 管理区 (柳城县伏虎华侨管理区)
TOWNSHIP = re.compile(r"(?:镇|乡|街道|苏木|管理区)(?:人民政府|政府|办事处|党政办公室)?$|街道办事处|(?:镇|乡)人民政府")


@dataclass(frozen=True)
class Metadata:
    body: str | None
    year: int | None
    admin_level: str | None
    region: dict[str, Any] | None


def read_metadata(text: str) -> Metadata:
    """Body, year, level of government and region of one report (simplified-script text)."""
    head = text[:HEAD_CHARS]
    sightings = dv.find_names(head)
    votes = dv.support(sightings)
    body, generic_level = _read_body(head, votes)
    year = read_year(text)
    chain = _region_chain(body, votes, generic_level)
    level = admin_level(body, chain, generic_level) if body else generic_level or _speaker_level(head)
    return Metadata(body=body, year=year, admin_level=level, region=_region(chain))


def _speaker_level(head: str) -> str | None:
    """The level told by how the report speaks of itself (我镇, 我县), when only one level speaks."""
    levels = [level for level, pattern in _SPEAKER.items() if pattern.search(head)]
    return levels[0] if len(levels) == 1 else None


# --- year -----------------------------------------------------------------------------------------
def read_year(text: str) -> int | None:
    """The statistics year: the stated statistics period first (a title may carry the year of
    publication or a typo: 《…2020年报告》 over 2021年1月1日至12月31日), then the title, then the
    first year written."""
    head = text[:HEAD_CHARS]
    for pattern, within in ((STAT_PERIOD, head), (STAT_PERIOD_SHORT, head), (TITLE, head), (FIRST_YEAR, text[:2000])):
        for m in pattern.finditer(within):
            year = int(m.group("year"))
            if REPORT_YEARS[0] <= year <= REPORT_YEARS[1]:
                return year
    return None


# --- body -----------------------------------------------------------------------------------------
# An office that reports on itself says so (我办): its contact or compiler is then the office itself
SPEAKS_AS_OFFICE = re.compile(r"我办|本办|我厅")


def _read_body(head: str, votes: Any) -> tuple[str | None, str | None]:
    short_forms = _defined_short_forms(head)
    as_office = SPEAKS_AS_OFFICE.search(head) is not None
    level_only = None
    for raw, source in _candidates(head):
        name = _as_name(raw)
        if not name:
            continue
        full, generic = _complete(name, source, short_forms, votes, as_office)
        if full:
            return full, generic
        level_only = level_only or generic  # "区市场监督管理局": a district's, whichever it is
    return None, level_only


def _candidates(head: str):  # type: ignore[no-untyped-def]
    for m in TITLE.finditer(head):
        yield from ((c, "title") for c in _title_names(head, m))
    for m in TITLE_YEAR_LAST.finditer(head) if TITLE_YEAR_TAIL.search(head) else ():
        yield m.group("body"), "title"
    for m in OPENING.finditer(head):
        yield m.group("body"), "opening"
    for pattern in COMPILED_BY:
        for m in pattern.finditer(head):
            yield m.group("body"), "compiled"
    for pattern in CONTACT:
        for m in pattern.finditer(head):
            yield _strip_contact_subunit(m.group("body")), "contact"


def _title_names(head: str, m: re.Match[str]) -> list[str]:
    """The names a title line gives: between the year and the title words, before the year on
    the line, or alone on the line above."""
    names = []
    mid = m.group("mid").strip()
    if mid.endswith("人民"):  # "诸暨市璜山镇人民政府信息公开年报": 政府 was read as the title's
        mid += "政府"
    if mid and not re.fullmatch(r"(?:工作|度|年度)*", mid):
        names.append(mid)
    line_start = head.rfind("\n", 0, m.start()) + 1
    before = TITLE_WORDS_BEFORE_YEAR.sub("", head[line_start:m.start()].strip())
    before = ABOUT_AT_END.sub("", before)  # "X人民政府关于2022年度政府信息公开工作的报告": X
    before = _cut_lead(re.split(r"[。，,；;！？]", before)[-1])
    if before:
        names.append(before)
    elif line_start > 1:
        prev_end = line_start - 1
        while prev_end > 0 and head[prev_end - 1] in "\n \t":
            prev_end -= 1
        above = head[head.rfind("\n", 0, prev_end) + 1:prev_end].strip()
        if len(above) <= 30:
            names.append(_cut_lead(above))
    return names


# "（以下简称统计局队）" after a name defines its short form; it is no part of the name
SHORT_FORM_NOTE = re.compile(r"[（(]\s*(?:以下)?简称[^（）()]*[)）]")


def _cut_lead(text: str) -> str:
    """The name after the last lead word or opening mark; a bracket closed inside the name stays."""
    text = SHORT_FORM_NOTE.sub("", re.sub(r"\s+", "", text))
    cut = 0
    for lead in TITLE_LEAD.finditer(text):
        cut = lead.end()
    for i, ch in enumerate(text):
        if ch in "(（" and not re.search(r"[)）]", text[i:]):
            cut = max(cut, i + 1)
    return text[cut:].strip("“”\"'《》 ·•|")


# A contact's desk inside the body: "…人民政府办公室政务公开股", "…局综合科", "…厅信息处"
CONTACT_DESK = re.compile(r"^(?P<org>.+?(?:局|委员会|委|办公室|办公厅|人民政府|厅|部|办事处))[\u4e00-\u9fff]{1,10}?(?:科|股|室|处|组)$")


def _strip_contact_subunit(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    desk = CONTACT_DESK.match(name)
    if desk and name[desk.end("org"):] not in ("办公室", "办公厅") and ORG_NAME.match(desk.group("org")):
        name = desk.group("org")
    for unit in sorted(NAMES["contact_subunits"], key=len, reverse=True):
        rest = name[: -len(unit)]
        if rest.endswith("政府") and unit in ("办公室", "办公厅"):
            continue  # a government's office is a body of its own (and a government's report's contact)
        if name.endswith(unit) and rest and ORG_NAME.match(rest):
            return rest
    return name


def _as_name(raw: str) -> str | None:
    """The stretch as a body's name, or None: it must end like one and be more than that ending."""
    name = _cut_lead(raw)
    if not 2 <= len(name) <= 40 or NOT_A_NAME.search(name):
        return None
    if name in BARE_ZONE_WORDS or re.sub(r"^(?:综合|经济技术|经济|高新技术|国家级)", "", name) in BARE_ZONE_WORDS:
        return None
    if PLACE_ONLY.match(name):
        return name
    if "、" in name:  # a joint report of bodies under one roof: each part must be a name
        return name if all(_as_name(part) for part in name.split("、")) else None
    m = ORG_NAME.match(name)
    suffix = ORG_SUFFIX_AT_END.search(re.sub(r"[（(][^（）()]*[)）]$", "", name))
    if m and suffix and (suffix.start() >= 2 or suffix.start() == 1 and name[0] in GENERIC_LEAD):
        return name
    return None


def _defined_short_forms(head: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if "简称" not in head:
        return out  # DEFINED_SHORT needs the word: no search of 4 to 40 characters at every position
    for m in _short_form_definitions(head):
        # "本报告由X（以下简称Y）编制": the name is what follows the last 由/是/为
        full = _cut_lead(re.split(r"[。，,；;、]|由|是|为", m.group("full"))[-1])
        if ORG_NAME.match(full) and not NOT_A_NAME.search(full):
            out.setdefault(m.group("short"), full)
    return out


# What DEFINED_SHORT reads before 简称: at most 40 name characters, a bracket and 以下, spaces aside
SHORT_FORM_REACH = 43
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff（）()]|\s")


def _short_form_definitions(head: str) -> Iterator[re.Match[str]]:
    """What ``DEFINED_SHORT.finditer(head)`` finds, tried only at the starts that can reach a 简称
    (each start a search would try costs up to 40 steps, and most of a head is far from one)."""
    pos = 0  # every start before this has been tried, or lies inside a match found
    word = head.find("简称")
    while word >= 0:
        start, names = word, 0  # back from 简称 over what a match may hold before it
        while start > pos and names < SHORT_FORM_REACH and _NAME_CHAR.match(head, start - 1):
            start -= 1
            names += not head[start].isspace()
        for at in range(max(start, pos), word):
            m = DEFINED_SHORT.match(head, at)
            if m:
                yield m
                pos = m.end()
                break
        else:
            pos = max(pos, word)
        word = head.find("简称", max(word + 1, pos))


def _is_government_place(name: str) -> bool:
    """A place whose report is its government's: a division of the table, a township, a street
    (a zone such as 平潭综合实验区 or 伏虎华侨管理区 is run by a committee, not a government)."""
    if name.endswith(("省", "市", "县", "旗", "自治区", "自治州", "自治县", "盟", "地区", "乡", "镇", "街道")):
        return True
    found = dv.find_names(name)
    return bool(found) and found[-1].end == len(name)


def _full_place_names(name: str) -> str:
    """Short forms of a division at the front written in full (临夏州公安局 → 临夏回族自治州公安局)."""
    found = dv.find_names(name)
    if found and found[0].start == 0 and len(set(found[0].codes)) == 1:
        division = dv.get(found[0].codes[0])
        if division and division.name != found[0].name and division.level != "province":
            return division.name + name[found[0].end:]
    return name


def _complete(name: str, source: str, short_forms: dict[str, str], votes: Any,
              speaks_as_office: bool = False) -> tuple[str | None, str | None]:
    """The full name, and the level a bare lead (市…, 区…) stood for; None when it cannot be told."""
    name = _full_place_names(short_forms.get(name, name))
    if PLACE_ONLY.match(name) and _is_government_place(name):
        name += "办事处" if name.endswith("街道") else "人民政府"
    name = _expand_abbreviation(name)
    if source in ("compiled", "contact") and not speaks_as_office:
        office = GOVERNMENT_OFFICE.match(name)
        if office:  # the government's report, compiled by (or answered at) its office
            name = office.group("gov")
    generic = None
    if (name[0] in GENERIC_LEAD and not name.startswith(NOT_GENERIC) and not dv.find_names(name[:8])
            or name.startswith("自治区")):
        generic = "province" if name.startswith("自治区") else GENERIC_LEAD[name[0]]
        place = _place_of_level(generic, votes)
        if place is None:
            return None, generic
        name = (place + name[3:]) if name.startswith("自治区") else place + name[1:]
    return name, generic


def _expand_abbreviation(name: str) -> str:
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        full = ABBREVIATIONS[short]
        if name.endswith(short) and not name.endswith(full):
            stem = name[: -len(short)]
            if short == "政府" and stem.endswith("人民"):
                continue
            return stem + full
    return name


def _place_of_level(level: str, votes: Any) -> str | None:
    """The division of ``level`` the text names most (a municipality counts as a city)."""
    def fits(code: str) -> bool:
        lv = dv.level_of(code)
        return lv == level or (level == "city" and lv == "province" and dv.is_municipality(code))

    ranked = sorted(((n, c) for c, n in votes.items() if n and fits(c)), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    division = dv.get(ranked[0][1])
    return division.name if division else None


# --- level and region --------------------------------------------------------------------------------
def _region_chain(body: str | None, votes: Any, generic: str | None) -> list[dv.Division]:
    """The divisions the body's name places it in; a township's county, when its name gives none,
    is the county the text names most."""
    if not body:
        return []
    codes = dv.resolve(dv.find_names(body), votes)
    if codes:
        return dv.chain(codes[-1])
    if TOWNSHIP.search(body):
        ranked = sorted(((n, c) for c, n in votes.items() if n and dv.level_of(c) == "county"), reverse=True)
        if ranked and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            return dv.chain(ranked[0][1])
    return []


def _name_level(body: str) -> str | None:
    """The level of the last place a body's name gives, when every division of that name has
    one level (新华区 is a district in three cities: a county wherever it is)."""
    found = dv.find_names(re.sub(r"[（(][^（）()]*[)）]$", "", body))
    if not found:
        return None
    levels = {dv.level_of(c) for c in found[-1].codes}
    if len(levels) != 1:
        return None
    level = levels.pop()
    if level == "province":
        return "province"
    return level


@lru_cache(maxsize=1)
def _national() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(NAMES["national_leads"]), tuple(NAMES["national_ends"])


def admin_level(body: str | None, chain: list[dv.Division], generic: str | None = None) -> str | None:
    """national | province | city | county | township: the level of the government the body
    belongs to (a department takes its government's level; a district or county-level city is a
    county; a municipality is a province)."""
    if not body:
        return None
    core = re.sub(r"[（(][^（）()]*[)）]$", "", body)  # 苏州高新区管委会(虎丘区人民政府)
    if TOWNSHIP.search(core):
        return "township"
    if chain:
        deepest = chain[-1]
        if deepest.level == "city" or (deepest.level == "province" and generic == "city"):
            return "province" if dv.is_municipality(deepest.code) else "city"
        return deepest.level
    by_name = _name_level(body)
    if by_name:
        return by_name
    word = PLACE_WORD.search(core)
    if word:
        return PLACE_WORD_LEVEL[word.group(1)]
    leads, ends = _national()
    if body.startswith(leads) or body.endswith(ends):
        return "national"
    return None


def _region(chain: list[dv.Division]) -> dict[str, Any] | None:
    if not chain:
        return None
    region: dict[str, Any] = {level: None for level in dv.LEVELS}
    for d in chain:
        region[d.level] = d.name
    region["code"] = chain[-1].code
    return region
