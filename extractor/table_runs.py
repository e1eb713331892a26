"""Run-together cells: a row's figures printed as one run of digits, split by the table's arithmetic.

A crawled text may print ``行政规范性文件6233440`` for the three cells 62 | 33 | 440. The run is
split into the row's cells so that every identity the table holds is satisfied (a row's 总计
is the sum of its applicant columns, 一 + 二 = (七) + 四, …). ``solve`` searches every split of
every run with pruning and returns, for each run, its cells when they take the same values in
every split of the whole table that satisfies the identities, and otherwise the number of
splits found. Nothing is guessed: a run whose split the identities do not fix stays unread.

A figure the report's prose states for the same cells (``Statement``: 本年度制发行政规范性文件62件
for table 二's 本年制发件数) narrows the splits found, never widens them: a split whose cells
disagree with the statement is dropped; but where any statement contradicts the table (no
split agrees with it, or the printed cells it states sum to something else) the prose counts
something else, no statement is used, and the table stands on its own. A cell is filled when every
split left gives it the same value, so a run may be read in part (62 | ? | ?). The prose only
chooses among readings of the printed digits; it never supplies a figure.

The search is bounded (``BUDGET`` nodes); a run too long to search in that bound stays unread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

Number = int | float

BUDGET = 30_000  # search nodes over one table: a few tenths of a second at most
MAX_CELL_CHARS = 16  # a printed cell: counts, amounts in 元 like 75394432.52
MAX_SOLUTIONS = 1_000  # splits of a whole table counted before the count is given as "at least"

# A part of a run: a count (no leading zero except 0 itself), or a decimal where the table allows it.
_INTEGER = re.compile(r"0|[1-9]\d*")
_DECIMAL = re.compile(r"(?:0|[1-9]\d*)\.\d+")


@dataclass(frozen=True, slots=True)
class Run:
    """One run of digits (whitespace removed) and the cell keys it holds, in order."""

    digits: str
    cells: tuple[str, ...]
    decimals: frozenset[str] = frozenset()  # cells that may hold a decimal (money columns of table 二)


@dataclass(frozen=True, slots=True)
class Identity:
    """sum(left) == sum(right) over cell keys."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    # both sides' keys, as a tuple and a set: read at every node of the search, so made once
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    key_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", self.left + self.right)
        object.__setattr__(self, "key_set", frozenset(self.keys))


@dataclass(frozen=True, slots=True)
class Statement:
    """sum(keys) == value, as the report's prose states it (``source``: the narrative field)."""

    keys: tuple[str, ...]
    value: Number
    source: str


@dataclass(slots=True)
class RunResult:
    """A run's cells when the identities fix them, else how many splits were found."""

    values: tuple[Number, ...] | None
    splits: int  # splits of the run found among the table's solutions (at least this many if capped)
    capped: bool = False  # the search stopped at its bound
    checked: bool = True  # some identity bears on the run (else only the number grammar splits it)
    cells: tuple[Number | None, ...] = ()  # each cell's value where every split left agrees, else None
    narrowed_by: tuple[Statement, ...] = ()  # the prose statements that dropped splits
    nodes: int = 0  # search nodes spent on the run's group (at most the bound + 1): work counted, not timed

    @property
    def why(self) -> str:
        if self.values is not None:
            return ""
        if self.capped:
            return "search bound reached"
        after = "".join(f" after {s.source} = {_fmt(s.value)}" for s in self.narrowed_by)
        if not self.checked:
            return f"{self.splits} splits possible{after}, no identity decides"
        if self.splits == 0:
            return "no split satisfies the table's identities"
        return f"{self.splits} splits satisfy the table's identities{after}"


def _fmt(value: Number) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


class _OutOfBudget(Exception):
    pass


@dataclass(slots=True)
class _Budget:
    left: int

    def step(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OutOfBudget


@dataclass(slots=True)
class _Search:
    runs: Sequence[Run]
    identities: Sequence[Identity]
    fixed: dict[str, Number]
    budget: _Budget
    values: dict[str, Number] = field(default_factory=dict)
    ranges: dict[str, tuple[Number, Number]] = field(default_factory=dict)  # cell → (min, max) over its splits


def _part_value(part: str, decimals: bool) -> Number | None:
    """The value of a part of a run, or None where no printed cell reads so (``07``, ``1.``)."""
    if part.isascii() and part.isdigit():  # the usual part, without a regular expression
        return int(part) if part[0] != "0" or len(part) == 1 else None
    if _INTEGER.fullmatch(part):
        return int(part)
    if decimals and _DECIMAL.fullmatch(part):
        return float(part)
    return None


def _meet(lo0: float, hi0: float, lo1: float, hi1: float) -> bool:
    """Whether two sums, each known to lie in [lo, hi], can be equal (exactly, once both are known)."""
    return lo0 <= hi1 + 1e-9 and lo1 <= hi0 + 1e-9


_INF = float("inf")


class _Local(NamedTuple):
    """An identity one run can be tested on alone (its other cells printed), as the split search
    reads it at every node: the printed part of each side, summed once, and where the run's
    cells stand. The search assigns the run's cells in order, so after cell i the cells before
    it are known and those after it open: running sums replace walking the identity per node.
    Two runs with the same digits and equal ``_Local``s have the same splits. (A named tuple: made
    and hashed for every run of a table, which a dataclass's Python ``__init__`` and ``__hash__`` slowed.)"""

    left: Number  # the printed cells of each side, summed
    right: Number
    # per cell i of the run: how often it stands on the left and on the right, and how often the
    # cells after it do on each side (None: a side holding a cell neither printed nor the run's,
    # which may take any count)
    steps: tuple[tuple[int, int, int | None, int | None], ...]
    forces: tuple[bool, ...]  # per cell i: the only cell left unknown, once each before it is known

    @classmethod
    def of(cls, identity: Identity, run: Run, fixed: dict[str, Number]) -> _Local:
        index = {c: i for i, c in enumerate(run.cells)}
        sums: list[Number] = [0, 0]
        unbounded = [False, False]
        sides = [[0, 0] for _ in run.cells]
        for side, keys in enumerate((identity.left, identity.right)):
            for key in keys:
                if (i := index.get(key)) is not None:
                    sides[i][side] += 1
                elif (value := fixed.get(key)) is None:
                    unbounded[side] = True
                else:
                    sums[side] += value
        steps: list[tuple[int, int, int | None, int | None]] = []
        left, right = 0, 0  # occurrences of the cells after the one at hand
        for on_left, on_right in reversed(sides):
            steps.append((on_left, on_right, None if unbounded[0] else left, None if unbounded[1] else right))
            left, right = left + on_left, right + on_right
        last = len(sides) - 1  # the run's last cell the identity holds
        while last >= 0 and not (sides[last][0] or sides[last][1]):
            last -= 1
        forces = [False] * len(sides)
        if last >= 0 and sides[last][0] + sides[last][1] == 1 and not (unbounded[0] or unbounded[1]):
            forces[last] = True
        return cls(sums[0], sums[1], tuple(reversed(steps)), tuple(forces))


def _locals(run: Run, holding: Sequence[int], unprinted: Sequence[tuple[Identity, frozenset[str]]],
            fixed: dict[str, Number]) -> tuple[_Local, ...]:
    """The identities this run alone can test: every other cell printed (cells of other runs are
    unknown here, and an identity with an unknown on each side cannot prune; _combine tests it).
    ``holding``: the identities (their indices) with a cell of the run, in order; ``unprinted``:
    each identity with its cells not in ``fixed``, worked out once per table."""
    cells = set(run.cells)
    return tuple(_Local.of(unprinted[n][0], run, fixed) for n in holding if unprinted[n][1] <= cells)


def _run_splits(run: Run, local: Sequence[_Local], budget: _Budget) -> list[tuple[Number, ...]]:
    """Every split of one run that its local identities (``_locals``) allow."""
    k, text = len(run.cells), run.digits
    found: list[tuple[Number, ...]] = []
    chosen: list[Number] = []
    # per cell i, per local identity: its ``_Local.steps`` entry, read at every node
    steps = [[loc.steps[i] for loc in local] for i in range(k)] if local else [[]] * k
    # per cell i: the first local identity whose only unknown cell it is (it gives the cell's value)
    forcing: list[int | None] = [None] * k
    for j in reversed(range(len(local))):  # the first wins: set last
        for i, forces in enumerate(local[j].forces):
            if forces:
                forcing[i] = j
    decimal = [c in run.decimals for c in run.cells]

    n = len(text)

    def dfs(i: int, pos: int, sums: list[tuple[Number, Number]]) -> None:
        # sums: each local identity's known part of its two sides (printed cells, cells before i)
        budget.left -= 1  # budget.step(), inline: called at every node
        if budget.left < 0:
            raise _OutOfBudget
        if i == k:
            if pos == n:
                found.append(tuple(chosen))
            return
        forced: Number | None = None
        if (j := forcing[i]) is not None:
            ls, rs = sums[j]
            forced = rs - ls if steps[i][j][0] else ls - rs
        last_end = min(n - (k - i - 1), pos + MAX_CELL_CHARS)
        if n - pos > (k - i) * MAX_CELL_CHARS:
            return  # the cells left cannot hold the characters left
        if i == k - 1:
            ends: Sequence[int] = [n]
        elif forced is not None:
            shown = _show(forced)
            ends = [pos + len(shown)] if shown is not None and text.startswith(shown, pos) else []
        else:
            ends = range(pos + 1, last_end + 1)
        cell_steps, cell_decimal = steps[i], decimal[i]
        for end in ends:
            if end > last_end:
                break
            part = text[pos:end]
            if part.isascii() and part.isdigit():  # _part_value's usual case, inline
                value: Number | None = int(part) if part[0] != "0" or end == pos + 1 else None
            else:
                value = _part_value(part, cell_decimal)
            if value is None:
                if text[pos] == "0" and end > pos + 1 and "." not in part:
                    break  # a leading zero stays a leading zero however long the part
                continue
            if forced is not None and value != forced:
                continue
            if not cell_steps:  # no local identity: nothing to test
                chosen.append(value)
                dfs(i + 1, end, sums)
                chosen.pop()
                continue
            # an unassigned cell has at most (characters left − cells left after it) digits
            bound = 10.0 ** max(min(n - end - (k - i - 2), MAX_CELL_CHARS), 0)
            after = []
            for (on_left, on_right, open_left, open_right), (ls, rs) in zip(cell_steps, sums, strict=True):
                ls, rs = ls + on_left * value, rs + on_right * value
                # _meet(ls, left's bound, rs, right's bound), inline: tried for every candidate cell
                if (ls > (_INF if open_right is None else rs + open_right * bound) + 1e-9
                        or rs > (_INF if open_left is None else ls + open_left * bound) + 1e-9):
                    break
                after.append((ls, rs))
            else:
                chosen.append(value)
                dfs(i + 1, end, after)
                chosen.pop()

    dfs(0, 0, [(loc.left, loc.right) for loc in local])
    return found


def _show(value: Number) -> str | None:
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return str(value) if value >= 0 else None


def solve(runs: Sequence[Run], identities: Sequence[Identity], fixed: dict[str, Number],
          budget: int = BUDGET, stated: Sequence[Statement] = ()) -> list[RunResult]:
    """Split every run; a run's cells are filled when every solution of the table gives them the same values.

    ``fixed`` holds the cells read otherwise (a blank cell counts as 0, as in the checks);
    identities with a cell that is neither fixed nor in a run are left out (nothing to test).
    Runs that share no identity are solved apart (each with its own bound). ``stated``: figures
    the prose gives for sums of the table's cells, which narrow the solutions (module docstring).
    """
    known = {c for r in runs for c in r.cells}.union(fixed)  # cells in a run or read otherwise
    usable = [i for i in identities if i.key_set <= known]
    found: list[tuple[list[int], list[dict[int, tuple[Number, ...]]] | None, bool, list[Statement]]] = []
    nodes: dict[int, int] = {}
    for group in _groups(runs, usable):
        cells = {c for r in group for c in runs[r].cells}
        linked = [i for i in usable if not i.key_set.isdisjoint(cells)]
        # a statement bears on this group when its cells are this group's or fixed
        told = [st for st in stated if cells & set(st.keys) and all(k in cells or k in fixed for k in st.keys)]
        solutions, spent = _solve_group([runs[r] for r in group], linked, fixed, budget)
        nodes.update(dict.fromkeys(group, spent))
        found.append((group, solutions, bool(linked), told))
    trusted = _prose_agrees(found, runs, stated, fixed)
    out: dict[int, RunResult] = {}
    for group, solutions, checked, told in found:
        if solutions is None:  # out of budget, or solutions not all found: nothing can be judged
            for r in group:
                out[r] = RunResult(None, 0, capped=True, checked=checked, nodes=nodes[r])
            continue
        narrowed_by: tuple[Statement, ...] = ()
        if trusted and told:
            at = _cells_at(group, runs)
            narrowed = [sol for sol in solutions if all(_holds(st, sol, at, fixed) for st in told)]
            if narrowed:  # else the statements, each agreeing with some solution, disagree among themselves
                narrowed_by = tuple(st for st in told if len(narrowed) < len(solutions)
                                    and not all(_holds(st, sol, at, fixed) for sol in solutions))
                solutions = narrowed
        for i, r in enumerate(group):
            out[r] = _result([sol[i] for sol in solutions], runs[r], checked,
                             tuple(st for st in narrowed_by if set(st.keys) & set(runs[r].cells)), nodes[r])
    return [out[r] for r in range(len(runs))]


def _result(splits: list[tuple[Number, ...]], run: Run, checked: bool, by: tuple[Statement, ...],
            nodes: int) -> RunResult:
    seen = set(splits)
    if len(seen) == 1:
        values = next(iter(seen))
        return RunResult(values, 1, checked=checked, cells=values, narrowed_by=by, nodes=nodes)
    agreed = tuple(column.pop() if len(column := set(c)) == 1 else None for c in zip(*seen, strict=True))
    return RunResult(None, len(seen), checked=checked, cells=agreed or (None,) * len(run.cells), narrowed_by=by,
                     nodes=nodes)


def _cells_at(group: Sequence[int], runs: Sequence[Run]) -> dict[str, tuple[int, int]]:
    """Cell key → (run within the group, cell within the run): where a solution holds each cell."""
    return {c: (i, j) for i, r in enumerate(group) for j, c in enumerate(runs[r].cells)}


def _holds(st: Statement, sol: dict[int, tuple[Number, ...]], at: dict[str, tuple[int, int]],
           fixed: dict[str, Number]) -> bool:
    """Whether the solution (``at``: ``_cells_at`` of its group) gives the stated sum; a cell not
    in its runs is read from ``fixed``. Looked up key by key: tried on every solution."""
    total: Number = 0
    for k in st.keys:
        if k in at:
            i, j = at[k]
            total += sol[i][j]
        else:
            total += fixed[k]
    return abs(total - st.value) < 1e-9


def _prose_agrees(found: Sequence[tuple[list[int], list[dict[int, tuple[Number, ...]]] | None, bool, list[Statement]]],
                  runs: Sequence[Run], stated: Sequence[Statement], fixed: dict[str, Number]) -> bool:
    """Whether the prose may choose among this table's splits: none of its figures contradicts the table.

    A figure contradicts the table when the cells it states are all read otherwise and sum to
    something else, or when no solution of the runs holding them agrees with it: the prose then
    counts another scope (an area's requests beside a body's table) and chooses nothing here.
    """
    for st in stated:
        if all(k in fixed for k in st.keys) and abs(sum(fixed[k] for k in st.keys) - st.value) >= 1e-9:
            return False
    for group, solutions, _, told in found:
        if solutions is None or not told:
            continue
        at = _cells_at(group, runs)
        if any(not any(_holds(st, sol, at, fixed) for sol in solutions) for st in told):
            return False
    return True


def _groups(runs: Sequence[Run], identities: Sequence[Identity]) -> list[list[int]]:
    """Runs joined by the identities they share (connected components)."""
    owner = {c: r for r, run in enumerate(runs) for c in run.cells}
    parent = list(range(len(runs)))

    def root(r: int) -> int:
        while parent[r] != r:
            parent[r] = r = parent[parent[r]]  # halving the path: table 三's identities join every row
        return r

    for identity in identities:
        members = {owner[k] for k in identity.keys if k in owner}  # the identity's few keys, not every run cell
        if len(members) < 2:
            continue
        joined = root(members.pop())
        for r in members:
            if (other := root(r)) != joined:
                parent[other] = joined
    groups: dict[int, list[int]] = {}
    for r in range(len(runs)):
        groups.setdefault(root(r), []).append(r)
    return list(groups.values())


def _solve_group(runs: Sequence[Run], identities: Sequence[Identity], fixed: dict[str, Number],
                 budget: int) -> tuple[list[dict[int, tuple[Number, ...]]] | None, int]:
    """Every split of the runs together that satisfies the identities (run index → its cells),
    or None when the bound stopped the search before all were found; and the nodes searched."""
    s = _Search(runs, identities, fixed, _Budget(budget))
    solutions, capped = _search_group(runs, identities, fixed, s)
    return (None if capped else solutions), budget - s.budget.left


def _search_group(runs: Sequence[Run], identities: Sequence[Identity], fixed: dict[str, Number],
                  s: _Search) -> tuple[list[dict[int, tuple[Number, ...]]], bool]:
    try:
        # 1. each run alone, against the identities it can be tested on so far
        candidates: list[list[tuple[Number, ...]]] = []
        # each cell's range over its run's splits: partly assigned identities are tested against it
        s.ranges = {}
        searched: dict[tuple[object, ...], tuple[list[tuple[Number, ...]], list[tuple[Number, Number]]]] = {}
        unprinted = [(i, i.key_set - fixed.keys()) for i in identities]
        by_cell: dict[str, list[int]] = {}
        for n, i in enumerate(identities):
            for key in i.key_set:
                by_cell.setdefault(key, []).append(n)
        # per run: the identities with a cell of it (their indices, in order), for its local
        # identities here and the identities its splits are tested against below
        holding = [sorted({n for c in run.cells for n in by_cell.get(c, ())}) for run in runs]
        for run, held in zip(runs, holding, strict=True):
            # runs alike (0000000 on many rows, each with its own 总计 identity) split alike: searched once
            local = _locals(run, held, unprinted, fixed)
            alike = (run.digits, tuple(c in run.decimals for c in run.cells), local)
            if alike not in searched:
                splits = _run_splits(run, local, s.budget)
                # the ranges are read by _possible only, which tests identities: none, no ranges
                ranges = [(min(column), max(column)) for column in zip(*splits, strict=True)] if identities else []
                searched[alike] = splits, ranges
            splits, ranges = searched[alike]
            candidates.append(splits)
            s.ranges.update(zip(run.cells, ranges, strict=False))  # none when the run has no split
        # 2. the runs together: every combination that satisfies every identity
        order = sorted(range(len(runs)), key=lambda r: len(candidates[r]))
        touched = [[identities[n] for n in held] for held in holding]
        solutions: list[dict[int, tuple[Number, ...]]] = []
        if not all(candidates):  # a run no split of which the identities allow: no solution
            return solutions, False
        # runs with one split (first in ``order``) are set together, and the identities they touch
        # tested once, not once per run (table 三's column sums touch every row)
        chosen: dict[int, tuple[Number, ...]] = {}
        for r in order:
            if len(candidates[r]) > 1:
                break
            s.budget.step()
            s.values.update(zip(runs[r].cells, candidates[r][0], strict=True))
            chosen[r] = candidates[r][0]
        at_once = {id(i): i for r in chosen for i in touched[r]}.values()
        capped = all(_possible(i, s) for i in at_once) and _combine(order, candidates, runs, touched, s, chosen, solutions)
    except _OutOfBudget:
        return [], True
    return solutions, capped


def _combine(order: list[int], candidates: list[list[tuple[Number, ...]]], runs: Sequence[Run],
             touched: list[list[Identity]], s: _Search, chosen: dict[int, tuple[Number, ...]],
             solutions: list[dict[int, tuple[Number, ...]]]) -> bool:
    """Backtrack over the runs' splits (``touched[r]``: the identities run r has a cell in);
    True when the count of solutions reached its cap."""
    if len(chosen) == len(order):
        solutions.append(dict(chosen))
        return len(solutions) >= MAX_SOLUTIONS
    r = order[len(chosen)]
    run = runs[r]
    for split in candidates[r]:
        s.budget.step()
        s.values.update(zip(run.cells, split, strict=True))
        chosen[r] = split
        if all(_possible(i, s) for i in touched[r]) and _combine(order, candidates, runs, touched, s, chosen, solutions):
            return True
        del chosen[r]
        for c in run.cells:
            del s.values[c]
    return False


def _possible(identity: Identity, s: _Search) -> bool:
    """Whether the identity can still hold: exactly, once every cell is known; else within the
    ranges the unassigned cells' splits allow."""
    values, fixed, ranges = s.values, s.fixed, s.ranges
    bounds = []
    for keys in (identity.left, identity.right):
        lo = hi = 0.0
        for key in keys:
            v = values.get(key)  # a split's cells: numbers, never None
            if v is None:
                v = fixed.get(key)
            if v is None:
                low, high = ranges.get(key, (0.0, _INF))
                lo += low
                hi += high
            else:
                lo += v
                hi += v
        bounds.append((lo, hi))
    (lo0, hi0), (lo1, hi1) = bounds
    return _meet(lo0, hi0, lo1, hi1)
