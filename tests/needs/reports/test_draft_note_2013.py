"""The 2013 edition of the note, drafted from the reconstructed 2013 data set: its
generated paragraphs are the note's own sentences, its tables and figures have the
note's numbers, its Word version holds the page's paragraphs and tables, and it
regenerates byte for byte after later changes.

The expected sentences are transcribed from the 2013 note (CAC/COSP/2013/14,
shared/reference/ta-needs-note-2013.md)."""

import html
import io
import re

import pytest
from django.utils import translation
from docx import Document

from needs import services as need_services
from needs.followup import services as followup_services
from needs.models import Assistance, Donor, FollowUp, NoteEdition
from needs.reports import draft_note, note_docx, selectors, services
from needs.reports.note_words import roman
from needs.reports.statistics import compute
from reviews.models import Account, CountryReview
from tests.factories import AccountFactory, make_assistance

pytestmark = pytest.mark.django_db

# The note's paragraphs that the draft generates whole, by the note's number.
NOTE_PARAGRAPHS = {
    3: "The present note contains information on technical assistance needs "
    "identified in the country reviews for the implementation of chapters III and "
    "IV of the Convention by States parties under review in the first and second "
    "years of the first cycle of the Review Mechanism. It is based on information "
    "included in the country review reports and the executive summaries of the "
    "reviews of 44 States parties that had been completed, or were close to "
    "completion, at the time of drafting (1 September 2013).",
    4: "Of the 44 States parties included in the review process and covered in the "
    "present note, 29 identified technical assistance needs for the implementation "
    "of chapter III of the Convention. These included eight States parties from the "
    "Group of African States, 12 from the Group of Asian and Pacific States, four "
    "from the Group of Eastern European States and five from the Group of Latin "
    "American and Caribbean States. A total of 26 States parties identified "
    "technical assistance needs for the implementation of chapter IV of the "
    "Convention. These included six from the Group of African States, 10 from the "
    "Group of Asian and Pacific States, eight from the Group of Eastern European "
    "States and two from the Group of Latin American and Caribbean States.",
    7: "Figure I below provides an overview of the number of different types of need "
    "identified by States parties. Further data are available under the sections on "
    "each chapter of the Convention.",
    8: "Figure II below provides an overview of the number of different types of need "
    "identified by States parties for all articles of the chapters under review.",
    9: "A total of 616 technical assistance needs were identified for the "
    "implementation of chapter III. Table 1 and figure III provide a breakdown of "
    "the number of needs by type and number of States parties for each article.",
    10: "Figure IV below provides an overview of the total number of technical "
    "assistance needs broken down by article and by type of need, for the "
    "implementation of chapter III.",
    65: "Figures XXX and XXXI below reflect the total number of needs identified for "
    "chapters III and IV respectively, by the types of need as contained in the "
    "comprehensive self-assessment checklist.",
}
# Paragraph 50's first two sentences.
PARAGRAPH_50 = (
    "Of the 44 States parties included in the review process and covered in the "
    "present note, 26 have identified technical assistance needs for the "
    "implementation of chapter IV of the Convention. Out of those 26 States, 10 "
    "indicated three needs or less."
)
# Each article's sentence in the note, and the table and figure it points to.
ARTICLES = {
    15: ("Eight States parties identified 14 needs", 2, "V"),
    16: ("A total of 16 States parties identified 36 needs", 3, "VI"),
    17: ("Five States parties identified 12 needs", 4, ""),
    18: ("Nine States parties identified 21 needs", 5, ""),
    19: ("Four States parties identified 10 needs", 6, ""),
    20: ("A total of 14 States parties identified 34 needs", 7, "VII"),
    21: ("A total of 13 States parties identified 28 needs", 8, "VIII"),
    22: ("Nine States parties identified 20 needs", 9, "IX"),
    23: ("A total of 11 States parties identified 36 needs", 10, "X"),
    24: ("Five States parties identified 13 needs", 11, ""),
    25: ("Six States parties identified 10 needs", 12, ""),
    26: ("A total of 10 States parties identified 27 needs", 13, "XI"),
    27: ("Four States identified 4 needs", 14, ""),
    28: ("Two States identified 3 needs", 15, ""),
    29: ("Two States parties identified 8 needs", 16, ""),
    30: ("A total of 12 States parties identified 25 needs", 17, "XII"),
    31: ("A total of 11 States parties identified 25 needs", 18, "XIII"),
    32: ("A total of 19 States parties identified 66 needs", 19, "XIV"),
    33: ("A total of 11 States parties identified 35 needs", 20, "XV"),
    34: ("Seven States parties identified 15 needs", 21, "XVI"),
    35: ("Four States parties identified 8 needs", 22, ""),
    36: ("A total of 11 States parties identified 33 needs", 23, "XVII"),
    37: ("A total of 16 States parties identified 45 needs", 24, "XVIII"),
    38: ("Nine States parties identified 25 needs", 25, "XIX"),
    39: ("Eight States parties identified 17 needs", 26, "XX"),
    40: ("Four States parties identified 11 needs", 27, ""),
    41: ("Six States parties identified 12 needs", 28, ""),
    42: ("A total of 10 States parties identified 23 needs", 29, "XXI"),
    44: (
        "A total of 43 technical assistance needs were identified by 15 States",
        31,
        "XXIV",
    ),
    45: ("Eight States parties identified 17 needs", 32, ""),
    46: ("A total of 18 States parties identified 57 needs", 34, "XXVI"),
    47: ("A total of 13 States parties identified 27 needs", 33, "XXV"),
    48: ("A total of 13 States parties identified 42 needs", 35, "XXVII"),
    49: ("A total of 12 States parties identified 34 needs", 36, "XXVIII"),
    50: ("A total of 13 States parties identified 37 needs", 37, "XXIX"),
}
# Where the note varies its own form, the draft keeps the one form: "States parties"
# (the note drops "parties" for articles 27 and 28) and the active sentence (44).
ONE_FORM = {
    27: "Four States parties identified 4 needs",
    28: "Two States parties identified 3 needs",
    44: "A total of 15 States parties identified 43 needs",
}
SENTENCE_END = " for technical assistance to support the implementation of article {}."
TABLE_1 = [
    [15, 8, 14], [16, 16, 36], [17, 5, 12], [18, 9, 21], [19, 4, 10], [20, 14, 34],
    [21, 13, 28], [22, 9, 20], [23, 11, 36], [24, 5, 13], [25, 6, 10], [26, 10, 27],
    [27, 4, 4], [28, 2, 3], [29, 2, 8], [30, 12, 25], [31, 11, 25], [32, 19, 66],
    [33, 11, 35], [34, 7, 15], [35, 4, 8], [36, 11, 33], [37, 16, 45], [38, 9, 25],
    [39, 8, 17], [40, 4, 11], [41, 6, 12], [42, 10, 23],
]  # fmt: skip
TABLE_30 = [
    [44, 15, 43], [45, 8, 17], [46, 18, 57], [47, 13, 27], [48, 13, 42],
    [49, 12, 34], [50, 13, 37],
]  # fmt: skip
NUMBERED = re.compile(
    r'<p class="numbered"[^>]*><span class="paragraph-number">(\d+)\.</span> (.*?)</p>',
    re.S,
)
TABLE = re.compile(r'<table class="note-table".*?</table>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


@pytest.fixture
def edition(note_2013, secretariat) -> NoteEdition:
    """The 2013 edition, as a new edition starts when there is none yet."""
    initial = selectors.note_edition_initial(user=secretariat)
    chapters = initial.pop("chapters")
    return services.note_edition_save(
        edition=NoteEdition(**initial), chapters=chapters, user=secretariat
    )


def drafted(edition, user) -> draft_note.Draft:
    document, sources = selectors.edition_sources(user=user, edition=edition)
    with translation.override("en"):
        return draft_note.compose(document, sources=sources)


def test_the_2013_edition_writes_the_notes_own_sentences(edition, secretariat):
    # when the 2013 edition is drafted
    draft = drafted(edition, secretariat)
    texts = [block.text for block in draft.paragraphs]

    # then the paragraphs it generates whole are the note's, word for word
    for number, paragraph in NOTE_PARAGRAPHS.items():
        assert paragraph in texts, f"paragraph {number}"
    assert any(text.startswith(PARAGRAPH_50) for text in texts)
    # and each article's sentence is the note's, with its table and figure
    for article, (opening, table, figure) in ARTICLES.items():
        ending = SENTENCE_END.format(article)
        ours = next(text for text in texts if ending in text)
        assert ours.startswith(ONE_FORM.get(article, opening) + ending), article
        pointer = f" given in table {table} and figure {figure}." if figure else ""
        assert (pointer or f" given in table {table}.") in ours, article


def test_states_below_ten_in_words_needs_always_in_figures(edition, secretariat):
    texts = [block.text for block in drafted(edition, secretariat).paragraphs]
    every = " ".join(texts)

    assert "Four States parties identified 4 needs" in every
    assert "Two States parties identified 8 needs" in every
    assert "Six States parties identified 10 needs" in every
    assert not re.search(
        r"identified (one|two|three|four|five|six|seven|eight|nine) needs", every
    )
    assert "Group of Asian and Pacific States" in every
    assert "Asia-Pacific" not in every


def test_tables_and_figures_have_the_notes_numbers_and_order(edition, secretariat):
    draft = drafted(edition, secretariat)
    tables = {table.number: table for table in draft.tables}
    figures = [figure.number for figure in draft.figures]

    # Tables 1 to 37 as numbered in the note; Tables 1 and 30 in article order
    assert [number for number in tables if number <= 37] == list(range(1, 38))
    assert tables[1].rows == TABLE_1
    assert tables[30].rows == TABLE_30
    assert tables[34].title == "Technical assistance needs related to article 46"
    # Figures I to XXXI, XXX being chapter III's by type with the records' total
    assert figures == [roman(n) for n in range(1, 32)]
    titles = {figure.number: figure.title for figure in draft.figures}
    assert titles["XXX"] == (
        "Technical assistance requests related to chapter III of the Convention, by "
        "type (total 616)"
    )
    assert titles["XXIX"] == "Technical assistance needs related to article 50"


def test_the_editors_note_goes_with_the_draft_not_into_it(client, edition, secretariat):
    client.force_login(secretariat)
    url = edition.get_absolute_url()

    page = client.get(url).getvalue().decode()
    text = client.get(url, {"format": "md"}).getvalue().decode()

    start = page.index('<article class="draft-note">')
    document = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", page[start:], flags=re.S)
    assert "623" in page[:start]
    assert "623" not in document
    assert "623" not in text
    assert "616" in text


def page_tables(page: str) -> list[list[str]]:
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in CELL.findall(t)]
        for t in TABLE.findall(page)
    ]


def test_the_word_document_has_the_pages_paragraphs_and_tables(
    client, edition, secretariat
):
    # given the edition's page
    client.force_login(secretariat)
    url = edition.get_absolute_url()
    page = client.get(url).getvalue().decode()
    paragraphs = [html.unescape(text) for _, text in NUMBERED.findall(page)]

    # when it is downloaded as Word
    response = client.get(url, {"format": "docx"})
    word = Document(io.BytesIO(response.getvalue()))

    # then Word opens it, with the same numbered paragraphs (Word numbers them) …
    assert response["Content-Disposition"].endswith('cac-cosp-2013-14.docx"')
    numbered = [p.text for p in word.paragraphs if p.style.name == "List Number"]
    assert numbered == paragraphs
    assert len(paragraphs) > 60
    # … the same tables, cell for cell …
    cells = [[cell.text for row in t.rows for cell in row.cells] for t in word.tables]
    assert cells == page_tables(page)
    # … the headings in heading styles, and each figure as a picture
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "I. Introduction"
    assert len(word.inline_shapes) == 31


def test_the_edition_regenerates_identically_after_later_changes(edition, secretariat):
    # given the 2013 edition as drafted now, as Markdown and as Word
    draft = drafted(edition, secretariat)
    before = draft_note.to_markdown(draft).encode()
    word = note_docx.to_docx(draft)
    review = CountryReview.objects.get(state__code="AF-01")
    focal_point = AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username="af01"
    ).user
    need = review.needs.order_by("pk").first()

    # when, after its cut-off date, a change is accepted and the follow-up recorded
    need_services.need_update(
        need=need,
        user=focal_point,
        expected_version=need.version,
        description="Changed after the note",
    )
    need_services.review_submit(review=review, user=focal_point)
    need_services.review_accept(review=review, user=secretariat)
    followup_services.follow_up_save(
        follow_up=FollowUp(review=review, letter_sent_on=edition.cut_off),
        events=None,
        user=secretariat,
    )
    donor = Donor.objects.create(name="A donor", kind=Donor.Kind.MULTILATERAL)
    project = make_assistance(Assistance.Status.ONGOING, [donor], [review.state])
    followup_services.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )

    # then the edition is the same, byte for byte, while today's numbers moved
    draft = drafted(edition, secretariat)
    assert draft_note.to_markdown(draft).encode() == before
    assert note_docx.to_docx(draft) == word
    assert compute().coverage.overall["met-fully"] == 1
