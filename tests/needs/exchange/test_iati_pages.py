"""The IATI pages: upload, preview and confirm (the secretariat's), the
`import_iati` command, and the IATI file of the assistance a person sees."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from needs.models import Assistance, AssistanceNeed, Donor, Upload
from reviews.models import Article, StateParty
from tests.conftest import client_for
from tests.factories import NeedFactory, UserFactory, make_assistance
from tests.needs.exchange.test_iati import FILE, SCHEMA

pytestmark = pytest.mark.django_db

UPLOAD = reverse("exchange:iati_import")
PREVIEW = reverse("exchange:iati_import_preview")
DOWNLOAD = reverse("exchange:assistance_iati")
REFUSED = FILE.replace(
    b'<activity-date type="4" iso-date="2022-06-30"/>',
    b'<activity-date type="4" iso-date="June 2022"/>',
)


@pytest.fixture
def kenya(db):
    return StateParty.objects.get(code="KEN")


def upload(client, data: bytes = FILE, **extra):
    file = SimpleUploadedFile("activities.xml", data, "application/xml")
    return client.post(UPLOAD, {"file": file, **extra})


def test_secretariat_uploads_previews_and_confirms(client, secretariat, kenya):
    client = client_for(client, secretariat)

    uploaded = upload(client)
    page = client.get(PREVIEW).content.decode()
    assert not Assistance.objects.exists()
    confirmed = client.post(PREVIEW, follow=True)

    assert uploaded.status_code == 302
    assert "GB-GOV-1-1001" in page
    assert page.count('class="outcome-new"') == 2
    assert Assistance.objects.count() == 2
    assert "Imported: 2 new" in confirmed.content.decode()
    assert confirmed.redirect_chain[-1][0].startswith(reverse("followup:desk"))
    assert not Upload.objects.exists()


def test_a_second_file_previews_updated_and_unchanged(client, secretariat, kenya):
    client = client_for(client, secretariat)
    upload(client)
    client.post(PREVIEW)

    upload(client, FILE.replace(b"150000", b"175000"))
    page = client.get(PREVIEW).content.decode()

    assert 'class="outcome-updated"' in page
    assert "budget" in page.split('class="outcome-updated"')[1].split("</tr>")[0]
    assert 'class="outcome-unchanged"' in page
    assert Assistance.objects.get(iati_identifier="GB-GOV-1-1001").budget == 150000


def test_a_refused_activity_is_shown_with_its_line_and_nothing_is_written(
    client, secretariat, kenya
):
    client = client_for(client, secretariat)
    upload(client, REFUSED)

    page = client.get(PREVIEW).content.decode()
    response = client.post(PREVIEW, follow=True)

    refused = page.split('class="outcome-refused"')[1].split("</tr>")[0]
    assert "Invalid date" in refused
    assert "line 31" in refused
    assert "Confirm the import" not in page
    assert "Nothing was imported" in response.content.decode()
    assert not Assistance.objects.exists()
    assert not Donor.objects.exists()


def test_a_file_that_is_not_iati_2_is_refused_whole(client, secretariat):
    client = client_for(client, secretariat)
    upload(client, b"<iati-activities version='1.05'/>")

    page = client.get(PREVIEW).content.decode()

    assert "The file is refused" in page
    assert "version 2.01 to 2.03" in page


def test_only_anti_corruption_and_justice_sectors(client, secretariat, kenya):
    client = client_for(client, secretariat)

    response = upload(client, governance_only="on")
    page = client.get(response["Location"]).content.decode()
    client.post(PREVIEW, {"governance_only": "on"})

    assert response["Location"] == PREVIEW + "?governance_only=on"
    assert 'class="outcome-skipped"' in page
    assert list(Assistance.objects.values_list("iati_identifier", flat=True)) == [
        "GB-GOV-1-1001"
    ]


@pytest.mark.parametrize("role", ["focal_point", "viewer"])
def test_only_the_secretariat_imports_iati(client, request, secretariat, role):
    # given the secretariat's file awaiting its confirmation
    upload(client_for(client, secretariat))
    client.logout()

    # when another role opens the pages and posts
    client = client_for(client, request.getfixturevalue(role))
    responses = [client.get(UPLOAD), client.get(PREVIEW), client.post(PREVIEW)]
    responses.append(upload(client))

    # then it is refused and nothing is written
    assert [r.status_code for r in responses] == [403] * 4
    assert not Assistance.objects.exists()
    assert Upload.objects.count() == 1


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------
def write(tmp_path, data: bytes = FILE):
    path = tmp_path / "activities.xml"
    path.write_bytes(data)
    return path


def test_command_dry_run_writes_nothing(tmp_path, secretariat, kenya):
    out = io.StringIO()
    call_command("import_iati", write(tmp_path), "--dry-run", "--as", "sec", stdout=out)
    assert "2 new, 0 updated" in out.getvalue()
    assert not Assistance.objects.exists()


def test_command_imports_only_governance_sectors(tmp_path, secretariat, kenya):
    out = io.StringIO()
    call_command(
        "import_iati",
        write(tmp_path),
        "--sectors",
        "anti-corruption",
        "--as",
        "sec",
        stdout=out,
    )
    assert "1 new, 0 updated, 0 unchanged, 1 skipped" in out.getvalue()
    assert Assistance.objects.get().iati_identifier == "GB-GOV-1-1001"


def test_command_fails_on_a_refused_activity_and_writes_nothing(
    tmp_path, secretariat, kenya
):
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 refused"):
        call_command("import_iati", write(tmp_path, REFUSED), "--as", "sec", stderr=err)
    assert "Invalid date 'June 2022' (line 31)" in err.getvalue()
    assert not Assistance.objects.exists()


def test_command_refuses_an_account_that_may_not_import(tmp_path, viewer, kenya):
    with pytest.raises(CommandError, match="Only the secretariat"):
        call_command("import_iati", write(tmp_path), "--as", "donor")
    assert not Assistance.objects.exists()


# ---------------------------------------------------------------------------
# The IATI file of the assistance a person sees
# ---------------------------------------------------------------------------
def identifiers(response) -> set[str]:
    document = etree.fromstring(response.content)
    return {a.findtext("iati-identifier") for a in document.iterfind("iati-activity")}


@pytest.fixture
def projects(own_review, other_review):
    own = make_assistance(
        title="Own project", states=[own_review.state], iati_identifier="XM-OWN"
    )
    other = make_assistance(
        title="Other project", states=[other_review.state], iati_identifier="XM-OTH"
    )
    planned = make_assistance(
        title="Planned project",
        states=[own_review.state],
        status=Assistance.Status.PLANNED,
        iati_identifier="XM-PLAN",
    )
    return own, other, planned


def test_a_focal_point_gets_only_its_own_states_projects(client, focal_point, projects):
    response = client_for(client, focal_point).get(DOWNLOAD)

    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert identifiers(response) == {"XM-OWN"}
    assert b"Other project" not in response.content


def test_the_file_follows_the_mapping_status_filter_and_the_state(
    client, secretariat, projects, own_review
):
    client = client_for(client, secretariat)
    everything = "&".join(f"status={s}" for s in Assistance.Status.values)

    default = identifiers(client.get(DOWNLOAD))
    planned = identifiers(client.get(DOWNLOAD + "?status=planned"))
    own = identifiers(client.get(f"{DOWNLOAD}?state=OWN&{everything}"))

    assert default == {"XM-OWN", "XM-OTH"}
    assert planned == {"XM-PLAN"}
    assert own == {"XM-OWN", "XM-PLAN"}


def test_a_donor_sees_only_the_needs_it_may_see_in_the_tags(
    client, viewer, own_review, other_review
):
    # given a project addressing an accepted need and a need never accepted
    project = make_assistance(title="Courts", states=[other_review.state])
    accepted = NeedFactory(review=other_review)
    draft = NeedFactory(
        review=other_review,
        article=Article.objects.get(number=16),
        status="draft",
        accepted_at=None,
    )
    for need in (accepted, draft):
        AssistanceNeed.objects.create(assistance=project, need=need)

    # when a donor downloads the file
    response = client_for(client, viewer).get(DOWNLOAD)

    # then only the accepted need is named
    document = etree.fromstring(response.content)
    codes = [tag.get("code") for tag in document.iterfind("iati-activity/tag")]
    assert codes == [f"OTH-15-{accepted.need_type.slug}"]


def test_the_downloaded_file_is_valid_against_the_official_schema(
    client, secretariat, projects, own_review
):
    AssistanceNeed.objects.create(
        assistance=projects[0], need=NeedFactory(review=own_review)
    )

    response = client_for(client, secretariat).get(DOWNLOAD)

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    assert len(document.findall("iati-activity")) == 2


def test_the_mapping_page_links_the_iati_file_with_its_filter(client, viewer):
    page = client_for(client, viewer).get(
        reverse("followup:donor_mapping") + "?status=planned"
    )
    assert f'href="{DOWNLOAD}?status=planned"' in page.content.decode()


def test_no_role_gets_no_file(client, projects):
    response = client_for(client, UserFactory()).get(DOWNLOAD)
    assert response.status_code == 404


def test_the_file_costs_the_same_queries_for_2_or_10_projects(
    client, secretariat, own_review, django_assert_num_queries
):
    client = client_for(client, secretariat)

    def world(start, count):
        for index in range(start, start + count):
            project = make_assistance(title=f"P{index}", states=[own_review.state])
            make_assistance(title=f"Undated {index}", states=[own_review.state])
            AssistanceNeed.objects.create(
                assistance=project,
                need=NeedFactory(
                    review=own_review, article=Article.objects.get(number=index + 15)
                ),
            )

    world(0, 1)
    with django_assert_num_queries(6) as few:
        client.get(DOWNLOAD)
    world(1, 4)
    with django_assert_num_queries(len(few)):
        response = client.get(DOWNLOAD)
    assert len(identifiers(response)) == 10
