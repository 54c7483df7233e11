"""Bulk import of needs from the needs export's CSV or XLSX: parse, preview, confirm.

A file is read row by row (CSV decoded as it streams, XLSX in openpyxl's read-only
mode), 500 rows planned together (`_Planner`); an import holds a bounded window of
reviews and rows whatever the file's size, a preview also the key of every row (to
name the earlier row of a duplicate). Every row gets an outcome: new, changed
(with the difference), unchanged, or refused with the reason and its row number.
A whole-file fault (empty, not CSV/XLSX, wrong encoding, missing or unknown
columns, a focal point's file naming another State) refuses the file.

Imported needs enter the workflow like typed ones (`needs.services`): proposals of
the State's review. A focal point's stay drafts for the State to submit; the
secretariat's are submitted at once and, if it chooses, accepted in the same step
through `review_decide`, recorded as its decision; new needs are written in
batches (`bulk.NewNeeds`) into the same records. Confirming is all or nothing: one
transaction, and a refused row, or any fault while writing, writes no row.
"""

import csv
import functools
import io
import itertools
import zipfile
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from needs.exchange.bulk import NewNeeds
from needs.exchange.spreadsheets import FORMULA_STARTS, NEED_COLUMNS, WITHHELD
from needs.models import EntryDecision, Need, NeedProposal, NeedType, Upload
from needs.permissions import can_enter_needs
from needs.services import Decision, need_update, review_decide
from needs.services import review_submit as submit_proposals
from reviews.models import Article, CountryReview, ReviewCycle, StateParty
from reviews.permissions import focal_state_id, is_secretariat

REQUIRED_COLUMNS = ["state_code", "cycle", "article", "type"]
VALUE_COLUMNS = ["description", "priority", "source", "remaining"]
MAX_FILE_BYTES = 20 * 1024 * 1024
# The longest text a need's description or what remains may hold when imported
# (the fields themselves are unbounded; a spreadsheet cell holds 32,767).
MAX_TEXT_LENGTH = 10_000
KEY_LENGTHS = {"state_code": 8, "cycle": 4, "article": 4, "type": 100}
# A cell's first characters that `_text` looks at more closely ("" is plain).
FORMULA_FIRST = {"=", "@", "+", "-", "'"}


class ImportRefused(Exception):
    """The file is refused whole; nothing was written."""


@dataclass
class RowOutcome:
    """What importing one row of the file does (or why it cannot)."""

    NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"

    number: int
    outcome: str
    label: str = ""
    reason: str = ""
    differences: list[tuple[str, object, object]] = field(default_factory=list)
    # What the import writes (not shown).
    review: CountryReview | None = None
    values: dict = field(default_factory=dict)
    need: Need | None = None


@dataclass
class Preview:
    rows: list[RowOutcome]

    def count(self, outcome: str) -> int:
        return sum(row.outcome == outcome for row in self.rows)

    @property
    def refused(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.outcome == RowOutcome.REFUSED]


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    unchanged: int
    accepted: bool


# ---------------------------------------------------------------------------
# Reading a file: header and rows of text (and formula flags)
# ---------------------------------------------------------------------------
def _is_zip(handle: BinaryIO) -> bool:
    start = handle.read(4)
    handle.seek(0)
    return start == b"PK\x03\x04"


def _csv_cells(handle: BinaryIO) -> Iterator[list]:
    sample = handle.read(4096)
    handle.seek(0)
    if not sample.strip():
        raise ImportRefused(_("The file is empty."))
    if b"\x00" in sample:
        raise ImportRefused(
            _("The file is neither CSV nor XLSX: save it as CSV (UTF-8) or XLSX.")
        )
    try:
        dialect = csv.Sniffer().sniff(
            sample.decode("utf-8-sig", errors="ignore"), delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    # (Detached at the end: the handle stays open, to be read again.)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, dialect)
    try:
        for cells in reader:
            yield [(cell, False) for cell in cells]
    except UnicodeDecodeError as error:
        raise ImportRefused(
            # Translators: line is a line number of the file.
            _(
                "The file is not encoded in UTF-8 (line %(line)s): save it as "
                "“CSV UTF-8” and upload it again."
            )
            % {"line": _undecodable_line(handle)}
        ) from error
    except csv.Error as error:
        raise ImportRefused(
            # Translators: line is a line number; problem is the CSV reader's message.
            _("The file is not valid CSV (line %(line)s): %(problem)s")
            % {"line": reader.line_num, "problem": error}
        ) from error
    finally:
        if not text.closed:
            text.detach()


def _undecodable_line(handle: BinaryIO) -> int:
    """The number of the file's first line that is not UTF-8 (the text is decoded
    a block ahead of the CSV reader, whose line count does not say)."""
    handle.seek(0)
    for number, line in enumerate(handle, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 1


def _xlsx_cells(handle: BinaryIO) -> Iterator[list]:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportRefused(
            _("The file is neither CSV nor XLSX: save it as CSV (UTF-8) or XLSX.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [
                (
                    "" if cell.value is None else cell.value,
                    getattr(cell, "data_type", "") == "f",
                )
                for cell in row
            ]
    finally:
        workbook.close()


def _cells(handle: BinaryIO) -> Iterator[list]:
    if _is_zip(handle):
        return _xlsx_cells(handle)
    return _csv_cells(handle)


def _header(cells: list) -> list[str]:
    names = [str(value).strip().casefold() for value, _formula in cells]
    while names and not names[-1]:
        names.pop()
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    unknown = [name or "(empty)" for name in names if name not in NEED_COLUMNS]
    doubled = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        # Translators: columns lists column names, e.g. "article, type".
        problems.append(
            _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        )
    if unknown:
        problems.append(
            # Translators: columns lists column names, e.g. "country, notes".
            _("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}
        )
    if doubled:
        problems.append(
            # Translators: columns lists column names, e.g. "article".
            _("columns named twice: %(columns)s") % {"columns": ", ".join(doubled)}
        )
    if problems:
        raise ImportRefused(
            # Translators: problems lists what is wrong with the first row.
            _(
                "The first row must name the needs export's columns (%(expected)s): "
                "%(problems)s."
            )
            % {"expected": ", ".join(NEED_COLUMNS), "problems": "; ".join(problems)}
        )
    return names


def _records(handle: BinaryIO) -> Iterator[tuple[int, dict]]:
    """(row number, {column: (value, is_formula)}) for each non-empty row."""
    rows = _cells(handle)
    header = None
    for number, cells in enumerate(rows, start=1):
        if header is None:
            if not any(str(value).strip() for value, _formula in cells):
                continue
            header = (number, _header(cells))
            continue
        if not any(str(value).strip() for value, _formula in cells):
            continue
        names = header[1]
        if len(cells) < len(names):
            cells = cells + [("", False)] * (len(names) - len(cells))
        yield number, dict(zip(names, cells, strict=False))
    if header is None:
        raise ImportRefused(_("The file is empty."))


# ---------------------------------------------------------------------------
# Reading a row: the need it names and the values it gives
# ---------------------------------------------------------------------------
class RowRefused(Exception):
    pass


def _text(column: str, cell: tuple) -> str:
    """The cell as text: the export's apostrophe before a formula character is
    taken off; a formula (or text that a spreadsheet would run) is refused."""
    value, is_formula = cell
    if (
        type(value) is str
        and not is_formula
        and value[:1] not in FORMULA_FIRST
        and len(value) <= KEY_LENGTHS.get(column, MAX_TEXT_LENGTH)
    ):
        return value  # the common case, checked at once
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    starts_formula = text.startswith(("=", "@")) or (
        text[:1] in {"+", "-"}
        and len(text) > 1
        and not text[1].isspace()
        and not text[1].isdigit()
    )
    if is_formula or starts_formula:
        raise RowRefused(
            # Translators: column is a column name, e.g. "description".
            _(
                "the %(column)s cell is a formula; write its value (or begin it "
                "with an apostrophe)"
            )
            % {"column": column}
        )
    limit = KEY_LENGTHS.get(column, MAX_TEXT_LENGTH)
    if len(text) > limit:
        raise RowRefused(
            # Translators: column is a column name; length and limit are numbers.
            _("the %(column)s cell holds %(length)s characters, more than %(limit)s")
            % {"column": column, "length": len(text), "limit": limit}
        )
    return text


def _cell_text(cell: tuple) -> str:
    """The cell's value as text, as `_text` reads it (without its checks)."""
    value = cell[0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _normal(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@functools.cache
def _choice_values(choices, language: str) -> dict[str, str]:
    """{value or label folded: value} of `choices` in `language` (read once)."""
    known = {}
    for value, label in choices.choices:
        known.setdefault(_normal(label), value)
        known[value] = value
    return known


def _choice(choices, column: str, text: str, language: str) -> str:
    known = _choice_values(choices, language)
    value = known.get(text)  # the value itself, as the export writes it
    if value is None:
        value = known.get(_normal(text))
    if value is not None:
        return value
    raise RowRefused(
        # Translators: value is the cell's text; known lists the accepted values.
        _("unknown %(column)s %(value)s (one of %(known)s)")
        % {"column": column, "value": repr(text), "known": ", ".join(choices.values)}
    )


def type_labels() -> dict[str, NeedType]:
    """Every label a type is known by: its slug, name, short name, label variants
    and names in the other languages, folded."""
    labels = {}
    for need_type in NeedType.objects.prefetch_related("aliases"):
        names = [need_type.slug, need_type.name, need_type.short_name]
        names += [alias.label for alias in need_type.aliases.all()]
        names += [name for name in (need_type.names or {}).values() if name]
        for name in names:
            labels.setdefault(_normal(name), need_type)
    return labels


class _Planner:
    """Turns rows into outcomes for one user, caching the reference data and the
    needs of each review met.

    A preview remembers every row's key, to name the earlier row of a need given
    twice. A `streamed` reading (the import itself) holds no more than the reviews
    it met last (REVIEWS_KEPT) and their needs, each taken by its row: memory does
    not grow with the file. A need given twice is then caught by the review's needs
    while they are kept, else by the database's unique constraint when the staged
    needs are written (the import then reads the file again to name the row)."""

    # Rows planned together: the reviews they name, and those reviews' needs, are
    # read in two queries. A streamed reading keeps as many reviews.
    CHUNK = 500
    REVIEWS_KEPT = 500

    def __init__(self, user, streamed: bool = False):
        self.user = user
        self.focal_state = None if is_secretariat(user) else focal_state_id(user)
        self.states = {state.code.upper(): state for state in StateParty.objects.all()}
        self.articles = {
            str(article.number): article
            for article in Article.objects.select_related("chapter")
        }
        self.cycles = {
            str(cycle.number): (cycle, {c.pk for c in cycle.chapters.all()})
            for cycle in ReviewCycle.objects.prefetch_related("chapters")
        }
        self.types = type_labels()
        self.language = get_language() or ""
        self.enterable: dict[int, bool] = {}
        self.label = ""
        self.reviews: OrderedDict[tuple, CountryReview | None] = OrderedDict()
        self.needs: OrderedDict[int, dict] = OrderedDict()
        self.seen: dict[tuple, int] | None = None if streamed else {}

    def _kept(self, cache: OrderedDict, key, load):
        """cache[key], loaded if missing; streamed, the least recently used go."""
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        return self._keep(cache, key, load())

    def _keep(self, cache: OrderedDict, key, value):
        cache[key] = value
        if self.seen is None and len(cache) > self.REVIEWS_KEPT:
            cache.popitem(last=False)
        return value

    def read_ahead(self, records: list) -> None:
        """Read, in two queries, the reviews the records name that are not kept,
        and their needs (a record's faults are left for `outcome` to tell)."""
        wanted = set()
        for _number, record in records:
            state = self.states.get(str(record["state_code"][0]).strip().upper())
            cycle = self.cycles.get(_cell_text(record["cycle"]).strip())
            if state is not None and cycle is not None:
                wanted.add((state.pk, cycle[0].pk))
        wanted -= set(self.reviews)
        if not wanted:
            return
        found = {
            (review.state_id, review.cycle_id): review
            for review in CountryReview.objects.visible_to(self.user)
            .select_related("state", "cycle")
            .filter(
                state_id__in={state for state, _cycle in wanted},
                cycle_id__in={cycle for _state, cycle in wanted},
            )
        }
        reviews = {key: found.get(key) for key in wanted}
        needs = defaultdict(list)
        loaded = [review.pk for review in reviews.values() if review]
        for need in Need.objects.filter(review_id__in=loaded).select_related(
            "proposal"
        ):
            needs[need.review_id].append(need)
        for key, review in reviews.items():
            self._keep(self.reviews, key, review)
            if review is not None and review.pk not in self.needs:
                self._keep(self.needs, review.pk, self._by_key(needs[review.pk]))

    def outcome(self, number: int, record: dict) -> RowOutcome:
        self.label = ""  # the need's key, once the row names a known one
        try:
            return self._outcome(number, record)
        except RowRefused as refused:
            return RowOutcome(
                number, RowOutcome.REFUSED, self.label, reason=str(refused)
            )

    def _review(self, code: str, cycle_text: str) -> CountryReview:
        state = self.states.get(code.upper())
        if state is None:
            # Translators: code is a State's code as given, e.g. 'KEN'.
            raise RowRefused(_("unknown State %(code)s") % {"code": repr(code)})
        if self.focal_state is not None and state.id != self.focal_state:
            raise ImportRefused(
                # Translators: state names a State party.
                _(
                    "The file holds needs of %(state)s: you may import your own "
                    "State's needs only. Nothing was imported."
                )
                % {"state": state}
            )
        cycle = self.cycles.get(cycle_text)
        if cycle is None:
            # Translators: cycle is the cycle as given, e.g. '3'.
            raise RowRefused(_("unknown cycle %(cycle)s") % {"cycle": repr(cycle_text)})
        review = self._kept(
            self.reviews,
            (state.id, cycle[0].id),
            lambda: (
                CountryReview.objects.visible_to(self.user)
                .select_related("state", "cycle")
                .filter(state=state, cycle=cycle[0])
                .first()
            ),
        )
        if review is None or not self._enterable(review):
            raise RowRefused(
                # Translators: state names a State party; cycle is a number.
                _("%(state)s has no review in cycle %(cycle)s")
                % {"state": state, "cycle": cycle_text}
            )
        return review

    def _enterable(self, review: CountryReview) -> bool:
        """Whether the user may enter needs for the review (asked once a review)."""
        enterable = self.enterable.get(review.id)
        if enterable is None:
            enterable = self.enterable[review.id] = can_enter_needs(self.user, review)
        return enterable

    def _key(self, record: dict):
        code = _text("state_code", record["state_code"]).strip()
        cycle_text = _text("cycle", record["cycle"]).strip()
        article_text = _text("article", record["article"]).strip()
        type_text = _text("type", record["type"]).strip()
        review = self._review(code, cycle_text)
        article = self.articles.get(article_text)
        if article is None:
            raise RowRefused(
                # Translators: article is the article as given, e.g. '99'.
                _("unknown article %(article)s") % {"article": repr(article_text)}
            )
        if article.chapter_id not in self.cycles[cycle_text][1]:
            raise RowRefused(
                # Translators: article is a number, chapter a Roman numeral.
                _(
                    "article %(article)s is in chapter %(chapter)s, which cycle "
                    "%(cycle)s does not review"
                )
                % {
                    "article": article.number,
                    "chapter": article.chapter.number,
                    "cycle": cycle_text,
                }
            )
        # A slug (as the export writes it) at once, else any label, folded.
        need_type = self.types.get(type_text) or self.types.get(_normal(type_text))
        if need_type is None:
            # Translators: label is the type as given, e.g. 'Training'.
            raise RowRefused(
                _("unknown type of need %(label)s") % {"label": repr(type_text)}
            )
        return review, article, need_type

    def _values(self, record: dict) -> dict:
        values = {}
        for column in VALUE_COLUMNS:
            if column not in record:
                continue
            text = _text(column, record[column])
            if text == WITHHELD:
                continue
            if column == "priority":
                text = (
                    _choice(Need.Priority, column, text, self.language)
                    if text.strip()
                    else "unset"
                )
            elif column == "source":
                if not text.strip():
                    continue
                text = _choice(Need.Source, column, text, self.language)
            values[column] = text
        return values

    def _existing(self, review: CountryReview) -> dict:
        """(article, type) -> the review's need; streamed, -> the number of the
        row that took it."""

        def load():
            return self._by_key(review.needs.select_related("proposal"))

        return self._kept(self.needs, review.id, load)

    @staticmethod
    def _by_key(needs) -> dict:
        return {(need.article_id, need.need_type_id): need for need in needs}

    def _taken(self, review, key: tuple, number: int, existing: dict) -> None:
        """Refuse a need given twice; remember this row's."""
        if self.seen is not None:
            earlier = self.seen.get((review.id, *key))
            self.seen[(review.id, *key)] = earlier or number
        else:
            earlier = existing.get(key)
            earlier = earlier if isinstance(earlier, int) else None
        if earlier is not None:
            raise RowRefused(
                # Translators: row is the number of an earlier row of the file.
                _("the same need as row %(row)s") % {"row": earlier}
            )

    def _outcome(self, number: int, record: dict) -> RowOutcome:
        review, article, need_type = self._key(record)
        label = self.label = (
            f"{review.state.code} · {review.cycle.number} · {article.number} · "
            f"{need_type.slug}"
        )
        # (`id` rather than `pk`: read for every row.)
        key = (article.id, need_type.id)
        existing = self._existing(review)
        self._taken(review, key, number, existing)
        need = existing.get(key)
        if self.seen is None:
            existing[key] = number
        values = self._values(record)
        if need is None:
            values = {"article": article, "need_type": need_type, **values}
            return RowOutcome(
                number, RowOutcome.NEW, label, review=review, values=values
            )
        changed = {f: v for f, v in values.items() if getattr(need, f) != v}
        if not changed:
            return RowOutcome(number, RowOutcome.UNCHANGED, label, need=need)
        if need.status == Need.Status.SUBMITTED:
            raise RowRefused(_("this need awaits the secretariat's decision"))
        proposal = need.pending_proposal
        if (
            self.focal_state is None
            and proposal is not None
            and proposal.proposed_by_id != self.user.pk
        ):
            # The secretariat's change would replace the State's, unseen.
            raise RowRefused(
                _(
                    "the State is preparing a change of this need, which this row "
                    "would replace: leave the row out until the State submits it"
                )
            )
        differences = [
            (str(Need._meta.get_field(f).verbose_name), getattr(need, f), v)
            for f, v in changed.items()
        ]
        return RowOutcome(
            number,
            RowOutcome.CHANGED,
            label,
            differences=differences,
            review=review,
            values=changed,
            need=need,
        )


def outcomes(handle: BinaryIO, *, user, streamed: bool = False) -> Iterator[RowOutcome]:
    """One outcome per row of the file, as it is read; ImportRefused for a fault
    of the whole file. `streamed`: what the import reads (see `_Planner`)."""
    planner = _Planner(user, streamed=streamed)
    produced = False
    records = _records(handle)
    while chunk := list(itertools.islice(records, planner.CHUNK)):
        produced = True
        planner.read_ahead(chunk)
        for number, record in chunk:
            yield planner.outcome(number, record)
    if not produced:
        raise ImportRefused(_("The file holds no needs: only its first row."))


def needs_preview(handle: BinaryIO, *, user) -> Preview:
    """Every row's outcome, nothing written."""
    return Preview(list(outcomes(handle, user=user)))


# ---------------------------------------------------------------------------
# Confirming: all or nothing
# ---------------------------------------------------------------------------
def _write(row: RowOutcome, user, new: NewNeeds, touched: dict) -> None:
    """A new need joins the batch; a changed one is proposed at once."""
    try:
        if row.outcome == RowOutcome.NEW:
            new.add(review=row.review, values=row.values)
            return
        need = need_update(
            need=row.need,
            user=user,
            expected_version=row.need.version,
            propose=True,
            **row.values,
        )
    except ValidationError as error:
        row.reason = "; ".join(error.messages)
        raise _refused(row) from error
    touched.setdefault(row.review.pk, (row.review, []))[1].append(need.pk)


def _accept(touched: dict, user, accept: bool, comment: str) -> dict:
    """The secretariat's proposed changes are submitted, and accepted if it says
    so; the entry events, {review id: {action: event}}."""
    events = {}
    for review, need_ids in touched.values():
        event = submit_proposals(review=review, user=user, only=need_ids)
        steps = events[review.pk] = {event.action: event}
        if accept:
            proposals = NeedProposal.objects.filter(need_id__in=need_ids)
            decisions = {
                pk: Decision(outcome=EntryDecision.Outcome.ACCEPTED)
                for pk in proposals.values_list("pk", flat=True)
            }
            decided = review_decide(
                review=review, user=user, decisions=decisions, comment=comment
            )
            steps |= {event.action: event for event in decided}
    return events


def _stage(user, accept: bool) -> str:
    if not is_secretariat(user):
        return NewNeeds.DRAFT
    return NewNeeds.ACCEPTED if accept else NewNeeds.SUBMITTED


def _refused(row: RowOutcome) -> ImportRefused:
    return ImportRefused(
        # Translators: row is a row number; reason says why it is refused.
        _("Row %(row)s: %(reason)s. Nothing was imported.")
        % {"row": row.number, "reason": row.reason}
    )


def _twice(handle: BinaryIO, user) -> ImportRefused:
    """The database refused a need recorded twice: the file's first refused row
    (read again from the start, every key remembered), else a need recorded by
    someone else meanwhile."""
    handle.seek(0)
    for row in outcomes(handle, user=user):
        if row.outcome == RowOutcome.REFUSED:
            return _refused(row)
    return ImportRefused(
        _(
            "A need of the file was recorded by someone else meanwhile. Nothing "
            "was imported; upload the file again to see it."
        )
    )


@transaction.atomic
def needs_import(
    handle: BinaryIO, *, user, accept: bool = False, filename: str = "", progress=None
) -> ImportResult:
    """Write every row of the file, or none: a refused row raises ImportRefused,
    a fault while writing propagates; either rolls the whole file back.
    `accept` (the secretariat only): accept the imported needs as its decision.

    Streamed: new needs are staged a batch at a time and written together
    (`bulk.NewNeeds`), changed
    ones one by one through the entry services; the rows are read once, with the
    reference data in dictionaries and a query or two per review met."""
    if accept and not is_secretariat(user):
        raise ImportRefused(_("Only the secretariat accepts needs."))
    # Translators: filename is the name of the imported file.
    comment = _("Imported from %(filename)s.") % {"filename": filename}
    new = NewNeeds(user=user, stage=_stage(user, accept), comment=comment)
    counts = {RowOutcome.NEW: 0, RowOutcome.CHANGED: 0, RowOutcome.UNCHANGED: 0}
    touched: dict[int, tuple] = {}
    try:
        with transaction.atomic():  # a savepoint: a refused batch is told apart
            for row in outcomes(handle, user=user, streamed=True):
                if progress is not None:
                    progress(row)
                if row.outcome == RowOutcome.REFUSED:
                    raise _refused(row)
                counts[row.outcome] += 1
                if row.outcome != RowOutcome.UNCHANGED:
                    _write(row, user, new, touched)
            new.write()
    except IntegrityError as error:
        raise _twice(handle, user) from error
    # A review's changed and new needs: one step of each kind, with both.
    steps = _accept(touched, user, accept, comment) if is_secretariat(user) else {}
    new.finish(steps=steps)
    return ImportResult(
        created=counts[RowOutcome.NEW],
        changed=counts[RowOutcome.CHANGED],
        unchanged=counts[RowOutcome.UNCHANGED],
        accepted=accept and bool(counts[RowOutcome.NEW] or touched),
    )


# ---------------------------------------------------------------------------
# The uploaded file, kept for its uploader between preview and confirmation
# ---------------------------------------------------------------------------
def upload_save(*, user, uploaded, kind: str = Upload.Kind.NEEDS) -> Upload:
    """Keep the uploaded file (replacing the user's earlier one of that kind)."""
    if uploaded.size > MAX_FILE_BYTES:
        raise ImportRefused(
            # Translators: limit is a size in megabytes.
            _("The file is larger than %(limit)s MB.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if uploaded.size == 0:
        raise ImportRefused(_("The file is empty."))
    Upload.objects.filter(uploaded_by=user, kind=kind).delete()
    return Upload.objects.create(
        kind=kind,
        uploaded_by=user,
        filename=uploaded.name[:255],
        content=b"".join(uploaded.chunks()),
    )


def upload_for(*, user, kind: str = Upload.Kind.NEEDS) -> Upload | None:
    """The user's own file awaiting confirmation, if any."""
    return Upload.objects.visible_to(user).filter(kind=kind).first()


def upload_handle(upload: Upload) -> BinaryIO:
    return io.BytesIO(bytes(upload.content))
