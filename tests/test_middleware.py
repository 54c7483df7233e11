"""The control-character middleware: what it refuses, what it lets through, and the
shape of its answer (JSON under the API, plain text elsewhere)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from tatracker.middleware import ControlCharacterMiddleware

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def answer(request):
    return ControlCharacterMiddleware(lambda request: HttpResponse("passed"))(request)


def passed(response) -> bool:
    return response.status_code == 200 and response.content == b"passed"


@pytest.mark.parametrize(
    "path",
    [
        "/states/AF%00/",
        "/states/AF%01/",
        "/states/AF%1F/",
        "/needs/?search=a%00b",
        "/needs/?search=a%0Bb",
        "/needs/?a%00b=1",
        "/needs/?state=OWN&state=%00",
    ],
)
def test_a_control_character_in_the_address_or_query_is_refused(path):
    response = answer(RequestFactory().get(path))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"control character" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/needs/?search=line%0Aline%0Dtab%09",
        "/needs/?search=%D9%85%D9%83%D8%A7%D9%81%D8%AD%D8%A9",  # Arabic
        "/needs/?search=%E5%8F%8D%E8%85%90%E8%B4%A5",  # Chinese
        "/needs/?search=%D0%BA%D0%BE%D1%80%D1%80%D1%83%D0%BF%D1%86%D0%B8%D1%8F",
        "/needs/?search=%2500",  # the text "%00"
    ],
)
def test_tab_line_breaks_and_text_in_any_language_pass(path):
    assert passed(answer(RequestFactory().get(path)))


def test_under_the_api_the_answer_is_the_apis_error_shape():
    response = answer(RequestFactory().get("/api/v1/needs/?search=a%00b"))
    assert response.status_code == 400
    assert response["Content-Type"] == JSON
    assert json.loads(response.content) == {
        "status": 400,
        "code": "invalid",
        "detail": "A query parameter contains a control character (such as NUL).",
    }


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (rb'{"state": "AF\u0000"}', True),
        (rb'{"state\u0000": "AF"}', True),
        (b'{"state": "AF\x00"}', True),  # a raw NUL byte
        (rb'{"notes": "C:\\\u0000"}', True),  # an escaped backslash, then NUL
        (rb'{"notes": "C:\\u0000"}', False),  # a backslash, then the text u0000
        (rb'{"notes": "\u0627\u0644\u0641\u0633\u0627\u062f"}', False),  # Arabic
        ('{"notes": "反腐败 مكافحة الفساد"}'.encode(), False),
        (rb'{"notes": "\u00001"}', True),
    ],
)
def test_a_nul_in_a_json_body_is_refused(body, refused):
    request = RequestFactory().post("/api/v1/action-plans/", body, content_type=JSON)
    response = answer(request)
    assert passed(response) is not refused
    if refused:
        detail = json.loads(response.content)["detail"]
        assert detail.startswith("The request body contains a NUL")


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (b"description=a%00b", True),
        (b"a%00=b", True),
        (b"description=a\x00b", True),
        (b"description=100%25%2000", False),
        ("description=مكافحة الفساد 反腐败".encode(), False),
    ],
)
def test_a_nul_in_a_form_body_is_refused(body, refused):
    request = RequestFactory().post("/needs/1/edit/", body, content_type=FORM)
    assert passed(answer(request)) is not refused


def test_multipart_uploads_with_nul_bytes_pass():
    """An XLSX (a zip) holds NUL bytes; uploads are the import's to read."""
    xlsx = SimpleUploadedFile("needs.xlsx", b"PK\x03\x04\x00\x00\x00binary")
    upload = RequestFactory().post("/api/v1/needs/", {"file": xlsx, "note": "x"})
    assert passed(answer(upload))


def test_other_bodies_pass_untouched():
    request = RequestFactory().post("/x/", b"\x00\x01", content_type="text/plain")
    assert passed(answer(request))
