"""Tables 二、三、四: the seed, the complete reports, every text layout, the 2019 format, grids."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from extractor import Tables, extract_file
from extractor.schema import TEMPLATE
from extractor.table_prose import prose_figures, statements
from extractor.table_runs import BUDGET, Identity, Run, Statement, solve
from extractor.tables import (
    CUT_OFF,
    assign_rows,
    fit_cells,
    fit_row,
    parse_cell,
    unrun,
)
from extractor.tables import parse_tables_grids as read_grids
from extractor.tables import parse_tables_text as read_text


def as_json(tables: Tables | None) -> dict[str, Any] | None:
    """The tables as a result's JSON writes them (output.md): what these tests compare with the gold."""
    return None if tables is None else tables.model_dump(mode="json")


def parse_tables_text(text: str, figures: dict[str, int | float] | None = None) -> dict[str, Any] | None:
    return as_json(read_text(text, figures))


def parse_tables_grids(grids: list[list[list[str]]],
                       figures: dict[str, int | float] | None = None) -> dict[str, Any] | None:
    return as_json(read_grids(grids, figures))

EVALSET = Path(__file__).resolve().parents[1] / "evals"
SEED = EVALSET / "seed" / "longting-2024.txt"
FULL_TEXT_REPORTS = ["shuyang-2025.txt", "kewei-2024.md", "shanghai-office-2025.md"]
TABLE_KEYS = ("active", "requests", "review_litigation")



def gold_of(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))


def cells(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted cell key → value, for the three tables."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(cells(value, f"{prefix}.{key}" if prefix else key))
    return out


def score(pred: dict[str, Any] | None, gold: dict[str, Any]) -> tuple[int, list[str]]:
    """gold-format.md: share of gold cells (less uncertain_cells) predicted with the same value."""
    uncertain = set(gold.get("uncertain_cells", []))
    want = {k: v for k, v in cells({t: gold["tables"][t] for t in TABLE_KEYS}).items() if k not in uncertain}
    got = cells({t: (pred or {}).get(t) for t in TABLE_KEYS})
    wrong = [f"{k}: gold {v!r}, read {got.get(k)!r}" for k, v in want.items() if got.get(k) != v]
    return len(want), wrong


def only_tables(tables: dict[str, Any] | None) -> dict[str, Any]:
    assert tables is not None
    return {t: tables[t] for t in TABLE_KEYS}


# ---------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("raw", "value", "note"),
    [
        ("0", 0, None),
        ("43", 43, None),
        ("  705 ", 705, None),
        ("4068.208", 4068.208, None),  # 万元, as printed
        ("-35", -35, None),  # 2019 本年增/减
        ("1,234", 1234, None),
        ("１２", 12, None),
        ("", None, None),
        ("/", None, "/"),
        ("-", None, "-"),
        ("—", None, "—"),
        ("无", None, "无"),
        ("不适用", None, "不适用"),
        ("22（其中修订16件）", 22, "22（其中修订16件）"),
        ("55（含自然失效 29 件）", 55, "55（含自然失效 29 件）"),
    ],
)
def test_parse_cell(raw: str, value: Any, note: str | None) -> None:
    assert parse_cell(raw) == (value, note)


def test_fit_cells_drops_layout_blanks_but_never_guesses_a_missing_cell() -> None:
    assert fit_cells(["", "43", "0", "0", "0", "0", "0", "43", ""], 7) == (["43", "0", "0", "0", "0", "0", "43"], None)
    assert fit_cells(["1", "0", "0", "0", "0", "0", ""], 7) == (["1", "0", "0", "0", "0", "0", ""], None)
    assert fit_cells(["22", "235"], 3) == (None, "2 cells for 3 columns: 22 | 235")
    assert fit_cells(["3", "0"], 7, last=True) == (["3", "0", None, None, None, None, None], CUT_OFF)


def test_rows_go_by_order_only_where_they_match_the_template_one_to_one() -> None:
    specs = TEMPLATE.requests["2021"]
    # every row labelled: by label
    labels = [s.key for s in specs]
    named = ["本年新收", "上年结转", "予以公开", "部分公开", "国家秘密"]
    assert assign_rows(named, specs) == ({i: i for i in range(5)}, False)
    # one unlabelled row between 予以公开 and 国家秘密: the gap holds one template row
    assert assign_rows(["本年新收", "上年结转", "予以公开", "", "国家秘密"], specs) == ({i: i for i in range(5)}, True)
    # two unlabelled rows where the gap holds one: neither is placed
    mapping, _ = assign_rows(["予以公开", "", "", "国家秘密"], specs)
    assert mapping == {0: 2, 3: 4}
    # 25 rows, none contradicting its position: the whole table by order
    assert assign_rows([""] * len(labels), specs) == ({i: i for i in range(len(labels))}, True)


# ---------------------------------------------------------------------------- real reports


def test_seed_every_cell() -> None:
    tables = parse_tables_text(SEED.read_text(encoding="utf-8"))
    assert tables is not None
    assert tables["format"] == "2021"
    assert tables["read_by"] == "labels"
    assert "unread" not in tables
    assert only_tables(tables) == gold_of(SEED)["tables"]


def test_complete_text_reports_at_least_98_percent_of_cells(capsys: pytest.CaptureFixture[str]) -> None:
    total = wrong_total = 0
    lines = []
    for name in FULL_TEXT_REPORTS:
        path = EVALSET / "full" / name
        n, wrong = score(parse_tables_text(path.read_text(encoding="utf-8")), gold_of(path))
        total, wrong_total = total + n, wrong_total + len(wrong)
        lines.append(f"{name}: {n - len(wrong)}/{n} = {(n - len(wrong)) / n:.1%}  " + "; ".join(wrong))
    accuracy = (total - wrong_total) / total
    with capsys.disabled():
        print("\ntable cell accuracy per file:\n  " + "\n  ".join(lines) + f"\n  overall {accuracy:.1%}")
    assert accuracy >= 0.98


@pytest.mark.parametrize(
    ("name", "known_misses"),
    [
        ("shuyang-2025.txt", []),
        # 四、结转 prints an empty 总计 cell and its 1 loose on another line: placed by the identities
        ("kewei-2024.md", []),
        # the converter dropped one cell of each 3-column row: `| 规章 | 22 | 235 |` is not guessed
        (
            "shanghai-office-2025.md",
            [
                "active.rules.issued",
                "active.rules.in_force",
                "active.normative_documents.issued",
                "active.normative_documents.in_force",
            ],
        ),
    ],
)
def test_complete_text_report_misses_are_the_known_ones(name: str, known_misses: list[str]) -> None:
    path = EVALSET / "full" / name
    _, wrong = score(parse_tables_text(path.read_text(encoding="utf-8")), gold_of(path))
    assert [w.split(":")[0] for w in wrong] == known_misses


def test_rows_read_by_order_are_flagged() -> None:
    kewei = parse_tables_text((EVALSET / "full" / "kewei-2024.md").read_text(encoding="utf-8"))
    assert kewei is not None and kewei["read_by"] == "row_order"
    # the loose 1 went to the one blank cell the identities fix to 1, and the result says so
    assert kewei["requests"]["carried_forward"]["total"] == 1
    assert kewei["read_by_arithmetic"] == ["requests.carried_forward"]


# ---------------------------------------------------------------------------- every complete report


COMPLETE_REPORTS = sorted(
    p.with_name(json.loads(p.read_text(encoding="utf-8"))["doc"])
    for suite in ("full", "seed")
    for p in (EVALSET / suite).glob("*.gold.json")
    if json.loads(p.read_text(encoding="utf-8")).get("tables")
)


def cell_outcomes(tables: dict[str, Any] | None, gold: dict[str, Any]) -> tuple[int, list[str], int]:
    """(cells read right, cells wrong, cells listed unread): a null not listed unread is wrong, and
    a figure in a row listed unread (a run read in part) is a reading like any other."""
    uncertain = set(gold.get("uncertain_cells", []))
    want = {k: v for k, v in cells({t: gold["tables"][t] for t in TABLE_KEYS}).items() if k not in uncertain}
    got = cells({t: (tables or {}).get(t) for t in TABLE_KEYS})
    unread = set((tables or {}).get("unread", []))
    right, wrong, unread_cells = 0, [], 0
    for key, value in want.items():
        parts = key.split(".")
        if got.get(key) is None and any(".".join(parts[:i]) in unread for i in range(2, len(parts) + 1)):
            unread_cells += 1
        elif got.get(key) == value:
            right += 1
        else:
            wrong.append(f"{key}: gold {value!r}, read {got.get(key)!r}")
    return right, wrong, unread_cells


@pytest.fixture(scope="module")
def complete_tables() -> dict[str, dict[str, Any] | None]:
    return {p.name: as_json(extract_file(p).tables) for p in COMPLETE_REPORTS}


def test_the_complete_reports_are_all_here() -> None:
    # the per-file test below covers every labelled complete report: PDF, HTML, Markdown, text
    assert len(COMPLETE_REPORTS) >= 10
    assert {p.suffix for p in COMPLETE_REPORTS} >= {".pdf", ".html", ".md", ".txt"}


@pytest.mark.parametrize("path", COMPLETE_REPORTS, ids=lambda p: p.name)
def test_complete_report_never_a_wrong_cell(path: Path, complete_tables: dict[str, dict[str, Any] | None]) -> None:
    """Every labelled cell is read right or listed unread; at least 90 % of each report is read."""
    right, wrong, unread = cell_outcomes(complete_tables[path.name], gold_of(path))
    assert wrong == []
    assert right / (right + unread) >= 0.90


def test_complete_reports_read_share(complete_tables: dict[str, dict[str, Any] | None],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    lines, right_total, n_total = [], 0, 0
    for path in COMPLETE_REPORTS:
        right, wrong, unread = cell_outcomes(complete_tables[path.name], gold_of(path))
        n = right + len(wrong) + unread
        right_total, n_total = right_total + right, n_total + n
        lines.append(f"{path.name}: right {right}, wrong {len(wrong)}, unread {unread} of {n}")
    with capsys.disabled():
        print("\ntable cells per complete report:\n  " + "\n  ".join(lines) + f"\n  read {right_total / n_total:.1%}")
    assert right_total / n_total >= 0.98


def test_a_row_missing_a_cell_is_left_null_with_a_note() -> None:
    tables = parse_tables_text((EVALSET / "full" / "shanghai-office-2025.md").read_text(encoding="utf-8"))
    assert tables is not None
    assert tables["active"]["rules"] == {"issued": None, "repealed": None, "in_force": None}
    assert tables["cell_notes"]["active.rules.issued"] == "2 cells for 3 columns: 22 | 235"


def test_no_tables_gives_none() -> None:
    assert parse_tables_text("一、总体情况\n2024年，我办共收到申请43件。\n") is None


# ---------------------------------------------------------------------------- one table, every layout
#
# The tables are rendered the way the national format prints them, then written out in each
# text layout real reports come in; every layout must give the same keyed tables.

FIXTURES = Path(__file__).parent / "data" / "tables"
Row = tuple[str, list[str]]  # ("header" | "data" | "title", cells)

# How the 2021 format prints the label cells of table 三 (group cells only on a group's first row).
PRINTED_2021 = {
    "new": ["一、本年新收政府信息公开申请数量", ""],
    "carried_over": ["二、上年结转政府信息公开申请数量", ""],
    "granted": ["三、本年度办理结果", "（一）予以公开"],
    "partially_granted": ["", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
    "denied.state_secret": ["", "（三）不予公开", "1．属于国家秘密"],
    "denied.prohibited_by_law": ["", "", "2．其他法律行政法规禁止公开"],
    "denied.three_safeties": ["", "", "3．危及“三安全一稳定”"],
    "denied.third_party": ["", "", "4．保护第三方合法权益"],
    "denied.internal_affairs": ["", "", "5．属于三类内部事务信息"],
    "denied.process_info": ["", "", "6．属于四类过程性信息"],
    "denied.enforcement_files": ["", "", "7．属于行政执法案卷"],
    "denied.inquiry": ["", "", "8．属于行政查询事项"],
    "unable.not_held": ["", "（四）无法提供", "1．本机关不掌握相关政府信息"],
    "unable.needs_creation": ["", "", "2．没有现成信息需要另行制作"],
    "unable.unclear": ["", "", "3．补正后申请内容仍不明确"],
    "not_processed.complaint": ["", "（五）不予处理", "1．信访举报投诉类申请"],
    "not_processed.duplicate": ["", "", "2．重复申请"],
    "not_processed.publication": ["", "", "3．要求提供公开出版物"],
    "not_processed.mass_repeat": ["", "", "4．无正当理由大量反复申请"],
    "not_processed.confirm": ["", "", "5．要求行政机关确认或重新出具已获取信息"],
    "other.no_correction": [
        "",
        "（六）其他处理",
        "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ],
    "other.no_fee": ["", "", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    "other.other": ["", "", "3．其他"],
    "total": ["", "（七）总计"],
    "carried_forward": ["四、结转下年度继续办理", ""],
}


def printed(value: Any) -> str:
    return "" if value is None else str(value)


def rows_2021(t: dict[str, Any]) -> dict[str, list[Row]]:
    """The three tables of the 2021 format as printed rows."""
    a = t["active"]
    active: list[Row] = [
        ("title", ["第二十条第（一）项"]),
        ("header", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
        *[("data", [label, *map(printed, a[key].values())]) for key, label in (("rules", "规章"), ("normative_documents", "行政规范性文件"))],
        ("title", ["第二十条第（五）项"]),
        ("header", ["信息内容", "本年处理决定数量"]),
        ("data", ["行政许可", printed(a["licensing"])]),
        ("title", ["第二十条第（六）项"]),
        ("header", ["信息内容", "本年处理决定数量"]),
        ("data", ["行政处罚", printed(a["punishment"])]),
        ("data", ["行政强制", printed(a["coercion"])]),
        ("title", ["第二十条第（八）项"]),
        ("header", ["信息内容", "本年收费金额（单位：万元）"]),
        ("data", ["行政事业性收费", printed(a["fees"])]),
    ]
    requests: list[Row] = [
        ("header", ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况"]),
        ("header", ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]),
        ("header", ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]),
    ]
    for key, labels in PRINTED_2021.items():
        requests.append(("data", [*labels, *([""] * (3 - len(labels))), *map(printed, t["requests"][key].values())]))
    review: list[Row] = [
        ("header", ["行政复议", "", "", "", "", "行政诉讼"]),
        ("header", ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉"]),
        ("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3),
        ("data", [printed(v) for block in t["review_litigation"].values() for v in block.values()]),
    ]
    return {"active": active, "requests": requests, "review": review}


HEADINGS = {
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}
PROSE_BEFORE = "一、总体情况\n2025年，本机关共收到政府信息公开申请713件。\n"
PROSE_AFTER = "五、存在的主要问题及改进情况\n一是公开质量有待提高。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n"


def write(tables: dict[str, list[Row]], line_of: Any) -> str:
    out = [PROSE_BEFORE]
    for name, rows in tables.items():
        out.append(HEADINGS[name])
        for kind, cells in rows:
            out.extend(line_of(kind, cells))
    out.append(PROSE_AFTER)
    return "\n".join(out)


def tab_lines(kind: str, cells: list[str]) -> list[str]:
    return ["\t".join(cells)]


def pipe_lines(kind: str, cells: list[str]) -> list[str]:
    line = "| " + " | ".join(cells) + " |"
    return [line, "|" + "---|" * len(cells)] if kind == "header" else [line]


def one_cell_pipe_lines(kind: str, cells: list[str]) -> list[str]:
    return [f"{c} |" if c else "|" for c in cells]


def one_cell_bare_lines(kind: str, cells: list[str]) -> list[str]:
    return [c for c in cells if c]


def label_apart_lines(kind: str, cells: list[str]) -> list[str]:
    """Label on its own line, the figures on the next, separated by spaces."""
    if kind != "data":
        return tab_lines(kind, cells)
    labels = [c for c in cells if c and not c.replace(".", "").lstrip("-").isdigit()]
    values = [c for c in cells if c and c.replace(".", "").lstrip("-").isdigit()]
    return ([" ".join(labels)] if labels else []) + [" ".join(values)]


def split_header_lines(kind: str, cells: list[str]) -> list[str]:
    """Header cells wrapped over two lines (每个表头单元格折成两行)."""
    if kind != "header":
        return tab_lines(kind, cells)
    return ["\t".join(c[: (len(c) + 1) // 2] for c in cells), "\t".join(c[(len(c) + 1) // 2 :] for c in cells)]


def spaced_lines(kind: str, cells: list[str]) -> list[str]:
    """Label and figures on one line, separated by spaces: 行政许可 517645."""
    return [" ".join(c for c in cells if c)] if kind == "data" else tab_lines(kind, cells)


def with_page_breaks(line_of: Any) -> Any:
    """Every sixth row is broken in the middle by a page number and the running header."""
    count = 0

    def lines(kind: str, cells: list[str]) -> list[str]:
        nonlocal count
        count += 1
        printed_lines = line_of(kind, cells)
        if count % 6:
            return printed_lines
        half = (len(printed_lines) + 1) // 2
        page = [f"- {count // 6 + 3} -", "沭阳县人民政府2025年政府信息公开工作年度报告"]
        return printed_lines[:half] + page + printed_lines[half:]

    return lines


LAYOUTS = {
    "tab": tab_lines,
    "pipe": pipe_lines,
    "one cell per line, ending ' |'": one_cell_pipe_lines,
    "one cell per line, bare": one_cell_bare_lines,
    "label and figures on one line, spaces between": spaced_lines,
    "label and figures on separate lines": label_apart_lines,
    "header rows split over lines": split_header_lines,
    "tab, broken by page numbers": lambda: with_page_breaks(tab_lines),
    "pipe, broken by page numbers": lambda: with_page_breaks(pipe_lines),
    "one cell per line, broken by page numbers": lambda: with_page_breaks(one_cell_pipe_lines),
}


def layout(name: str) -> Any:
    maker = LAYOUTS[name]
    return maker() if name.endswith("page numbers") else maker


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_every_text_layout_gives_the_same_tables(fixture: str, name: str) -> None:
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    text = write(rows_2021(want), layout(name))
    tables = parse_tables_text(text)
    assert tables is not None
    assert only_tables(tables) == only_tables(want)
    assert tables["format"] == "2021"
    assert "unread" not in tables


# ---------------------------------------------------------------------------- the 2019 trial format

REQUEST_COLUMNS = list(TEMPLATE.request_columns)
# A filled example of the 2019 trial format (国办公开办函〔2019〕60号), laid out like dev/r124.txt.
TRIAL_2019_REQUESTS = {
    # key: (printed label cells, natural_person … total)
    "new": (["一、本年新收政府信息公开申请数量"], [30, 2, 0, 0, 1, 0, 33]),
    "carried_over": (["二、上年结转政府信息公开申请数量"], [1, 0, 0, 0, 0, 0, 1]),
    "granted": (["三、本年度办理结果", "(一)予以公开"], [12, 1, 0, 0, 0, 0, 13]),
    "partially_granted": (["(二)部分公开(区分处理的,只计这一情形,不计其他情形)"], [2, 0, 0, 0, 0, 0, 2]),
    "denied.state_secret": (["(三) 不予公开", "1.属于国家秘密"], [0, 0, 0, 0, 0, 0, 0]),
    "denied.prohibited_by_law": (["2.其他法律行政法规禁止公开"], [0, 0, 0, 0, 0, 0, 0]),
    "denied.three_safeties": (["3.危及“三安全一稳定”"], [0, 0, 0, 0, 0, 0, 0]),
    "denied.third_party": (["4.保护第三方合法权益"], [1, 0, 0, 0, 0, 0, 1]),
    "denied.internal_affairs": (["5.属于三类内部事务信息"], [0, 0, 0, 0, 0, 0, 0]),
    "denied.process_info": (["6.属于四类过程性信息"], [2, 0, 0, 0, 0, 0, 2]),
    "denied.enforcement_files": (["7.属于行政执法案卷"], [0, 0, 0, 0, 0, 0, 0]),
    "denied.inquiry": (["8.属于行政查询事项"], [0, 0, 0, 0, 0, 0, 0]),
    "unable.not_held": (["(四)无法提供", "1.本机关不掌握相关政府信息"], [9, 1, 0, 0, 1, 0, 11]),
    "unable.needs_creation": (["2.没有现成信息需要另行制作"], [1, 0, 0, 0, 0, 0, 1]),
    "unable.unclear": (["3.补正后申请内容仍不明确"], [0, 0, 0, 0, 0, 0, 0]),
    "not_processed.complaint": (["(五)不予处理", "1.信访举报投诉类申请"], [3, 0, 0, 0, 0, 0, 3]),
    "not_processed.duplicate": (["2.重复申请"], [0, 0, 0, 0, 0, 0, 0]),
    "not_processed.publication": (["3.要求提供公开出版物"], [0, 0, 0, 0, 0, 0, 0]),
    "not_processed.mass_repeat": (["4.无正当理由大量反复申请"], [0, 0, 0, 0, 0, 0, 0]),
    "not_processed.confirm": (["5.要求行政机关确认或重新出具已获取信息"], [0, 0, 0, 0, 0, 0, 0]),
    "other.other": (["(六)其他处理"], [1, 0, 0, 0, 0, 0, 1]),
    "total": (["(七)总计"], [31, 2, 0, 0, 1, 0, 34]),
    "carried_forward": (["四、结转下年度继续办理"], [0, 0, 0, 0, 0, 0, 0]),
}
TRIAL_2019_ACTIVE = {
    "rules": {"made": 0, "published": 0, "total": 0},
    "normative_documents": {"made": 2, "published": 2, "total": 15},
    "licensing": {"previous": 1215, "change": -35, "decisions": 1180},
    "other_services": {"previous": 3, "change": 0, "decisions": 12},
    "punishment": {"previous": 40, "change": 2, "decisions": 310},
    "coercion": {"previous": 5, "change": -1, "decisions": 7},
    "fees": {"previous": 2, "change": 0},
    "procurement": {"projects": 6, "amount": 120.5},
}
TRIAL_2019_REVIEW = {
    "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2},
    "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
    "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
}


def rows_2019() -> dict[str, list[Row]]:
    a = TRIAL_2019_ACTIVE
    projects = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]

    def data(label: str, values: dict[str, Any]) -> Row:
        return ("data", [label, *map(printed, values.values())])

    active: list[Row] = [
        ("title", ["第二十条第(一)项"]),
        ("header", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        data("规章", a["rules"]),
        data("规范性文件", a["normative_documents"]),
        ("title", ["第二十条第(五)项"]),
        ("header", projects),
        data("行政许可", a["licensing"]),
        data("其他对外管理服务事项", a["other_services"]),
        ("title", ["第二十条第(六)项"]),
        ("header", projects),
        data("行政处罚", a["punishment"]),
        data("行政强制", a["coercion"]),
        ("title", ["第二十条第(八)项"]),
        ("header", projects[:3]),
        data("行政事业性收费", a["fees"]),
        ("title", ["第二十条第(九)项"]),
        ("header", ["信息内容", "采购项目数量", "采购总金额"]),
        data("政府集中采购", a["procurement"]),
    ]
    requests: list[Row] = [
        ("header", ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"]),
        ("header", ["自然人", "法人或其他组织", "总计"]),
        ("header", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]),
    ]
    requests += [("data", [*labels, *map(printed, values)]) for labels, values in TRIAL_2019_REQUESTS.values()]
    review: list[Row] = [
        ("header", ["行政复议", "行政诉讼"]),
        ("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]),
        ("header", ["未经复议直接起诉", "复议后起诉"]),
        ("data", [printed(v) for block in TRIAL_2019_REVIEW.values() for v in block.values()]),
    ]
    return {"active": active, "requests": requests, "review": review}


@pytest.mark.parametrize("name", ["one cell per line, bare", "tab", "one cell per line, ending ' |'", "pipe"])
def test_2019_trial_format_is_recognised_and_read(name: str) -> None:
    tables = parse_tables_text(write(rows_2019(), layout(name)))
    assert tables is not None
    assert tables["format"] == "2019"
    assert tables["active"] == TRIAL_2019_ACTIVE
    requests = tables["requests"]
    assert requests["other.no_correction"] == dict.fromkeys(REQUEST_COLUMNS)
    assert requests["other.no_fee"] == dict.fromkeys(REQUEST_COLUMNS)
    for key, (_, values) in TRIAL_2019_REQUESTS.items():
        assert requests[key] == dict(zip(REQUEST_COLUMNS, values, strict=True)), key
    assert list(requests) == [s.key for s in TEMPLATE.requests["2021"]]  # the output keys of output.md
    assert tables["review_litigation"] == TRIAL_2019_REVIEW
    assert "unread" not in tables


def test_2019_trial_format_passes_its_checks() -> None:
    from extractor.checks import run_checks
    from extractor.models import Report

    tables = parse_tables_text(write(rows_2019(), tab_lines))
    checks = run_checks(Report(tables=tables))
    assert [(c.name, c.ok) for c in checks] == [
        ("requests.balance", True),
        ("requests.total", True),
        ("requests.columns", True),
        ("review_litigation.totals", True),
    ]
    assert "21 rows" not in checks[1].detail and "19 rows" in checks[1].detail


# ---------------------------------------------------------------------------- cell grids (HTML, PDF, DOCX)


def seed_grids(text: str) -> list[list[list[str]]]:
    """The seed's three tables as grids: one per table, each printed line a row of cells."""
    grids: list[list[list[str]]] = []
    for heading, end in [
        ("二、主动公开政府信息情况", "三、收到和处理"),
        ("三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议"),
        ("四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题"),
    ]:
        body = text[text.index(heading) + len(heading) : text.index(end)]
        grids.append([line.split("\t") for line in body.splitlines() if line.strip()])
    return grids


def test_grids_from_the_seed() -> None:
    grids = seed_grids(SEED.read_text(encoding="utf-8"))
    tables = parse_tables_grids(grids)
    assert tables is not None and tables["format"] == "2021" and tables["read_by"] == "labels"
    assert only_tables(tables) == gold_of(SEED)["tables"]


def spanned_label(key: str, labels: list[str], group: str) -> list[str]:
    """The three label cells of a table 三 row with row- and column-spans expanded."""
    if key in ("new", "carried_over", "carried_forward"):
        return [labels[0]] * 3
    if len(labels) == 2:  # (一), (二), (七): the label spans two columns
        return ["三、本年度办理结果", labels[1], labels[1]]
    return ["三、本年度办理结果", group, labels[2]]


def spanned_grids(t: dict[str, Any]) -> list[list[list[str]]]:
    """Tables as an HTML converter hands them over: spans expanded, a header cell repeated."""
    a = t["active"]
    active = [
        ["第二十条第（一）项"] * 4,
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *map(printed, a["rules"].values())],
        ["行政规范性文件", *map(printed, a["normative_documents"].values())],
        ["第二十条第（五）项"] * 4,
        ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ["行政许可", *[printed(a["licensing"])] * 3],
        ["第二十条第（六）项"] * 4,
        ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ["行政处罚", *[printed(a["punishment"])] * 3],
        ["行政强制", *[printed(a["coercion"])] * 3],
        ["第二十条第（八）项"] * 4,
        ["信息内容", "本年收费金额（单位：万元）", "本年收费金额（单位：万元）", "本年收费金额（单位：万元）"],
        ["行政事业性收费", *[printed(a["fees"])] * 3],
    ]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    requests = [
        [note] * 3 + ["申请人情况"] * 7,
        [note] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        [note] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ]
    group = ""
    for key, labels in PRINTED_2021.items():
        group = labels[1] if len(labels) == 3 and labels[1] else group
        requests.append([*spanned_label(key, labels, group), *map(printed, t["requests"][key].values())])
    review = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        ["行政复议"] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
        [printed(v) for block in t["review_litigation"].values() for v in block.values()],
    ]
    # table 三 broken over two pages comes as two grids
    return [active, requests[:12], requests[12:], review]


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
def test_grids_with_spans_expanded_and_a_table_split_over_two_grids(fixture: str) -> None:
    """A value repeated by an expanded colspan (行政许可 | 97 | 97 | 97) is one cell, not three."""
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    tables = parse_tables_grids(spanned_grids(want))
    assert tables is not None
    assert only_tables(tables) == only_tables(want)


def test_grids_and_text_feed_the_same_reader() -> None:
    want = json.loads((FIXTURES / "shuyang-2025.tables.json").read_text(encoding="utf-8"))
    from_text = parse_tables_text(write(rows_2021(want), tab_lines))
    from_grids = parse_tables_grids([[cells for _, cells in rows] for rows in rows_2021(want).values()])
    assert from_text == from_grids


def test_2021_report_printing_other_processing_as_one_row() -> None:
    """hongze-2023: table 二 in the 2021 format, but （六）其他处理 printed as one row as in 2019."""
    want = json.loads((FIXTURES / "longting-2024.tables.json").read_text(encoding="utf-8"))
    want["requests"]["other.other"]["natural_person"] = want["requests"]["other.other"]["total"] = 2
    printed_rows = rows_2021(want)
    requests = printed_rows["requests"]
    first = next(i for i, (_, cells) in enumerate(requests) if "（六）其他处理" in cells)
    requests[first : first + 3] = [("data", ["", "（六）其他处理", "", "2", "0", "0", "0", "0", "0", "2"])]
    tables = parse_tables_text(write(printed_rows, tab_lines))
    assert tables is not None and tables["format"] == "2021"
    assert tables["requests"]["other.other"] == want["requests"]["other.other"]
    assert tables["requests"]["other.no_correction"] == dict.fromkeys(REQUEST_COLUMNS)
    assert "unread" not in tables


# ---------------------------------------------------------------------------- cells run together


def run_together(tables: dict[str, list[Row]], stray_spaces: bool = False) -> str:
    """The report as a crawler's text gives it: one line, every cell run together (spaces at random cells)."""
    out = [PROSE_BEFORE.replace("\n", "")]
    for name, rows in tables.items():
        out.append(HEADINGS[name])
        for i, (_, row_cells) in enumerate(rows):
            out.append((" " if stray_spaces and i % 3 == 0 else "").join(row_cells))
    out.append(PROSE_AFTER.replace("\n", ""))
    return "标题: 年度报告\n" + "".join(out) + "\n"


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
@pytest.mark.parametrize("stray_spaces", [False, True])
def test_cells_run_together_are_split_by_the_tables_arithmetic(fixture: str, stray_spaces: bool) -> None:
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    tables = parse_tables_text(run_together(rows_2021(want), stray_spaces))
    assert tables is not None and tables["format"] == "2021"
    # tables 三 and 四 hold identities that fix every split
    assert tables["requests"] == want["requests"]
    assert tables["review_litigation"] == want["review_litigation"]
    assert tables["read_by"] == "arithmetic"
    # (a row whose every two cells a space parts is read by its spaces: every third row here)
    assert "requests.granted" in tables["read_by_arithmetic"]
    # table 二 has none: a row is read only where one split is possible, else listed unread
    unread = set(tables.get("unread", []))
    assert not {u for u in unread if not u.startswith("active.")}
    for key, value in want["active"].items():
        assert tables["active"][key] == value or f"active.{key}" in unread


def test_pingtan_tables_three_and_four_wholly_recovered() -> None:
    """The two crawled reports: every cell of tables 三 and 四 recovered, table 二 only where unique."""
    for name, unread_rows in (("pingtan-2024.txt", ["active.normative_documents"]),
                              ("pingtan-2019.txt", ["active.normative_documents", "active.licensing",
                                                    "active.other_services", "active.punishment", "active.coercion",
                                                    "active.fees", "active.procurement"])):
        path = EVALSET / "full" / name
        tables = parse_tables_text(path.read_text(encoding="utf-8"))
        assert tables is not None
        assert tables["unread"] == unread_rows
        gold = gold_of(path)["tables"]
        assert tables["requests"] == gold["requests"] and tables["review_litigation"] == gold["review_litigation"]
        # why a row stays unread: the number of splits the printed digits allow
        assert re.fullmatch(r"run \d+: \d+ splits possible, no identity decides",
                            tables["cell_notes"][f"{unread_rows[0]}.{next(iter(gold['active'][unread_rows[0].split('.')[1]]))}"])


def test_a_prose_figure_chooses_the_one_split_it_agrees_with() -> None:
    """kewei-2024's own prose (制发行政规范性文件13件, read by the rules) beside its table 二 run together:
    行政规范性文件13055 is 1|30|55, 1|305|5, 13|0|55 or 130|5|5; only 13|0|55 agrees with the prose."""
    path = EVALSET / "full" / "kewei-2024.md"
    figures = prose_figures(extract_file(path).fields)
    assert figures.get("documents.issued") == 13
    want = gold_of(path)["tables"]
    text = run_together(rows_2021(want))
    alone = parse_tables_text(text)
    assert alone is not None and "active.normative_documents" in alone["unread"]
    assert alone["cell_notes"]["active.normative_documents.issued"] == "run 13055: 4 splits possible, no identity decides"
    told = parse_tables_text(text, figures)
    assert told is not None
    assert told["active"]["normative_documents"] == want["active"]["normative_documents"]
    assert "active.normative_documents" not in told.get("unread", [])
    assert told["read_by_prose"] == {f"active.normative_documents.{c}": "documents.issued = 13"
                                     for c in ("issued", "repealed", "in_force")}
    # tables 三 and 四 were fixed by their identities already: the prose chose nothing there
    assert only_tables(told) == only_tables(alone) | {"active": told["active"]}


def test_a_prose_figure_that_leaves_several_splits_reads_only_the_cells_they_share() -> None:
    """pingtan-2024: 本年度制发行政规范性文件62件 leaves 62|3|3440, 62|33|440, 62|334|40, 62|3344|0."""
    path = EVALSET / "full" / "pingtan-2024.txt"
    typed = extract_file(path).tables
    assert typed is not None
    row = typed.row("active", "normative_documents")
    assert row is not None and not row.is_read  # listed unread; its one determined cell keeps its figure
    assert [(c.column, c.status.value) for c in row.cells] == [
        ("issued", "number"), ("repealed", "unread"), ("in_force", "unread")]
    assert row.cell("issued").chosen_by == "documents.issued = 62"
    tables = as_json(typed)
    assert tables is not None
    assert tables["active"]["normative_documents"] == {"issued": 62, "repealed": None, "in_force": None}
    assert "active.normative_documents" in tables["unread"]  # not read in full
    why = "run 6233440: 4 splits possible after documents.issued = 62, no identity decides"
    assert tables["cell_notes"]["active.normative_documents.repealed"] == why
    assert tables["cell_notes"]["active.normative_documents.in_force"] == why
    assert tables["read_by_prose"] == {"active.normative_documents.issued": "documents.issued = 62"}
    assert "active.normative_documents.issued" not in tables["cell_notes"]


@pytest.mark.parametrize(("name", "figure"), [("pingtan-2024.txt", 13), ("kewei-2024.md", 62)])
def test_a_prose_figure_no_split_agrees_with_is_set_aside(name: str, figure: int) -> None:
    # each report with the other's figure: the prose counts something else; the table stands alone
    path = EVALSET / "full" / name
    text = path.read_text(encoding="utf-8") if name.endswith(".txt") else run_together(rows_2021(gold_of(path)["tables"]))
    alone, told = parse_tables_text(text), parse_tables_text(text, {"documents.issued": figure})
    assert alone is not None and told is not None
    assert told == alone
    assert told["active"]["normative_documents"] == {"issued": None, "repealed": None, "in_force": None}


def test_a_prose_figure_that_contradicts_the_table_discredits_the_others() -> None:
    # pingtan-2024: 62件 alone fixes the first cell of 6233440; a second figure no split agrees with
    # (现行有效 7: the run ends …3440, …440, …40 or …0) says the prose counts something else
    text = (EVALSET / "full" / "pingtan-2024.txt").read_text(encoding="utf-8")
    both = parse_tables_text(text, {"documents.issued": 62, "documents.in_force": 7})
    assert both is not None and both["active"]["normative_documents"]["issued"] is None
    assert "read_by_prose" not in both
    # so does a figure that disagrees with cells read as printed, or another group's runs
    run, other = Run("11011", ("r.a", "r.b", "r.t")), Run("11011", ("s.a", "s.b", "s.t"))
    own = [Identity(("r.t",), ("r.a", "r.b")), Identity(("s.t",), ("s.a", "s.b"))]
    [printed] = solve([run], own[:1], {"p": 4}, stated=[Statement(("r.a",), 11, "x"), Statement(("p",), 3, "y")])
    assert (printed.values, printed.splits) == (None, 2)
    apart = solve([run, other], own, {}, stated=[Statement(("r.a",), 11, "x"), Statement(("s.a",), 5, "y")])
    assert [(r.values, r.splits) for r in apart] == [(None, 2), (None, 2)]
    assert solve([run, other], own, {}, stated=[Statement(("r.a",), 11, "x")])[0].values == (11, 0, 11)


def test_prose_figures_are_exact_fields_that_state_cells() -> None:
    fields = {"documents.issued": {"value": 62, "qualifier": "exact"}, "documents.in_force": {"value": 400, "qualifier": "over"},
              "proactive.total": {"value": 10407, "qualifier": "exact"}, "requests.received": {"value": 218, "qualifier": "exact"}}
    assert prose_figures(fields) == {"documents.issued": 62, "requests.received": 218}
    # the 2019 trial format counts 新制作/新公开/对外公开总数, not 制发: documents.* state none of its cells
    assert statements({"documents.issued": 89}, "active", TEMPLATE.active["2019"]) == []
    assert statements({"documents.issued": 62}, "active", TEMPLATE.active["2021"]) == [
        Statement(("active.normative_documents.issued",), 62, "documents.issued")]
    # a field stating several rows states their sum; 行政诉讼 is both blocks of 四
    [denied] = statements({"requests.denied": 4}, "requests", TEMPLATE.requests["2021"])
    assert len(denied.keys) == 8 and all(k.startswith("requests.denied.") and k.endswith(".total") for k in denied.keys)
    [litigation] = statements({"litigation.total": 0}, "review_litigation", ())
    assert litigation.keys == ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")


def test_statements_narrow_the_solutions_never_widen_them() -> None:
    # 11011 as a | b | a+b: 1|10|11 or 11|0|11
    run = Run("11011", ("r.a", "r.b", "r.t"))
    own = [Identity(("r.t",), ("r.a", "r.b"))]
    [told] = solve([run], own, {}, stated=[Statement(("r.a",), 11, "x")])
    assert told.values == (11, 0, 11) and [s.source for s in told.narrowed_by] == ["x"]
    # a statement no solution agrees with is set aside: the identities' two solutions stay
    [aside] = solve([run], own, {}, stated=[Statement(("r.a",), 5, "x")])
    assert (aside.values, aside.splits, aside.narrowed_by) == (None, 2, ())
    assert aside.cells == (None, None, 11)  # the cell both splits share
    # statements that each agree with one solution but not with each other: none is used
    [torn] = solve([run], own, {}, stated=[Statement(("r.a",), 11, "x"), Statement(("r.b",), 10, "y")])
    assert (torn.values, torn.splits) == (None, 2)
    # a statement over a sum of cells, one of them printed elsewhere
    [summed] = solve([run], own, {"s.a": 4}, stated=[Statement(("r.a", "s.a"), 5, "x")])
    assert summed.values == (1, 10, 11)
    # a unique solution is kept whatever the prose says
    [unique] = solve([Run("000", ("a", "b", "c"))], [], {}, stated=[Statement(("a",), 7, "x")])
    assert unique.values == (0, 0, 0) and unique.narrowed_by == ()


APPLICANT_COLUMNS = TEMPLATE.request_columns


def request_row(name: str, digits: str) -> Run:
    return Run(digits, tuple(f"{name}.{c}" for c in APPLICANT_COLUMNS))


def row_sum(name: str) -> Identity:
    return Identity((f"{name}.total",), tuple(f"{name}.{c}" for c in APPLICANT_COLUMNS[:-1]))


def test_a_run_is_split_where_its_row_sum_leaves_one_reading() -> None:
    [result] = solve([request_row("new", "21710000218")], [row_sum("new")], {})
    assert result.values == (217, 1, 0, 0, 0, 0, 218)
    # no number with a leading zero: seven zeros are seven cells of 0
    [zeros] = solve([request_row("x", "0000000")], [row_sum("x")], {})
    assert zeros.values == (0,) * 7


def test_a_run_no_identity_decides_stays_unread_with_its_count() -> None:
    [result] = solve([Run("6233440", ("issued", "repealed", "in_force"))], [], {})
    assert result.values is None and result.splits == 15  # 6|2|33440 … 623|34|40: no leading zeros
    assert result.why == "15 splits possible, no identity decides"
    [single] = solve([Run("000", ("issued", "repealed", "in_force"))], [], {})
    assert single.values == (0, 0, 0)


def test_a_cross_row_identity_settles_a_row_its_own_sum_cannot() -> None:
    # 11011 as a | b | a+b: 1|10|11 or 11|0|11; another row says a = 11
    run = Run("11011", ("r.a", "r.b", "r.t"))
    own = [Identity(("r.t",), ("r.a", "r.b"))]
    assert solve([run], own, {})[0].splits == 2
    assert solve([run], [*own, Identity(("r.a",), ("s.a",))], {"s.a": 11})[0].values == (11, 0, 11)
    # two such runs solved together: r.a + s.a = 2 fixes both, r.a + s.a = 12 fixes neither
    other = Run("11011", ("s.a", "s.b", "s.t"))
    ids = [*own, Identity(("s.t",), ("s.a", "s.b"))]
    fixed = solve([run, other], [*ids, Identity(("r.a", "s.a"), ("c",))], {"c": 2})
    assert [r.values for r in fixed] == [(1, 10, 11), (1, 10, 11)]
    open_ = solve([run, other], [*ids, Identity(("r.a", "s.a"), ("c",))], {"c": 12})
    assert [(r.values, r.splits) for r in open_] == [(None, 2), (None, 2)]


def test_an_identity_no_split_satisfies_leaves_the_row_unread() -> None:
    [result] = solve([request_row("x", "1111111")], [row_sum("x")], {})
    assert result.values is None and result.splits == 0
    assert result.why == "no split satisfies the table's identities"


def test_decimals_only_in_money_cells() -> None:
    # 政府集中采购13575394432.52: 135 | 75394432.52 or 1357 | 5394432.52 …: never guessed
    [result] = solve([Run("13575394432.52", ("projects", "amount"), frozenset({"amount"}))], [], {})
    assert result.values is None and result.splits == 10  # 1 | 3575394432.52 … 1357539443 | 2.52
    [counts] = solve([Run("13575394432.52", ("projects", "amount"))], [], {})
    assert counts.splits == 0


@pytest.mark.parametrize("digits", ["1" * 200, "1" * 60, "123456789" * 5, "9" * 40])
def test_a_pathological_run_is_searched_in_bounded_time(digits: str) -> None:
    # the bound is on work, counted in search nodes (each does a bounded amount of it), not on
    # seconds: the test holds on a loaded machine as on an idle one
    [result] = solve([request_row("x", digits)], [row_sum("x")], {})
    assert 0 < result.nodes <= BUDGET + 1
    assert result.values is None  # out of reach or no split: unread, never a guess
    blocks = TEMPLATE.review_blocks
    cells = tuple(f"{b}.{c}" for b in blocks for c in TEMPLATE.review_columns)
    identities = [Identity((f"{b}.total",), tuple(f"{b}.{c}" for c in TEMPLATE.review_columns[:-1])) for b in blocks]
    [review] = solve([Run(digits, cells)], identities, {})
    assert 0 < review.nodes <= BUDGET + 1
    assert review.values is None or len(review.values) == 15


def test_the_search_stops_at_its_bound() -> None:
    # a run with many splits (15 cells over 45 digits) reaches a small bound: it stops there, unread
    blocks = TEMPLATE.review_blocks
    cells = tuple(f"{b}.{c}" for b in blocks for c in TEMPLATE.review_columns)
    [full] = solve([Run("123456789" * 5, cells)], [], {})
    assert full.nodes > 1_000
    [capped] = solve([Run("123456789" * 5, cells)], [], {}, budget=1_000)
    assert capped.capped and capped.values is None and capped.why == "search bound reached"
    assert capped.nodes == 1_001  # the node past the bound is where it stopped


def test_labels_normalised_by_replacement_as_by_translate() -> None:
    # normalize_label replaces characters one kind at a time (str.translate is slow on Chinese
    # text): the result is the table's translation, whatever the characters and their order
    from extractor.table_cells import _FULLWIDTH, _LABEL_TABLE, fullwidth_to_ascii, normalize_label

    mapped = "".join(chr(k) for k in _LABEL_TABLE)
    text = f"（六）其他处理 3、“其他”：{mapped}１２{mapped[::-1]}\u3000０．５"
    assert normalize_label(text) == re.sub(r"(\d)[、.]", r"\1.", text.translate(_LABEL_TABLE)).lstrip("#*")
    assert normalize_label("（三） 不予公开 1、属于") == "(三)不予公开1.属于"
    assert fullwidth_to_ascii(text) == text.translate(_FULLWIDTH)


def test_short_labels_normalised_as_by_translate() -> None:
    # short texts (cells, labels) take another path (the characters held, looked up once): the
    # result is still the table's translation, on both sides of the length where the paths part
    import random

    from extractor.table_cells import (
        _FULLWIDTH,
        _LABEL_TABLE,
        SHORT_TEXT,
        fullwidth_to_ascii,
        normalize_label,
    )

    alphabet = "".join(chr(k) for k in _LABEL_TABLE) + "".join(chr(k) for k in _FULLWIDTH) + "不予公开（）12、.#*a "
    rng = random.Random(15)
    for length in (*range(SHORT_TEXT - 3, SHORT_TEXT + 4), *range(1, 12)):
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(length))
            normalize_label.cache_clear()
            assert normalize_label(text) == re.sub(r"(\d)[、.]", r"\1.", text.translate(_LABEL_TABLE)).lstrip("#*")
            assert fullwidth_to_ascii(text) == text.translate(_FULLWIDTH)

def test_rows_printed_alike_are_searched_once() -> None:
    # table 三 run together prints many rows 0000000, each with its own 总计 and tied to the others
    # by the column sums: they split alike, so one search serves them all and each costs one
    # combination step (work counted in search nodes, not seconds)
    def table(names: list[str]) -> list[Any]:
        columns = [Identity((f"sum.{c}",), tuple(f"{n}.{c}" for n in names)) for c in APPLICANT_COLUMNS]
        return solve([request_row(n, "0000000") for n in names], [row_sum(n) for n in names] + columns,
                     {f"sum.{c}": 0 for c in APPLICANT_COLUMNS})

    [one] = table(["a"])
    many = table([f"r{i}" for i in range(10)])
    assert all(r.values == (0,) * 7 for r in many)
    assert one.nodes == 9  # 8 nodes down the one split of seven digits, 1 combination step
    assert many[0].nodes == 8 + 10  # the same search once, then one step per row


def test_table_four_run_together() -> None:
    blocks = TEMPLATE.review_blocks
    cells = tuple(f"{b}.{c}" for b in blocks for c in TEMPLATE.review_columns)
    identities = [Identity((f"{b}.total",), tuple(f"{b}.{c}" for c in TEMPLATE.review_columns[:-1])) for b in blocks]
    [result] = solve([Run("21317000001324019", cells)], identities, {})
    assert result.values == (2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19)


def test_table_four_run_read_block_by_block() -> None:
    # pingtan-2024's table 四 with its 行政复议 block made 1 | 10 | 0 | 0 | 11 (or 11 | 0 | 0 | 0 | 11):
    # the two litigation blocks are the same in both splits and are read; 行政复议 only in part
    text = (EVALSET / "full" / "pingtan-2024.txt").read_text(encoding="utf-8")
    assert text.count("21317000001324019") == 1
    tables = parse_tables_text(text.replace("21317000001324019", "1100011000001324019"))
    assert tables is not None
    review = tables["review_litigation"]
    gold = gold_of(EVALSET / "full" / "pingtan-2024.txt")["tables"]["review_litigation"]
    assert review["litigation_direct"] == gold["litigation_direct"]
    assert review["litigation_after_review"] == gold["litigation_after_review"]
    assert review["review"] == {"upheld": None, "corrected": None, "other": 0, "pending": 0, "total": 11}
    assert [u for u in tables["unread"] if u.startswith("review")] == ["review_litigation.review"]
    assert tables["cell_notes"]["review_litigation.review.upheld"] == (
        "run 1100011000001324019: 2 splits satisfy the table's identities")
    assert "review_litigation.review.total" not in tables["cell_notes"]


# ---------------------------------------------------------------------------- grids by column position

SPANS_2019 = FIXTURES / "trial-2019-spans.html"


def html_layout(path: Path) -> list[tuple[int, list[tuple[int, int, int, int, str]]]]:
    """Each <table> of a page as (columns, cells (row, column, rowspan, colspan, text))."""
    import lxml.html

    out = []
    for table in lxml.html.fromstring(path.read_bytes()).iter("table"):
        taken: set[tuple[int, int]] = set()
        cells = []
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for td in tr.iter("td"):
                while (r, c) in taken:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
                cells.append((r, c, rs, cs, td.text_content()))
                c += cs
        out.append((max(c + cs for _, c, _, cs, _ in cells), cells))
    return out


def layout_as_docx(path: Path, tmp: Path) -> Path:
    import docx

    document = docx.Document()
    paragraphs = iter(["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"])
    for width, cells in html_layout(path):
        document.add_paragraph(next(paragraphs))
        table = document.add_table(rows=max(r + rs for r, _, rs, _, _ in cells), cols=width)
        for r, c, rs, cs, text in cells:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
    document.add_paragraph("五、存在的主要问题及改进情况")
    out = tmp / "trial-2019-spans.docx"
    document.save(out)
    return out


def layout_as_pdf(path: Path, tmp: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK")
    cell_style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    story = []
    headings = iter(["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"])
    for width, cells in html_layout(path):
        story.append(Paragraph(next(headings), body))
        n_rows = max(r + rs for r, _, rs, _, _ in cells)
        data: list[list[Any]] = [[""] * width for _ in range(n_rows)]
        style = [("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]
        for r, c, rs, cs, text in cells:
            data[r][c] = Paragraph(text, cell_style)
            if rs > 1 or cs > 1:
                style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
        table = Table(data, colWidths=[(A4[0] - 144) / width] * width)
        table.setStyle(TableStyle(style))
        story.append(table)
    story.append(Paragraph("五、存在的主要问题及改进情况", body))
    out = tmp / "trial-2019-spans.pdf"
    SimpleDocTemplate(str(out), pagesize=A4).build(story)
    return out


@pytest.mark.parametrize("kind", ["html", "docx", "pdf"])
def test_data_rows_spanning_differently_from_their_header_are_placed_by_position(kind: str, tmp_path: Path) -> None:
    """2019 trial format: header 上一年项目数量 | 本年增/减 (colspan 2) | 处理决定数量 over rows
    value (colspan 2) | value | value — 0 spanning two columns beside a 0 is two cells, not three."""
    path = {"html": lambda: SPANS_2019, "docx": lambda: layout_as_docx(SPANS_2019, tmp_path),
            "pdf": lambda: layout_as_pdf(SPANS_2019, tmp_path)}[kind]()
    want = json.loads((FIXTURES / "trial-2019-spans.tables.json").read_text(encoding="utf-8"))
    tables = as_json(extract_file(path).tables)
    assert tables is not None and tables["format"] == "2019"
    assert only_tables(tables) == only_tables(want)
    assert "unread" not in tables


def test_a_row_that_lines_up_with_no_column_layout_is_unread_with_the_reason() -> None:
    header = [(1, 1), (2, 2), (4, 1)]  # 上一年项目数量 | 本年增/减 (colspan 2) | 处理决定数量
    # the layout: by position, cell k under column k
    assert fit_row(["0", "0", "4"], 3, spans=[(1, 2), (3, 1), (4, 1)], header=header) == (["0", "0", "4"], None)
    # two cells under three columns, the second spanning two of them: no placing
    cells, why = fit_row(["12", "5"], 3, spans=[(1, 2), (3, 2)], header=header)
    assert cells is None and why == "cells 12@1+2 | 5@3+2 do not line up with the header's columns 1+1 | 2+2 | 4+1"
    # a figure outside every column of the header is not dropped silently
    cells, why = fit_row(["1", "2", "3", "9"], 3, spans=[(1, 1), (2, 2), (4, 1), (5, 1)], header=header)
    assert cells is None and why is not None
    # a blank cell outside the header is layout
    assert fit_row(["1", "2", "3", ""], 3, spans=[(1, 1), (2, 2), (4, 1), (5, 1)], header=header) == (["1", "2", "3"], None)


def test_a_table_printed_with_labels_but_no_figures_is_all_null_and_unread() -> None:
    """dev/r124: the 2019 trial format's labels, one stray 0, no figures: tables, not null."""
    tables = parse_tables_text((EVALSET / "dev" / "r124.txt").read_text(encoding="utf-8"))
    assert tables is not None and tables["format"] == "2019"
    values = [v for v in cells(only_tables(tables)).values()]
    assert values and all(v is None for v in values)
    rows_2019 = [f"active.{s.key}" for s in TEMPLATE.active["2019"]] + [f"requests.{s.key}" for s in TEMPLATE.requests["2019"]]
    assert set(tables["unread"]) == {*rows_2019, *(f"review_litigation.{b}" for b in TEMPLATE.review_blocks)}
    # prose with a heading-like phrase and no table labels is still no table
    assert parse_tables_text("二、主动公开政府信息情况\n全年主动公开信息1300条。\n") is None


# ---------------------------------------------------------------------------- a magnitude word alone


@pytest.mark.parametrize("raw", ["万元", "（单位：万元）", "本年收费金额（单位：万元）", "单位：万元", "亿元"])
def test_a_magnitude_word_alone_is_no_cell(raw: str) -> None:
    value, _ = parse_cell(raw)
    assert value is None


def test_the_fee_header_never_gives_a_cell() -> None:
    """本年收费金额（单位：万元） heads the fee row: its 万 is never 10000, whatever the layout."""
    header = "第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n"
    for fee_row, want in (("行政事业性收费\t18651.06\n", 18651.06), ("行政事业性收费\t/\n", None),
                          ("行政事业性收费\t\n", None)):
        text = "二、主动公开政府信息情况\n" + header + fee_row + "三、收到和处理政府信息公开申请情况\n"
        tables = parse_tables_text(text)
        got = tables["active"]["fees"] if tables else None
        assert got == want
    # grids: the header row and a fee row printed blank
    grid = [["第二十条第（八）项"] * 2, ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", ""]]
    tables = parse_tables_grids([grid])
    assert tables is None or tables["active"]["fees"] is None
    # run together (pingtan-2024): the header runs into the label, the figure after it
    pingtan = parse_tables_text((EVALSET / "full" / "pingtan-2024.txt").read_text(encoding="utf-8"))
    assert pingtan is not None and pingtan["active"]["fees"] == 18651.06
    assert 10000 not in cells(only_tables(pingtan)).values()
    run_without_figure = ("标题\n" + "正文" * 120 + "二、主动公开政府信息情况第二十条第（八）项信息内容本年收费金额（单位：万元）"
                          "行政事业性收费三、收到和处理政府信息公开申请情况申请人情况五、存在的主要问题及改进情况无。\n")
    tables = parse_tables_text(run_without_figure)
    assert tables is None or tables["active"]["fees"] is None


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
def test_rows_on_their_own_lines_with_cells_run_together(fixture: str) -> None:
    """A conversion that keeps one row per line but drops every cell separator."""
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    tables = parse_tables_text(write(rows_2021(want), lambda kind, row_cells: ["".join(row_cells)]))
    assert tables is not None
    assert tables["requests"] == want["requests"]
    assert tables["review_litigation"] == want["review_litigation"]
    unread = set(tables.get("unread", []))
    assert all(tables["active"][k] == v or f"active.{k}" in unread for k, v in want["active"].items())


def test_a_figure_set_apart_from_its_label_is_never_split() -> None:
    """``规章 100`` under three columns lost two figures: it is not 1 | 0 | 0 (glued ``规章100`` would be)."""
    text = "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n{}\n行政许可 5\n三、收到和处理政府信息公开申请情况\n"
    for row in ("规章 100", "规章\t100", "| 规章 | 100 |"):
        tables = parse_tables_text(text.format(row))
        assert tables is not None and tables["active"]["rules"] == dict.fromkeys(("issued", "repealed", "in_force"))
        assert "active.rules" in tables["unread"]
    glued = parse_tables_text(text.format("规章100"))
    assert glued is not None and glued["active"]["rules"] == {"issued": 1, "repealed": 0, "in_force": 0}


def test_a_long_introduction_listing_the_parts_is_not_cut_into_tables() -> None:
    """Inline headings are cut out only where the text after them is their table."""
    intro = ("本报告共分六个部分：一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；"
             "四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的事项。") * 3
    seed = SEED.read_text(encoding="utf-8")
    assert unrun(intro + "\n" + seed) == intro + "\n" + seed
    assert parse_tables_text(intro + "\n" + seed) == parse_tables_text(seed)


@pytest.mark.parametrize("one_line", [False, True])
def test_2019_trial_format_run_together(one_line: bool) -> None:
    text = run_together(rows_2019()) if one_line else write(rows_2019(), lambda kind, row_cells: ["".join(row_cells)])
    tables = parse_tables_text(text)
    assert tables is not None and tables["format"] == "2019"
    for key, (_, values) in TRIAL_2019_REQUESTS.items():
        assert tables["requests"][key] == dict(zip(REQUEST_COLUMNS, values, strict=True)), key
    assert tables["review_litigation"] == TRIAL_2019_REVIEW
    # table 二: read where one split is possible (规章000, 行政事业性收费20), else unread — never a guess;
    # a signed change glued on (行政许可1215-351180) is no run at all
    unread = set(tables["unread"])
    assert {"active.rules", "active.fees"}.isdisjoint(unread)
    for key, value in TRIAL_2019_ACTIVE.items():
        assert tables["active"][key] == value or f"active.{key}" in unread, key


def test_a_stray_figure_fills_only_the_one_blank_cell_the_identities_fix_to_it() -> None:
    want = json.loads((FIXTURES / "shuyang-2025.tables.json").read_text(encoding="utf-8"))
    forward = want["requests"]["carried_forward"]
    assert forward["total"] and forward["total"] == sum(v for k, v in forward.items() if k != "total")
    lines = write(rows_2021(want), pipe_lines).splitlines()
    at = next(i for i, line in enumerate(lines) if "四、结转下年度继续办理" in line)
    figures = [str(v) for v in forward.values()]

    def with_row(*row: str, stray: bool = True) -> dict[str, Any] | None:
        """The row's label on a line of its own (a wrapped label cell), the stray figure, the row's cells."""
        label = ["四、结转下年度继续办理", *([str(forward["total"])] if stray else [])]
        return parse_tables_text("\n".join([*lines[:at], *label, "| " + " | ".join(row) + " |", *lines[at + 1 :]]))

    # the 总计 cell printed blank, its figure on a line of its own between the label and the cells
    tables = with_row(*figures[:-1], "")
    assert tables is not None and tables["requests"]["carried_forward"] == forward
    assert tables["read_by_arithmetic"] == ["requests.carried_forward"]
    # without the stray figure the blank stays blank: the identities alone never fill a cell
    tables = with_row(*figures[:-1], "", stray=False)
    assert tables is not None and tables["requests"]["carried_forward"]["total"] is None
    # a row printed wholly blank is blank: a stray figure does not fill it
    tables = with_row(*[""] * 7)
    assert tables is not None and set(tables["requests"]["carried_forward"].values()) == {None}
    assert "read_by_arithmetic" not in tables
    # blanks at both ends of a row, more than one way to drop them: the row is not shifted by a guess
    tables = with_row("", "", *figures[:-1], "", stray=False)
    assert tables is not None and "requests.carried_forward" in tables["unread"]


def test_equal_figures_side_by_side_in_text_are_cells_not_one_spanned_cell() -> None:
    """In a printed line a spanned cell is printed once: ``2 2 0`` under two columns is not ``2 | 0``."""
    assert fit_row(["2", "2", "0"], 2) == (None, "3 cells for 2 columns: 2 | 2 | 0")
    # an expanded grid (a colspan repeated in every slot it covers) still reads as one cell
    assert fit_cells(["97", "97", "97"], 1) == (["97"], None)


def test_many_open_rows_settled_together_by_a_column_sum() -> None:
    """Twelve runs 11011 (1|10|11 or 11|0|11 each, 4096 combinations): a column sum of 12 fixes
    every one, a sum of 22 (one row 11, which one unknown) fixes none — quickly either way."""
    runs = [Run("11011", (f"r{i}.a", f"r{i}.b", f"r{i}.t")) for i in range(12)]
    identities = [Identity((f"r{i}.t",), (f"r{i}.a", f"r{i}.b")) for i in range(12)]
    identities.append(Identity(tuple(f"r{i}.a" for i in range(12)), ("sum",)))
    fixed = solve(runs, identities, {"sum": 12})
    assert all(r.values == (1, 10, 11) for r in fixed)
    open_ = solve(runs, identities, {"sum": 22})
    assert all(r.values is None and r.splits == 2 for r in open_)
    # quickly: the ranges prune the 4,096 combinations (work counted in search nodes, not seconds)
    assert fixed[0].nodes < 1_000 and open_[0].nodes < 1_000


def test_a_signed_change_run_together_is_no_run_to_split() -> None:
    """行政许可396-5181 (396 | -5 | 181): the digits before the sign are not the row's cells."""
    line = ("标题\n" + "正文" * 120 + "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
            "规章000第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可396-5181其他对外管理服务事项100153"
            "三、收到和处理政府信息公开申请情况申请人情况五、存在的主要问题及改进情况无。\n")
    tables = parse_tables_text(line)
    assert tables is not None and tables["format"] == "2019"
    assert tables["active"]["rules"] == {"made": 0, "published": 0, "total": 0}
    assert tables["active"]["licensing"] == dict.fromkeys(("previous", "change", "decisions"))
    assert "active.licensing" in tables["unread"]


@pytest.mark.parametrize("fixture", ["shuyang-2025.tables.json", "longting-2024.tables.json"])
def test_each_table_on_one_line_with_cells_run_together(fixture: str) -> None:
    """A conversion that keeps the headings on their lines but runs each table onto one line."""
    want = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    text = "\n".join([PROSE_BEFORE, *(f"{HEADINGS[name]}\n" + "".join("".join(c) for _, c in rows)
                                      for name, rows in rows_2021(want).items()), PROSE_AFTER])
    tables = parse_tables_text(text)
    assert tables is not None
    assert tables["requests"] == want["requests"]
    assert tables["review_litigation"] == want["review_litigation"]
    unread = set(tables.get("unread", []))
    assert all(tables["active"][k] == v or f"active.{k}" in unread for k, v in want["active"].items())


def test_blank_grid_cells_under_a_spanned_header_column() -> None:
    # 本年处理决定数量 (colspan 3) over 97 | (blank) | (blank): one figure, under its one column
    assert fit_row(["97", "", ""], 1, spans=[(1, 1), (2, 1), (3, 1)], header=[(1, 3)]) == (["97"], None)
    # a printed figure in the second of three columns, the others blank cells of the grid
    header = [(1, 1), (2, 1), (3, 1)]
    assert fit_row(["", "5", ""], 3, spans=[(1, 1), (2, 1), (3, 1)], header=header) == (["", "5", ""], None)
    # two figures under one column: unread
    cells, why = fit_row(["1", "2"], 1, spans=[(1, 1), (2, 1)], header=[(1, 3)])
    assert cells is None and why


def test_spanned_grid_cells_keep_their_mark_through_traditional_script(tmp_path: Path) -> None:
    """The 2019 trial-format page in traditional characters: the colspans still read as one cell each."""
    page = SPANS_2019.read_text(encoding="utf-8")
    for simplified, traditional in (("行政许可", "行政許可"), ("处理决定数量", "處理決定數量"), ("规范性文件", "規範性文件"),
                                    ("项目数量", "項目數量"), ("行政处罚", "行政處罰"), ("行政强制", "行政強制")):
        page = page.replace(simplified, traditional)
    path = tmp_path / "traditional.html"
    path.write_text(page, encoding="utf-8")
    want = json.loads((FIXTURES / "trial-2019-spans.tables.json").read_text(encoding="utf-8"))
    tables = as_json(extract_file(path).tables)
    assert tables is not None and tables["active"] == want["active"]
    assert "unread" not in tables


def test_prose_naming_table_rows_is_no_table() -> None:
    """A report that tells its figures in prose under the table headings has no tables (null)."""
    prose = ("二、主动公开政府信息情况\n本年度制发规章\n严格规范行政许可\n依法实施行政处罚\n审慎使用行政强制\n"
             "三、收到和处理政府信息公开申请情况\n全年予以公开的申请均按时答复\n涉及国家秘密的依法不予公开\n"
             "四、政府信息公开行政复议、行政诉讼情况\n本年度未发生行政复议。\n")
    assert parse_tables_text(prose) is None


def test_a_row_printed_blank_over_more_slots_than_columns_is_blank() -> None:
    assert fit_cells(["", "", ""], 1) == ([""], None)
    assert fit_cells(["", "5", ""], 1) == (["5"], None)  # one way only: both blanks go
    # two ways (5 | blank or blank | 5): not guessed
    assert fit_cells(["", "", "5", ""], 2) == (None, "4 cells for 2 columns, blank at both ends:  |  | 5 | ")
