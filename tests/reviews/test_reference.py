import pytest
from django.core.management import call_command

from needs.models import NeedType, NeedTypeAlias
from reviews.models import Article, Chapter, RegionalGroup, ReviewCycle, StateParty

pytestmark = pytest.mark.django_db


def test_every_article_5_to_59_is_in_its_chapter():
    chapter_of = dict(Article.objects.values_list("number", "chapter__number"))
    assert sorted(chapter_of) == list(range(5, 60))
    assert {n for n, c in chapter_of.items() if c == "II"} == set(range(5, 15))
    assert {n for n, c in chapter_of.items() if c == "III"} == set(range(15, 43))
    assert {n for n, c in chapter_of.items() if c == "IV"} == set(range(43, 51))
    assert {n for n, c in chapter_of.items() if c == "V"} == set(range(51, 60))


def test_articles_carry_the_notes_section_headings():
    assert Article.objects.get(number=15).section == "A. Bribery offences"
    assert Article.objects.get(number=46).section == "C. Mutual legal assistance"
    order = list(
        Article.objects.filter(chapter__number="IV", number__gt=43)
        .in_note_order()
        .values_list("number", flat=True)
    )
    assert order == [44, 45, 47, 46, 48, 49, 50]


def test_regional_groups_have_stable_slugs():
    assert list(RegionalGroup.objects.values_list("slug", flat=True)) == [
        "african",
        "asia-pacific",
        "eastern-european",
        "latin-american-caribbean",
        "western-european-other",
    ]


def test_real_states_are_loaded_with_codes_groups_and_status():
    assert StateParty.objects.real().count() == 198
    kenya = StateParty.objects.get(code="KEN")
    assert kenya.regional_group.slug == "african"
    assert kenya.party_status == StateParty.PartyStatus.YES
    eu = StateParty.objects.get(code="EUU")
    assert eu.regional_group is None
    assert "regional economic integration organization" in eu.notes
    assert StateParty.objects.get(code="PRK").party_status == "no"


def test_cycles_review_their_chapters():
    chapters = {
        cycle.number: sorted(c.number for c in cycle.chapters.all())
        for cycle in ReviewCycle.objects.all()
    }
    assert chapters == {1: ["III", "IV"], 2: ["II", "V"]}


def test_nine_need_types_in_display_order():
    assert list(NeedType.objects.values_list("slug", flat=True)) == [
        "legislative-drafting",
        "model-legislation",
        "action-plan",
        "good-practices",
        "model-treaties",
        "capacity-building",
        "on-site-expert",
        "technological-assistance",
        "other",
    ]


@pytest.mark.parametrize(
    "label",
    [
        "Model treaties/programmes",
        "Model treaties and agreement",
        "model-treaties",
        "Model treaties/agreements",
        "  model TREATIES and   agreement ",
    ],
)
def test_model_treaty_label_variants_resolve_to_one_type(label):
    assert NeedType.objects.resolve(label).slug == "model-treaties"


def test_unknown_type_label_is_refused_with_its_name():
    with pytest.raises(NeedType.DoesNotExist, match="Model bananas"):
        NeedType.objects.resolve("Model bananas")


def test_load_reference_is_idempotent():
    counts = (
        StateParty.objects.count(),
        Article.objects.count(),
        NeedTypeAlias.objects.count(),
        Chapter.objects.count(),
    )
    call_command("load_reference", verbosity=0)
    assert counts == (
        StateParty.objects.count(),
        Article.objects.count(),
        NeedTypeAlias.objects.count(),
        Chapter.objects.count(),
    )
