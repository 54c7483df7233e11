"""The needs import pages and the `import_needs` command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from needs.models import EntryEvent, Need, NeedProposal, Upload
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

UPLOAD = reverse("exchange:needs_import")
PREVIEW = reverse("exchange:needs_import_preview")
HEADER = "state_code,cycle,article,type,description,priority,source,remaining\n"


def upload(client, text: str, name: str = "needs.csv"):
    file = SimpleUploadedFile(name, (HEADER + text).encode(), "text/csv")
    return client.post(UPLOAD, {"file": file})


def test_secretariat_uploads_previews_and_confirms(client, secretariat, own_review):
    client = client_for(client, secretariat)

    response = upload(client, "OWN,1,15,other,From a file,,,\n")
    assert response.status_code == 302
    preview = client.get(PREVIEW)
    assert Need.objects.count() == 0
    confirmed = client.post(PREVIEW, {"accept": "on"}, follow=True)

    assert "OWN · 1 · 15 · other" in preview.content.decode()
    need = Need.objects.get()
    assert (need.description, need.status) == ("From a file", Need.Status.ACCEPTED)
    assert EntryEvent.objects.filter(action=EntryEvent.Action.ACCEPTED).exists()
    assert "Imported: 1 new" in confirmed.content.decode()
    assert not Upload.objects.exists()


def test_refused_rows_are_shown_and_cannot_be_confirmed(
    client, secretariat, own_review
):
    client = client_for(client, secretariat)
    upload(client, "OWN,1,15,other,ok,,,\nOWN,1,99,other,,,,\n")

    page = client.get(PREVIEW).content.decode()
    client.post(PREVIEW, {})

    assert "unknown article" in page
    assert "Confirm the import" not in page
    assert not Need.objects.exists()


def test_a_file_with_nothing_new_says_so_and_offers_no_confirmation(
    client, secretariat, own_review
):
    # given a file whose need is recorded as it is
    client = client_for(client, secretariat)
    upload(client, "OWN,1,15,other,Recorded,,,\n")
    client.post(PREVIEW, {"accept": "on"})
    upload(client, "OWN,1,15,other,Recorded,,,\n")

    # when it is previewed
    page = client.get(PREVIEW).content.decode()

    # then it says there is nothing to import, with no empty table nor confirmation
    assert "Nothing to import: every need of the file is recorded as it is." in page
    assert "Confirm the import" not in page
    assert "<table" not in page


def test_focal_point_file_of_another_state_is_refused_whole(
    client, focal_point, other_review
):
    client = client_for(client, focal_point)
    upload(client, "OTH,1,15,other,Theirs,,,\n")

    page = client.get(PREVIEW).content.decode()
    client.post(PREVIEW, {})

    assert "your own State" in page
    assert not Need.objects.exists()
    assert not NeedProposal.objects.exists()


def test_a_focal_point_cannot_confirm_another_persons_upload(
    client, focal_point, secretariat, own_review
):
    # given the secretariat's file awaiting its confirmation
    upload(client_for(client, secretariat), "OWN,1,15,other,Secretariat's,,,\n")
    client.logout()

    # when the focal point opens the preview and posts a confirmation
    client = client_for(client, focal_point)
    response = client.post(PREVIEW, {})

    # then it is sent to upload its own file; nothing is written
    assert response.status_code == 302
    assert response["Location"] == UPLOAD
    assert not Need.objects.exists()


def test_viewer_cannot_import(client, viewer):
    client = client_for(client, viewer)
    assert client.get(UPLOAD).status_code == 403
    assert client.get(PREVIEW).status_code == 403


def test_empty_upload_is_refused(client, secretariat):
    client = client_for(client, secretariat)
    file = SimpleUploadedFile("empty.csv", b"", "text/csv")
    response = client.post(UPLOAD, {"file": file})
    assert response.status_code == 400
    assert not Upload.objects.exists()


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------
def write(tmp_path, text: str):
    path = tmp_path / "needs.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_command_imports_as_the_named_account(tmp_path, secretariat, own_review):
    out = io.StringIO()
    call_command(
        "import_needs",
        write(tmp_path, "OWN,1,15,other,x,,,\n"),
        "--as",
        "sec",
        stdout=out,
    )
    assert "1 new" in out.getvalue()
    assert Need.objects.get().status == Need.Status.SUBMITTED


def test_command_dry_run_writes_nothing(tmp_path, secretariat, own_review):
    out = io.StringIO()
    path = write(tmp_path, "OWN,1,15,other,x,,,\n")
    call_command("import_needs", path, "--dry-run", "--as", "sec", stdout=out)
    assert "1 new" in out.getvalue()
    assert not Need.objects.exists()


def test_command_exits_non_zero_when_a_row_is_refused(
    tmp_path, secretariat, own_review
):
    path = write(tmp_path, "OWN,1,15,other,x,,,\nOWN,1,99,other,,,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 refused"):
        call_command("import_needs", path, "--as", "sec", stderr=err)
    assert "Row 3: unknown article" in err.getvalue()
    assert not Need.objects.exists()
