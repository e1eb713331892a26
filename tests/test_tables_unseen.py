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
