"""Request ids and one structured log line per request."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from tatracker.observability import RequestIdFilter

pytestmark = pytest.mark.django_db


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "tatracker.request"]


def test_a_request_gets_an_id_in_the_answer(client):
    response = client.get(reverse("health"))

    assert len(response["X-Request-ID"]) == 32


def test_the_load_balancers_request_id_is_kept(client, caplog):
    caplog.set_level(logging.INFO, logger="tatracker.request")

    response = client.get(reverse("health"), headers={"X-Request-ID": "lb-42.abc"})

    assert response["X-Request-ID"] == "lb-42.abc"
    assert _request_lines(caplog)[-1].request_id == "lb-42.abc"


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get(
        reverse("health"), headers={"X-Request-ID": "bad id\r\nSet-Cookie: x"}
    )

    assert response["X-Request-ID"] != "bad id\r\nSet-Cookie: x"
    assert len(response["X-Request-ID"]) == 32


def test_one_json_line_per_request_with_user_id_never_the_name(
    user_client, secretariat, caplog
):
    # given
    caplog.set_level(logging.INFO, logger="tatracker.request")
    config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(config["format"], rename_fields=config["rename_fields"])

    # when
    response = user_client.get(reverse("needs:need_list"), {"q": "x"})

    # then
    records = _request_lines(caplog)
    assert len(records) == 1
    line = json.loads(formatter.format(records[0]))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == secretariat.pk
    assert line["path"] == reverse("needs:need_list")
    assert line["status"] == 200
    assert line["view"] == "needs:need_list"
    assert line["duration_ms"] > 0
    assert line["queries"] > 0
    assert line["level"] == "INFO"
    assert secretariat.username not in json.dumps(line)


def test_other_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "m", (), None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_production_logs_are_json_lines():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["handlers"]["console"]["stream"] == "ext://sys.stdout"
