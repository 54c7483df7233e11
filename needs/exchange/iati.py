"""IATI 2.03 activities in and out for donors' assistance.

Out: the assistance records a user may see as an `iati-activities` file (version
2.03), the needs each addresses as `tag` elements of the reporting organisation's
vocabulary (99) naming the State, article and type. In: each `iati-activity` of a
2.0x file becomes an assistance record (updated in place on a later import, keyed
by its `iati-identifier`), its funders and reporting organisation donors. A file of
version 1.x, malformed XML or an activity without identifier is refused with the
element's line; nothing is written from a file with an error. XML is parsed
without entities, DTDs or network, and its size is bounded.
"""

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from needs.followup.selectors import first_recorded
from needs.models import Assistance, Donor
from reviews.models import StateParty

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_FILE_BYTES = 20 * 1024 * 1024
# The reporting organisation tatracker writes as (an IATI organisation identifier).
REPORTING_ORG_REF = getattr(settings, "IATI_REPORTING_ORG_REF", "XI-IATI-TATRACKER")
REPORTING_ORG_TYPE = "40"  # multilateral
REPORTING_ORG_NAME = "tatracker (UNCAC technical assistance needs)"
# IATI ActivityStatus ↔ the assistance statuses.
STATUS_OUT = {
    Assistance.Status.PLANNED: "1",
    Assistance.Status.ONGOING: "2",
    Assistance.Status.COMPLETED: "4",
    Assistance.Status.ENDED: "4",
    Assistance.Status.CANCELLED: "5",
    Assistance.Status.SUSPENDED: "6",
}
STATUS_IN = {
    "1": Assistance.Status.PLANNED,
    "2": Assistance.Status.ONGOING,
    "3": Assistance.Status.COMPLETED,
    "4": Assistance.Status.COMPLETED,
    "5": Assistance.Status.CANCELLED,
    "6": Assistance.Status.SUSPENDED,
}
# DAC 5-digit sectors of anti-corruption and justice: government and civil
# society (151xx, with 15113 anti-corruption organisations and 15130 legal and
# judicial development) and 15210 security system management.
GOVERNANCE_PREFIXES = ("151", "15210")
FUNDING_ROLE = "1"


class IatiRefused(Exception):
    """The file is refused whole; nothing was written."""


# ---------------------------------------------------------------------------
# Out
# ---------------------------------------------------------------------------
def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(
        parent, tag, {k.replace("_", "-"): str(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _narrative(parent, tag: str, text: str, **attributes):
    element = _sub(parent, tag, **attributes)
    _sub(element, "narrative", text)
    return element


def identifier_of(assistance: Assistance) -> str:
    return assistance.iati_identifier or f"{REPORTING_ORG_REF}-{assistance.pk}"


def _dates(activity, assistance: Assistance) -> None:
    start = assistance.starts_on
    end = assistance.ends_on
    begun = assistance.status != Assistance.Status.PLANNED
    if start:
        _sub(activity, "activity-date", type="2" if begun else "1", iso_date=start)
    if end:
        done = assistance.status in {
            Assistance.Status.COMPLETED,
            Assistance.Status.ENDED,
        }
        _sub(activity, "activity-date", type="4" if done else "3", iso_date=end)
    if not (start or end):
        # The standard requires a date: the day the record was written.
        _sub(activity, "activity-date", type="1", iso_date=_recorded_on(assistance))


def _recorded_on(assistance: Assistance) -> datetime.date:
    """The day the record was first written (`first_recorded_at` when the
    queryset annotated it, `assistance_for_export`)."""
    if hasattr(assistance, "first_recorded_at"):
        first = assistance.first_recorded_at
    else:
        row = assistance.history.order_by("history_date").first()
        first = row.history_date if row else None
    return (first or timezone.now()).date()


def activity_element(assistance: Assistance, vocabulary_uri: str):
    activity = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": timezone.now().replace(microsecond=0).isoformat(),
            XML_LANG: "en",
        },
    )
    if assistance.currency:
        activity.set("default-currency", assistance.currency)
    _sub(activity, "iati-identifier", identifier_of(assistance))
    _narrative(
        activity,
        "reporting-org",
        REPORTING_ORG_NAME,
        ref=REPORTING_ORG_REF,
        type=REPORTING_ORG_TYPE,
    )
    _narrative(activity, "title", assistance.title)
    # The standard requires a description; the record's notes are the
    # secretariat's own and never leave it, so the description is the title's.
    _narrative(activity, "description", assistance.title, type="1")
    donors = list(assistance.donors.all())
    for donor in donors:
        attributes = {"role": FUNDING_ROLE}
        if donor.iati_ref:
            attributes["ref"] = donor.iati_ref
        _narrative(activity, "participating-org", donor.name, **attributes)
    if assistance.implementing_organization:
        _narrative(
            activity,
            "participating-org",
            assistance.implementing_organization,
            role="4",
        )
    if not donors and not assistance.implementing_organization:
        _narrative(
            activity,
            "participating-org",
            REPORTING_ORG_NAME,
            role="3",
            ref=REPORTING_ORG_REF,
        )
    _sub(activity, "activity-status", code=STATUS_OUT[assistance.status])
    _dates(activity, assistance)
    regional = assistance.modality == Assistance.Modality.REGIONAL
    _sub(activity, "activity-scope", code="2" if regional else "4")
    for state in assistance.beneficiaries.all():
        if state.alpha_2:
            _narrative(activity, "recipient-country", state.label, code=state.alpha_2)
    for sector in assistance.sectors or []:
        _sub(
            activity,
            "sector",
            vocabulary=sector.get("vocabulary", "1"),
            code=sector["code"],
        )
    for link in assistance.links.all():
        need = link.need
        # Translators: an IATI tag naming a need: "Kenya · art. 15 · Other".
        _narrative(
            activity,
            "tag",
            str(need),
            vocabulary="99",
            vocabulary_uri=vocabulary_uri,
            code=f"{need.review.state.code}-{need.article.number}-{need.need_type.slug}",
        )
    if assistance.budget is not None:
        start = assistance.starts_on or _recorded_on(assistance)
        budget = _sub(activity, "budget", type="1", status="1")
        _sub(budget, "period-start", iso_date=start)
        _sub(budget, "period-end", iso_date=assistance.ends_on or start)
        _sub(
            budget,
            "value",
            f"{assistance.budget:f}",
            currency=assistance.currency,
            value_date=start,
        )
    return activity


def activities_document(assistance: Iterable[Assistance], *, vocabulary_uri: str):
    root = etree.Element(
        "iati-activities",
        {
            "version": VERSION,
            "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    for item in assistance:
        root.append(activity_element(item, vocabulary_uri))
    return root


def activities_bytes(assistance: Iterable[Assistance], *, vocabulary_uri: str) -> bytes:
    return etree.tostring(
        activities_document(assistance, vocabulary_uri=vocabulary_uri),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )


def assistance_for_export(queryset):
    return first_recorded(queryset).prefetch_related(
        "donors",
        "beneficiaries",
        "links__need__review__state",
        "links__need__article",
        "links__need__need_type",
    )


# ---------------------------------------------------------------------------
# In
# ---------------------------------------------------------------------------
@dataclass
class Organisation:
    name: str
    ref: str = ""
    type: str = ""


@dataclass
class Activity:
    """What one iati-activity says, before it is written."""

    identifier: str
    line: int
    title: str = ""
    notes: str = ""
    donors: list[Organisation] = field(default_factory=list)
    implementing: str = ""
    countries: list[str] = field(default_factory=list)
    regional: bool = False
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    status: str = Assistance.Status.PLANNED
    budget: decimal.Decimal | None = None
    currency: str = ""
    sectors: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class IatiResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    unknown_countries: list[str]


def _parse(handle: BinaryIO):
    data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise IatiRefused(
            # Translators: limit is a size in megabytes.
            _("The file is larger than %(limit)s MB.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise IatiRefused(
            # Translators: line is a line number; problem is the parser's message.
            _("The file is not well-formed XML (line %(line)s): %(problem)s")
            % {"line": error.lineno, "problem": error.msg}
        ) from error
    version = root.get("version", "")
    if root.tag != "iati-activities" or not version.startswith("2.0"):
        raise IatiRefused(
            # Translators: version is the file's IATI version, e.g. '1.05'.
            _(
                "Only IATI activity files of version 2.01 to 2.03 are read; this "
                "one is %(version)s (line %(line)s)."
            )
            % {"version": repr(version) if version else "—", "line": root.sourceline}
        )
    return root


def _texts(element) -> list[tuple[str, str]]:
    """(language, text) of each narrative of `element`."""
    if element is None:
        return []
    return [
        (n.get(XML_LANG, ""), (n.text or "").strip())
        for n in element.findall("narrative")
        if (n.text or "").strip()
    ]


def _first_text(element) -> str:
    texts = _texts(element)
    english = [text for lang, text in texts if lang in {"", "en"}]
    return (english or [text for _lang, text in texts] or [""])[0]


def _date(value: str | None, line: int) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "")[:10])
    except ValueError as error:
        raise IatiRefused(
            # Translators: value is a date as given; line a line number.
            _("Invalid date %(value)s (line %(line)s).")
            % {"value": repr(value), "line": line}
        ) from error


def _money(element, default_currency: str) -> tuple[decimal.Decimal, str]:
    try:
        value = decimal.Decimal((element.text or "").strip())
    except decimal.InvalidOperation as error:
        raise IatiRefused(
            # Translators: value as given; line a line number.
            _("Invalid amount %(value)s (line %(line)s).")
            % {"value": repr(element.text), "line": element.sourceline}
        ) from error
    return value, element.get("currency") or default_currency


def _activity(element) -> Activity:
    identifier = (element.findtext("iati-identifier") or "").strip()
    if not identifier:
        raise IatiRefused(
            # Translators: line is the line of an iati-activity element.
            _("An activity has no iati-identifier (line %(line)s).")
            % {"line": element.sourceline}
        )
    activity = Activity(identifier=identifier[:150], line=element.sourceline)
    activity.title = _first_text(element.find("title"))[:300] or identifier[:300]
    notes = [
        f"[{lang or 'en'}] {text}" for lang, text in _texts(element.find("title"))[1:]
    ]
    for description in element.findall("description"):
        notes += [f"[{lang or 'en'}] {text}" for lang, text in _texts(description)]
    activity.notes = "\n".join(notes)
    reporting = element.find("reporting-org")
    if reporting is not None:
        activity.donors.append(
            Organisation(
                _first_text(reporting),
                reporting.get("ref", ""),
                reporting.get("type", ""),
            )
        )
    for org in element.findall("participating-org"):
        name = _first_text(org)
        if org.get("role") == FUNDING_ROLE and (name or org.get("ref")):
            organisation = Organisation(name, org.get("ref", ""), org.get("type", ""))
            if (organisation.ref, organisation.name) not in {
                (d.ref, d.name) for d in activity.donors
            }:
                activity.donors.append(organisation)
        elif org.get("role") == "4" and name:
            activity.implementing = name[:200]
    activity.countries = [
        c.get("code", "").upper() for c in element.findall("recipient-country")
    ]
    activity.regional = element.find("recipient-region") is not None
    _activity_dates(element, activity)
    status = element.find("activity-status")
    if status is not None:
        activity.status = STATUS_IN.get(status.get("code", ""), activity.status)
    _activity_money(element, activity)
    activity.sectors = [
        {"vocabulary": s.get("vocabulary", "1"), "code": s.get("code", "")}
        for s in element.findall("sector")
        if s.get("code")
    ]
    return activity


def _activity_dates(element, activity: Activity) -> None:
    dates = {
        d.get("type"): _date(d.get("iso-date"), d.sourceline)
        for d in element.findall("activity-date")
    }
    activity.starts_on = dates.get("2") or dates.get("1")
    activity.ends_on = dates.get("4") or dates.get("3")


def _activity_money(element, activity: Activity) -> None:
    default = element.get("default-currency", "")
    values = [_money(v, default) for v in element.findall("budget/value")]
    if not values:
        values = [
            _money(t.find("value"), default)
            for t in element.findall("transaction")
            if t.find("transaction-type") is not None
            and t.find("transaction-type").get("code") == "2"
            and t.find("value") is not None
        ]
    if values:
        currency = values[0][1]
        activity.currency = currency[:3]
        activity.budget = sum(
            (v for v, c in values if c == currency), decimal.Decimal()
        )


def is_governance(activity: Activity) -> bool:
    return any(
        s["vocabulary"] in {"1", "2"} and s["code"].startswith(GOVERNANCE_PREFIXES)
        for s in activity.sectors
    )


def activities_read(handle: BinaryIO) -> list[Activity]:
    """Every activity of the file, or IatiRefused at the first error."""
    root = _parse(handle)
    return [_activity(element) for element in root.iter("iati-activity")]


# ---------------------------------------------------------------------------
# What importing a file would do, activity by activity (nothing written)
# ---------------------------------------------------------------------------
# The assistance fields an activity sets, compared to tell "updated" from
# "unchanged".
IMPORTED_FIELDS = [
    "title",
    "notes",
    "implementing_organization",
    "starts_on",
    "ends_on",
    "status",
    "modality",
    "source",
    "budget",
    "currency",
    "sectors",
]


@dataclass
class ActivityOutcome:
    """What importing one iati-activity does (or why it cannot)."""

    NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
    SKIPPED, REFUSED = "skipped", "refused"

    line: int
    outcome: str
    identifier: str = ""
    title: str = ""
    reason: str = ""
    differences: list[str] = field(default_factory=list)
    unknown_countries: list[str] = field(default_factory=list)
    # What the import writes (not shown).
    activity: Activity | None = None
    assistance: Assistance | None = None


@dataclass
class IatiPreview:
    activities: list[ActivityOutcome]

    def count(self, outcome: str) -> int:
        return sum(item.outcome == outcome for item in self.activities)

    @property
    def refused(self) -> list[ActivityOutcome]:
        return [a for a in self.activities if a.outcome == ActivityOutcome.REFUSED]


def imported_values(activity: Activity) -> dict:
    """The assistance fields as the activity gives them."""
    regional = Assistance.Modality.REGIONAL
    return {
        "title": activity.title,
        "notes": activity.notes,
        "implementing_organization": activity.implementing,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "status": activity.status,
        "modality": regional if activity.regional else Assistance.Modality.NATIONAL,
        "source": Assistance.Source.DONOR_REPORT,
        "budget": activity.budget,
        "currency": activity.currency,
        "sectors": activity.sectors,
    }


class Donors:
    """The donors as an import finds them: by organisation identifier, else by
    name (one query, then dictionaries)."""

    def __init__(self):
        donors = list(Donor.objects.all())
        self.by_ref = {d.iati_ref: d for d in donors if d.iati_ref}
        self.by_name = {d.name: d for d in donors}

    @staticmethod
    def name_of(organisation: Organisation) -> str:
        return (organisation.name or organisation.ref)[:200]

    def find(self, organisation: Organisation) -> Donor | None:
        found = self.by_ref.get(organisation.ref) if organisation.ref else None
        return found or self.by_name.get(self.name_of(organisation))

    def add(self, donor: Donor) -> None:
        if donor.iati_ref:
            self.by_ref.setdefault(donor.iati_ref, donor)
        self.by_name[donor.name] = donor


def _differences(activity: Activity, assistance: Assistance, donors, states) -> list:
    """Verbose names of the fields the import would change."""
    values = imported_values(activity)
    changed = [
        str(Assistance._meta.get_field(name).verbose_name)
        for name, value in values.items()
        if getattr(assistance, name) != value
    ]
    found = [donors.find(organisation) for organisation in activity.donors]
    current = {donor.pk for donor in assistance.donors.all()}
    if None in found or {donor.pk for donor in found} != current:
        changed.append(str(Assistance._meta.get_field("donors").verbose_name))
    wanted = {states[code].pk for code in activity.countries if code in states}
    if wanted != {state.pk for state in assistance.beneficiaries.all()}:
        changed.append(str(Assistance._meta.get_field("beneficiaries").verbose_name))
    return changed


def _planned(element, seen: dict, governance_only: bool) -> ActivityOutcome:
    line = element.sourceline
    try:
        activity = _activity(element)
    except IatiRefused as refused:
        return ActivityOutcome(line, ActivityOutcome.REFUSED, reason=str(refused))
    outcome = ActivityOutcome(
        line, "", activity.identifier, activity.title, activity=activity
    )
    if activity.identifier in seen:
        outcome.outcome = ActivityOutcome.REFUSED
        # Translators: line is the line of an earlier activity of the same file.
        outcome.reason = _("The same iati-identifier as the activity of line %(line)s.")
        outcome.reason %= {"line": seen[activity.identifier]}
        return outcome
    seen[activity.identifier] = line
    if governance_only and not is_governance(activity):
        outcome.outcome = ActivityOutcome.SKIPPED
        outcome.reason = _("Not an anti-corruption or justice sector.")
    return outcome


def activities_plan(handle: BinaryIO, *, governance_only: bool = False) -> IatiPreview:
    """Each activity's outcome: new, updated (with the fields that change),
    unchanged, skipped (another sector, when only governance is asked for) or
    refused with its reason and line; IatiRefused for a fault of the whole file.
    A constant number of queries, whatever the number of activities."""
    root = _parse(handle)
    seen: dict[str, int] = {}
    planned = [
        _planned(element, seen, governance_only)
        for element in root.iter("iati-activity")
    ]
    existing = Assistance.objects.filter(iati_identifier__in=list(seen))
    existing = existing.prefetch_related("donors", "beneficiaries")
    existing = {item.iati_identifier: item for item in existing}
    states = {s.alpha_2: s for s in StateParty.objects.exclude(alpha_2="")}
    donors = Donors()
    for outcome in planned:
        if outcome.outcome:
            continue
        activity = outcome.activity
        outcome.unknown_countries = [c for c in activity.countries if c not in states]
        outcome.assistance = existing.get(activity.identifier)
        if outcome.assistance is None:
            outcome.outcome = ActivityOutcome.NEW
            continue
        outcome.differences = _differences(activity, outcome.assistance, donors, states)
        changed = bool(outcome.differences)
        outcome.outcome = (
            ActivityOutcome.UPDATED if changed else ActivityOutcome.UNCHANGED
        )
    return IatiPreview(planned)
