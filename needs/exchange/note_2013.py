"""The reconstructed data set of the 2013 note: 44 anonymized States parties.

The note (CAC/COSP/2013, "Analysis of technical assistance needs emerging from the
country reviews") publishes aggregates only and never names a State. Its tables are
transcribed once in `needs/data/note_2013.json`. This module turns that transcription,
deterministically, into States ("State AF-01" …, by regional group; never a real
country), their first-cycle reviews and their needs (State, article, type), such that
the statistics engine reproduces every published number:

* which States have chapter III / IV needs follows paragraph 4 (per regional group);
* for each article, the States with a need are chosen by balancing a fixed "weight" per
  State (some States identify many needs, some few), then each type of need goes to
  exactly as many States as its table says;
* chapter IV follows paragraph 50: ten States with three needs or fewer, sixteen with
  the bulk; under article 44 one State with seven needs and six with one each. Types
  are given to States by Ryser's greedy construction of a 0-1 matrix with the table's
  column sums and the planned row sums, which succeeds whenever such a matrix exists;
* the descriptions the text pins down (paragraphs 12-70) are carried by the needs.

Nothing here checks the result against the transcription: the tests do, through the
statistics engine (`tests/needs/test_note_2013.py`).
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "note_2013.json"

REGION_PREFIX = {
    "african": "AF",
    "asia-pacific": "AP",
    "eastern-european": "EE",
    "latin-american-caribbean": "LAC",
    "western-european-other": "WEOG",
}
# The note gives the 44 and the regional groups of the States with needs only; the
# others (reviewed, no needs identified) are spread so that every group is present.
REVIEWED_PER_REGION = {
    "african": 9,
    "asia-pacific": 13,
    "eastern-european": 9,
    "latin-american-caribbean": 6,
    "western-european-other": 7,
}
# Chapter IV States with three needs or fewer (paragraph 50), by position in the
# chapter IV list, and the articles where each identifies one need.
LIGHT_STATES_ARTICLES = [
    [44, 47],
    [44, 48],
    [44, 49],
    [44, 50],
    [44],
    [44],
    [45, 46],
    [45, 46],
    [46, 47],
    [46, 47],
]
LIGHT_POSITIONS = [4, 5, 13, 14, 15, 19, 22, 23, 24, 25]


@dataclass(frozen=True)
class PlannedState:
    code: str
    name: str
    region: str
    cycle_year: int
    completed_on: datetime.date
    full_report_consent: bool


@dataclass(frozen=True)
class PlannedNeed:
    state_code: str
    article: int
    type_label: str
    description: str


@cache
def transcription() -> dict:
    """The note's tables, transcribed once (`needs/data/note_2013.json`)."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _states() -> list[PlannedState]:
    states = []
    for region, count in REVIEWED_PER_REGION.items():
        for index in range(1, count + 1):
            code = f"{REGION_PREFIX[region]}-{index:02d}"
            states.append((region, index, code))
    # Interleave the groups, then split the 44 between the first two years.
    states.sort(key=lambda s: (s[1], list(REVIEWED_PER_REGION).index(s[0])))
    planned = []
    for position, (region, _, code) in enumerate(states):
        year = 1 if position < 26 else 2
        start = datetime.date(2011, 9, 1) if year == 1 else datetime.date(2012, 9, 1)
        planned.append(
            PlannedState(
                code=code,
                name=f"State {code}",
                region=region,
                cycle_year=year,
                completed_on=start + datetime.timedelta(days=(position % 26) * 13),
                full_report_consent=position % 3 != 2,
            )
        )
    return sorted(planned, key=lambda s: s.code)


def _chapter_states(chapter: str, states: list[PlannedState]) -> list[str]:
    """The first n States of each group, n as paragraph 4 gives it."""
    wanted = transcription()["chapters"][chapter]["states_by_region"]
    chosen = []
    for region, count in wanted.items():
        in_region = [s.code for s in states if s.region == region]
        chosen += in_region[:count]
    return chosen


def _article_tables(chapter: str) -> list[dict]:
    articles = {
        row["article"]
        for t in transcription()["chapter_tables"]
        if t["chapter"] == chapter
        for row in t["rows"]
    }
    return [t for t in transcription()["article_tables"] if t["article"] in articles]


def _balanced_pick(candidates, count, load, weight, forced=()):
    """`count` candidates with the least load relative to weight (forced first)."""
    rest = sorted(
        (c for c in candidates if c not in forced),
        key=lambda c: (load[c] / weight[c], -weight[c], candidates.index(c)),
    )
    return list(forced) + rest[: count - len(forced)]


def _ryser(rows: dict[str, int], table_rows: list[list]) -> dict[str, list[str]]:
    """Give each row (State) `rows[state]` distinct types, type t to exactly its count.

    Ryser's construction: rows in decreasing order of their sums each take the types
    with the largest remaining counts. It fails only if no such 0-1 matrix exists.
    """
    remaining = dict(table_rows)
    order = {label: i for i, (label, _) in enumerate(table_rows)}
    chosen: dict[str, list[str]] = {}
    for state in sorted(rows, key=lambda s: -rows[s]):
        labels = sorted(remaining, key=lambda lab: (-remaining[lab], order[lab]))
        labels = [lab for lab in labels if remaining[lab] > 0][: rows[state]]
        if len(labels) < rows[state]:
            raise ValueError(f"No assignment gives {state} {rows[state]} types.")
        for label in labels:
            remaining[label] -= 1
        chosen[state] = labels
    if any(remaining.values()):
        raise ValueError(f"Types left unassigned: {remaining}")
    return chosen


def _even(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + 1] * extra + [base] * (parts - extra)


def _chapter_iii(codes: list[str]) -> dict[tuple[str, int], list[str]]:
    weight = {code: 1 + (i * 7) % 5 for i, code in enumerate(codes)}
    load = defaultdict(int)
    plan = {}
    for table in _article_tables("III"):
        count = _states_count(table["article"])
        picked = _balanced_pick(codes, count, load, weight)
        for code in picked:
            load[code] += 1
        rows = dict(zip(picked, _even(table["total"], count), strict=True))
        for code, labels in _ryser(rows, table["rows"]).items():
            plan[(code, table["article"])] = labels
    missing = [code for code in codes if not load[code]]
    if missing:
        raise ValueError(f"Chapter III States without a need: {missing}")
    return plan


def _chapter_iv(codes: list[str]) -> dict[tuple[str, int], list[str]]:
    facts = transcription()["paragraph_50"]
    light = [codes[i] for i in LIGHT_POSITIONS]
    heavy = [code for code in codes if code not in light]
    weight = {code: 1 + (i * 3) % 4 for i, code in enumerate(heavy)}
    load = defaultdict(int)
    plan = {}
    for table in _article_tables("IV"):
        article = table["article"]
        light_here = [
            c
            for c, arts in zip(light, LIGHT_STATES_ARTICLES, strict=True)
            if article in arts
        ]
        heavy_count = _states_count(article) - len(light_here)
        heavy_needs = table["total"] - len(light_here)
        if article == facts["article"]:
            top = facts["most_needs_by_one_state"]
            picked = _balanced_pick(heavy, heavy_count, load, weight, forced=[heavy[0]])
            sums = [top, *_even(heavy_needs - top, heavy_count - 1)]
        else:
            picked = _balanced_pick(heavy, heavy_count, load, weight)
            sums = _even(heavy_needs, heavy_count)
        for code in picked:
            load[code] += 1
        rows = dict(zip(picked, sums, strict=True)) | dict.fromkeys(light_here, 1)
        for code, labels in _ryser(rows, table["rows"]).items():
            plan[(code, article)] = labels
    return plan


def _states_count(article: int) -> int:
    for table in transcription()["chapter_tables"]:
        for row in table["rows"]:
            if row["article"] == article:
                return row["states"]
    raise KeyError(article)


def _descriptions() -> dict[tuple[int, str], list[str]]:
    found = {}
    for item in transcription()["descriptions"]:
        found.setdefault((item["article"], item["type"]), []).extend(
            item["descriptions"]
        )
    return found


def plan() -> tuple[list[PlannedState], list[PlannedNeed]]:
    """The whole data set: the 44 States and their needs, always the same."""
    states = _states()
    assignment = _chapter_iii(_chapter_states("III", states))
    assignment |= _chapter_iv(_chapter_states("IV", states))
    texts = _descriptions()
    needs = []
    for (code, article), labels in sorted(assignment.items()):
        for label in labels:
            pending = texts.get((article, label), [])
            needs.append(
                PlannedNeed(code, article, label, pending.pop(0) if pending else "")
            )
    return states, needs
