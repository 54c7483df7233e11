"""The reconstructed data set reproduces every number of the 2013 note.

Each expectation is read from the transcription of the published tables
(`needs/data/note_2013.json`); each observation is the statistics engine's output
over the loaded records.
"""

import datetime
import re
from collections import Counter

import pytest
from django.db import transaction

from needs.exchange.note_2013 import transcription
from needs.exchange.services import note_2013_load
from needs.models import Need, NeedType
from needs.reports.statistics import StatisticsFilter, compute
from reviews.models import StateParty

pytestmark = pytest.mark.django_db

NOTE = transcription()
ARTICLE_TABLES = {t["article"]: t for t in NOTE["article_tables"]}
CHAPTER_OF = {
    row["article"]: t["chapter"] for t in NOTE["chapter_tables"] for row in t["rows"]
}


def slugged(rows):
    """A table's rows keyed by type slug (label variants resolve to one type)."""
    counts = Counter()
    for label, count in rows:
        counts[NeedType.objects.resolve(label).slug] += count
    return dict(counts)


@pytest.fixture(scope="module")
def document(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock(), transaction.atomic():
        note_2013_load()
        doc = compute().as_dict()
        transaction.set_rollback(True)
    return doc


def article_entry(document, number):
    chapter = document["chapters"][CHAPTER_OF[number]]
    return next(a for a in chapter["articles"] if a["article"] == number)


def test_forty_four_states_reviewed(document):
    assert document["states_reviewed"] == NOTE["states_reviewed"] == 44


@pytest.mark.parametrize("chapter", ["III", "IV"])
def test_chapter_totals_and_regions_of_paragraph_4(document, chapter):
    expected = NOTE["chapters"][chapter]
    observed = document["chapters"][chapter]
    assert (observed["states"], observed["needs"]) == (
        expected["states"],
        expected["needs"],
    )
    for region, count in expected["states_by_region"].items():
        assert observed["states_by_region"][region] == count
    assert observed["states_by_region"]["western-european-other"] == 0


@pytest.mark.parametrize(
    "table", NOTE["chapter_tables"], ids=lambda t: f"table-{t['table']}"
)
def test_tables_1_and_30_states_and_needs_per_article(document, table):
    observed = {
        a["article"]: {
            "article": a["article"],
            "states": a["states"],
            "needs": a["needs"],
        }
        for a in document["chapters"][table["chapter"]]["articles"]
    }
    assert observed == {row["article"]: row for row in table["rows"]}


@pytest.mark.parametrize("number", sorted(ARTICLE_TABLES), ids=lambda n: f"article-{n}")
def test_article_tables_2_to_37_states_per_type(document, number):
    table = ARTICLE_TABLES[number]
    entry = article_entry(document, number)
    assert entry["by_type"] == slugged(table["rows"])
    assert sum(entry["by_type"].values()) == table["total"] == entry["needs"]


@pytest.mark.parametrize("chapter", ["III", "IV"])
def test_figures_xxx_and_xxxi_needs_by_type_per_chapter(document, chapter):
    expected = Counter()
    for number, table in ARTICLE_TABLES.items():
        if CHAPTER_OF[number] == chapter:
            expected.update(slugged(table["rows"]))
    assert document["chapters"][chapter]["needs_by_type"] == dict(expected)


def test_figure_i_needs_by_type_overall(document):
    expected = Counter()
    for table in ARTICLE_TABLES.values():
        expected.update(slugged(table["rows"]))
    assert document["needs_by_type"] == dict(expected)
    assert document["needs_by_type"]["good-practices"] == 219


def test_paragraph_9_gives_616_not_figure_xxx_623(document):
    assert document["chapters"]["III"]["needs"] == 616


def test_paragraph_50_light_and_heavy_states_of_chapter_iv(document):
    facts = NOTE["paragraph_50"]
    histogram = {int(k): v for k, v in document["states_by_needs_count"]["IV"].items()}
    light = sum(v for k, v in histogram.items() if k <= 3)
    assert light == facts["states_with_at_most_three_needs"] == 10
    assert sum(histogram.values()) - light == facts["states_with_the_bulk_of_needs"]


def test_paragraph_50_article_44_one_state_seven_needs_six_states_one(document):
    facts = NOTE["paragraph_50"]
    histogram = {
        int(k): v
        for k, v in article_entry(document, 44)["states_by_needs_count"].items()
    }
    assert max(histogram) == facts["most_needs_by_one_state"] == 7
    assert histogram[7] == 1
    assert histogram[1] == facts["states_with_one_need"] == 6


def test_descriptions_pinned_down_by_the_text_are_carried(note_2013):
    for item in NOTE["descriptions"]:
        need_type = NeedType.objects.resolve(item["type"])
        recorded = Counter(
            Need.objects.filter(
                article__number=item["article"], need_type=need_type
            ).values_list("description", flat=True)
        )
        for text, count in Counter(item["descriptions"]).items():
            assert recorded[text] == count, (item["paragraph"], text)


def test_records_name_no_real_country(note_2013):
    names = StateParty.objects.filter(reconstructed=True).values_list("name", flat=True)
    assert len(names) == 44
    assert all(re.fullmatch(r"State (AF|AP|EE|LAC|WEOG)-\d\d", name) for name in names)
    assert not Need.objects.filter(review__state__reconstructed=False).exists()


def test_loading_twice_changes_nothing(note_2013):
    before = compute().as_dict()
    ids = set(Need.objects.values_list("pk", flat=True))
    result = note_2013_load()
    assert result.created == 0
    assert set(Need.objects.values_list("pk", flat=True)) == ids
    assert compute().as_dict() == before


def test_reload_removes_a_need_the_plan_does_not_hold(note_2013):
    need = Need.objects.filter(article__number=15).first()
    review = need.review
    extra_type = NeedType.objects.exclude(
        needs__review=review, needs__article=need.article
    ).first()
    Need.objects.create(review=review, article=need.article, need_type=extra_type)
    note_2013_load()
    assert compute(StatisticsFilter(article=15)).as_dict()["needs"] == 14


def test_as_of_the_drafting_date_keeps_all_44(document, note_2013):
    as_of = compute(StatisticsFilter(as_of=datetime.date(2013, 9, 1))).as_dict()
    assert as_of["states_reviewed"] == 44
    assert as_of["needs"] == document["needs"]
