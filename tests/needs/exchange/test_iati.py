"""IATI 2.03 activities in and out."""

import io
from pathlib import Path

import pytest
from lxml import etree

from needs.exchange.iati import (
    IatiRefused,
    activities_bytes,
    assistance_for_export,
)
from needs.exchange.services import iati_import
from needs.models import Assistance, AssistanceNeed, Donor
from reviews.models import StateParty
from tests.factories import NeedFactory, make_assistance

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(__file__).resolve().parents[4]
    / "shared/reference/iati/iati-activities-schema.xsd"
)
URI = "https://tatracker.example.org/iati/needs"

FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00">
 <iati-activity default-currency="EUR">
  <iati-identifier>GB-GOV-1-1001</iati-identifier>
  <reporting-org ref="GB-GOV-1" type="10"><narrative>UK FCDO</narrative></reporting-org>
  <title><narrative>Anti-corruption courts</narrative>
   <narrative xml:lang="fr">Tribunaux anticorruption</narrative></title>
  <description><narrative>Judges trained.</narrative></description>
  <participating-org role="1" ref="GB-GOV-1" type="10">
   <narrative>UK FCDO</narrative></participating-org>
  <participating-org role="1" ref="XM-DAC-41110" type="40">
   <narrative>UNODC</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2023-01-01"/>
  <activity-date type="2" iso-date="2023-02-01"/>
  <activity-date type="3" iso-date="2025-12-31"/>
  <recipient-country code="KE"/>
  <sector vocabulary="1" code="15113"/>
  <budget><period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/>
   <value currency="EUR" value-date="2023-01-01">150000</value></budget>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XM-DAC-41110-R2</iati-identifier>
  <reporting-org ref="XM-DAC-41110" type="40">
   <narrative>UNODC</narrative></reporting-org>
  <title><narrative>Regional asset recovery network</narrative></title>
  <participating-org role="1" ref="XM-DAC-41110" type="40">
   <narrative>UNODC</narrative></participating-org>
  <activity-status code="4"/>
  <activity-date type="2" iso-date="2020-01-01"/>
  <activity-date type="4" iso-date="2022-06-30"/>
  <recipient-region code="289" vocabulary="1"/>
  <sector vocabulary="1" code="43010"/>
 </iati-activity>
</iati-activities>
"""


@pytest.fixture
def kenya(db):
    return StateParty.objects.get(code="KEN")


def test_state_codes_have_alpha_2(kenya):
    assert kenya.alpha_2 == "KE"
    assert StateParty.objects.get(code="EUU").alpha_2 == "EU"


def test_two_activities_import_and_a_second_import_updates(secretariat, kenya):
    result = iati_import(io.BytesIO(FILE), user=secretariat)

    assert (result.created, result.updated) == (2, 0)
    courts = Assistance.objects.get(iati_identifier="GB-GOV-1-1001")
    assert courts.title == "Anti-corruption courts"
    assert "[fr] Tribunaux anticorruption" in courts.notes
    assert sorted(d.name for d in courts.donors.all()) == ["UK FCDO", "UNODC"]
    assert list(courts.beneficiaries.all()) == [kenya]
    assert courts.status == Assistance.Status.ONGOING
    assert (str(courts.starts_on), str(courts.ends_on)) == ("2023-02-01", "2025-12-31")
    assert (courts.budget, courts.currency) == (150000, "EUR")
    assert courts.sectors == [{"vocabulary": "1", "code": "15113"}]
    network = Assistance.objects.get(iati_identifier="XM-DAC-41110-R2")
    assert network.modality == Assistance.Modality.REGIONAL
    assert network.status == Assistance.Status.COMPLETED

    again = iati_import(
        io.BytesIO(FILE.replace(b"150000", b"175000")), user=secretariat
    )

    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Assistance.objects.count() == 2
    assert Donor.objects.count() == 2
    assert Assistance.objects.get(pk=courts.pk).budget == 175000


def test_governance_only_skips_other_sectors(secretariat, kenya):
    result = iati_import(io.BytesIO(FILE), user=secretariat, governance_only=True)
    assert (result.created, result.skipped) == (1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<iati-activities version='1.05'/>", "version 2.01 to 2.03"),
        (b"<iati-activities version='2.03'><iati-activity>", "not well-formed"),
        (
            b"<iati-activities version='2.03'>\n<iati-activity>\n"
            b"<iati-identifier> </iati-identifier></iati-activity></iati-activities>",
            r"no iati-identifier \(line 2\)",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<iati-activities version='2.03'><iati-activity><iati-identifier>&e;"
            b"</iati-identifier></iati-activity></iati-activities>",
            "no iati-identifier",
        ),
    ],
)
def test_bad_files_are_refused_and_write_nothing(secretariat, data, message):
    with pytest.raises(IatiRefused, match=message):
        iati_import(io.BytesIO(data), user=secretariat)
    assert not Assistance.objects.exists()


def test_export_is_valid_against_the_schema_and_parses_back(secretariat, kenya):
    # given records with donors, a need addressed, a budget
    iati_import(io.BytesIO(FILE), user=secretariat)
    courts = Assistance.objects.get(iati_identifier="GB-GOV-1-1001")
    need = NeedFactory(review__state=kenya)
    AssistanceNeed.objects.create(assistance=courts, need=need)
    make_assistance(title="No dates, no donor")

    # when exported
    data = activities_bytes(
        assistance_for_export(Assistance.objects.all()), vocabulary_uri=URI
    )

    # then the official schema accepts it
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.03"
    # (the courts project: PostgreSQL sorts the undated one first, SQLite last)
    activity = next(
        a
        for a in document.iterfind("iati-activity")
        if a.findtext("iati-identifier") == "GB-GOV-1-1001"
    )
    assert [child.tag for child in activity][:3] == [
        "iati-identifier",
        "reporting-org",
        "title",
    ]
    tag = activity.find("tag")
    assert tag.get("vocabulary") == "99"
    assert tag.get("vocabulary-uri") == URI
    assert tag.get("code") == "KEN-15-good-practices"
    assert activity.find("activity-status").get("code") == "2"
    assert activity.find("recipient-country").get("code") == "KE"

    # and it parses back into the same records
    before = list(
        Assistance.objects.order_by("pk").values_list(
            "title", "status", "starts_on", "ends_on", "budget", "currency"
        )
    )
    iati_import(io.BytesIO(data), user=secretariat)
    after = list(
        Assistance.objects.order_by("pk").values_list(
            "title", "status", "starts_on", "ends_on", "budget", "currency"
        )
    )
    assert after[:2] == before[:2]
