"""Table layouts first met in complete reports the extractor had not seen (issue #13).

Every example is synthetic or paraphrased: the figures of a bundled fixture, printed the way
those reports print them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .test_tables import FIXTURES, parse_tables_text, rows_2021, run_together


def _shuyang() -> dict[str, Any]:
    return json.loads((FIXTURES / "shuyang-2025.tables.json").read_text(encoding="utf-8"))


def test_a_run_together_table_whose_columns_do_not_add_up_is_read_row_by_row() -> None:
    # a crawled report whose table 三 breaks its own column sums (a row's figures differ from the
    # 总计 row's), while each row keeps 总计 = the six applicant columns: no split of the whole
    # table holds every identity, but each row's run has one split its own sum allows
    printed = copy.deepcopy(_shuyang())
    granted = printed["requests"]["granted"]
    granted["natural_person"] += 5
    granted["total"] += 5
    tables = parse_tables_text(run_together(rows_2021(printed)))
    assert tables is not None
    read = printed_ones = 0
    for key, row in printed["requests"].items():
        for column, value in row.items():
            got = tables["requests"][key][column]
            assert got in (None, value), (key, column)  # as printed, never changed to fit the columns
            read += got is not None
            printed_ones += 1
        if None in tables["requests"][key].values():  # 99 | 0 … | 99 is also 9 | 90 … | 99: left open
            assert f"requests.{key}" in tables["unread"]
            notes = [tables["cell_notes"][f"requests.{key}.{c}"] for c, v in tables["requests"][key].items() if v is None]
            assert notes and all("splits satisfy" in n for n in notes)
    assert read >= printed_ones - 2 * 7  # all but the two rows their own sum leaves open
    assert tables["requests"]["granted"] == printed["requests"]["granted"]
    assert tables["requests"]["total"] == printed["requests"]["total"]
    assert "requests.granted" in tables["read_by_arithmetic"]


def test_a_row_its_own_sum_leaves_open_stays_unread_when_the_columns_do_not_add_up() -> None:
    printed = copy.deepcopy(_shuyang())
    printed["requests"]["granted"]["natural_person"] += 5
    printed["requests"]["granted"]["total"] += 5
    # 1 | 10 | 0 | 0 | 0 | 0 | 11 runs together as 110000011, which 11 | 0 | 0 | 0 | 0 | 0 | 11 also is
    printed["requests"]["denied.third_party"] = dict(zip(printed["requests"]["denied.third_party"],
                                                         (1, 10, 0, 0, 0, 0, 11), strict=True))
    tables = parse_tables_text(run_together(rows_2021(printed)))
    assert tables is not None
    assert "requests.denied.third_party" in tables["unread"]
    assert tables["requests"]["denied.third_party"]["business"] is None
    assert "2 splits" in tables["cell_notes"]["requests.denied.third_party.business"]
    # the rows each read alone still hold their printed figures
    assert tables["requests"]["granted"] == printed["requests"]["granted"]
    assert tables["requests"]["total"] == printed["requests"]["total"]


def test_a_table_that_adds_up_is_still_solved_as_a_whole() -> None:
    want = _shuyang()
    tables = parse_tables_text(run_together(rows_2021(want)))
    assert tables is not None and tables["requests"] == want["requests"]


def test_table_four_run_together_under_a_heading_worded_otherwise_is_found_by_its_header() -> None:
    # a crawl whose heading of table 四 is misworded (四、政府信息公开行政法复议…): the line still
    # prints the table's header (行政复议 行政诉讼 结果维持 …), which starts the table as the
    # markers do in line layouts
    want = _shuyang()
    text = run_together(rows_2021(want))
    heading = "四、政府信息公开行政复议、行政诉讼情况"
    assert heading in text
    tables = parse_tables_text(text.replace(heading, "四、政府信息公开行政法复议、行政诉讼情况"))
    assert tables is not None
    assert tables["review_litigation"] == want["review_litigation"]
    assert tables["requests"] == want["requests"]
    assert not [u for u in tables.get("unread", []) if not u.startswith("active.")]


def spaced_on_one_line(tables: dict[str, list[tuple[str, list[str]]]]) -> str:
    """A crawl that keeps one line per report but a space between every two cells (labels too)."""
    text = run_together(tables)
    for rows in tables.values():
        for _, row_cells in rows:
            text = text.replace("".join(row_cells), " ".join(c for c in row_cells if c), 1)
    return text


def test_figures_a_space_parts_one_per_cell_on_a_one_line_crawl_are_the_cells() -> None:
    want = _shuyang()
    text = spaced_on_one_line(rows_2021(want))
    assert "行政规范性文件 " in text  # label, then figures each set apart
    tables = parse_tables_text(text)
    assert tables is not None
    # table 二 has no identity to split a run by: the spaces alone tell its cells apart
    assert tables["active"] == want["active"]
    assert tables["requests"] == want["requests"]
    assert tables["review_litigation"] == want["review_litigation"]
    assert "unread" not in tables


def test_stray_spaces_that_part_fewer_figures_than_cells_leave_a_run_to_split() -> None:
    # 20 | 0 | 0 | 0 | 0 | 1 | 21 crawled as 200 000121: two parts for seven cells, split by the row's sum
    printed = copy.deepcopy(_shuyang())
    printed["requests"]["new"] = dict(zip(printed["requests"]["new"], (20, 0, 0, 0, 0, 1, 21), strict=True))
    text = run_together(rows_2021(printed))
    assert "200000121" in text
    tables = parse_tables_text(text.replace("200000121", "200 000121"))
    assert tables is not None
    assert tables["requests"]["new"] == printed["requests"]["new"]
    assert "requests.new" in tables["read_by_arithmetic"]


def test_table_four_whose_printed_block_sum_fails_is_read_when_its_digits_allow_one_split() -> None:
    # fifteen digits for fifteen cells: one digit each, whatever the sums; a block printing a
    # corrected case beside a total of 0 is read as printed and left to the checks to flag
    want = _shuyang()
    text = run_together(rows_2021(want))
    run = "".join(str(v) for block in want["review_litigation"].values() for v in block.values())
    assert run in text
    tables = parse_tables_text(text.replace(run, "010000000000000"))
    assert tables is not None
    assert tables["review_litigation"]["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 0}
    assert tables["review_litigation"]["litigation_direct"]["total"] == 0
    assert not [u for u in tables.get("unread", []) if u.startswith("review_litigation")]


def test_a_signed_change_run_together_is_read_where_the_sign_leaves_one_split() -> None:
    # the 2019 format's 本年增/减 printed with its sign: the figures before the sign are the
    # previous count, the sign starts the change; 5+12 is 5 | +1 | 2, 42-17 (two cells) 42 | -17,
    # and 396-5181 (396 | -5 | 181, -51 | 81 or -518 | 1) stays unread
    line = ("标题\n" + "正文" * 120 + "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
            "规章000第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可5+12其他对外管理服务事项396-5181"
            "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费42-17"
            "三、收到和处理政府信息公开申请情况申请人情况五、存在的主要问题及改进情况无。\n")
    tables = parse_tables_text(line)
    assert tables is not None and tables["format"] == "2019"
    assert tables["active"]["licensing"] == {"previous": 5, "change": 1, "decisions": 2}
    assert tables["active"]["fees"] == {"previous": 42, "change": -17}
    assert tables["active"]["other_services"] == dict.fromkeys(("previous", "change", "decisions"))
    assert "active.other_services" in tables["unread"]
    assert "active.licensing" not in tables["unread"] and "active.fees" not in tables["unread"]
