"""Two app servers, one database, one cache: what one server knows, the other knows.

Two gunicorn processes serve the suite's PostgreSQL test database with the shared
cache: the database's cache table (the default), then Redis (REDIS_URL) when one
answers. The servers have connections of their own, so the users they see are
committed (not made inside a test's transaction) and deleted afterwards, with what
the servers wrote about them: cheaper than a transactional test's emptying of every
table, and the reference data stay for the tests that follow. A client behind a load
balancer (TRUSTED_PROXIES=1, its address in X-Forwarded-For) reaches a login lockout,
an API rate limit or a session through server A, then asks server B.

PostgreSQL only: on SQLite the suite's test database lives in memory, where no other
process can reach it (and a shared SQLite file is not how tatracker scales out).
"""

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection

from tatracker.settings import cache_config
from tests.factories import UserFactory

# The marker sets the test database up; the tests themselves write nothing to it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
PRIVATE_PAGE = "/accounts/password_change/"  # any page that needs a log-in
REDIS_URL = os.environ.get("TATRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
RATE = 3  # API requests a minute, per address and per user, on both servers
START_SECONDS = 30  # for gunicorn to listen and its worker to answer
PEOPLE = ("target", "bystander", "api_user", "api_other", "session_user")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# ---------------------------------------------------------------------------
# The servers
# ---------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    port: int = 0


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def _environment(redis_url: str) -> dict:
    """Production's variables (tests.server_settings reads them as production does)."""
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DEBUG": "0",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TRUSTED_PROXIES": "1",
        "API_RATE_ANON": f"{RATE}/minute",
        "API_RATE_USER": f"{RATE}/minute",
        "REQUEST_LOG_LEVEL": "WARNING",
    }


def _start(name: str, environment: dict, folder: Path) -> Server:
    """gunicorn on a port the system chooses (read from its log: no race for it)."""
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "tatracker.wsgi"]
    command += ["--bind", "127.0.0.1:0", "--workers", "1", "--log-level", "info"]
    # No control socket: its default path is one per machine user, not per server.
    command += ["--error-logfile", "-", "--no-control-socket"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    return Server(name, process, log)


def _wait_until_ready(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline and server.process.poll() is None:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", _log(server))
        if found and _answers(int(found[1])):
            server.port = int(found[1])
            return
        time.sleep(0.1)
    pytest.fail(f"server {server.name} did not start:\n{_log(server)[-3000:]}")


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/health/")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _log(server: Server) -> str:
    return server.log.read_text(errors="replace")


def _stop(server: Server) -> None:
    """Quick shutdown of gunicorn and its worker (their process group); killed if
    they linger."""
    for stop in (signal.SIGINT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, stop)
        try:
            server.process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def _clear_shared_cache(redis_url: str) -> None:
    """Counts left by an earlier run (a reused database, a Redis that stays up)."""
    if not redis_url:
        caches["database"].clear()
        return
    prefix = cache_config(redis_url, connection.settings_dict)["KEY_PREFIX"]
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("", id="database-cache"),
        pytest.param(REDIS_URL, id="redis"),
    ],
)
def servers(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Servers A and B, started together and always stopped."""
    redis_url = request.param
    if redis_url and not _redis_reachable():
        pytest.skip(f"no Redis answers at {redis_url} (TATRACKER_TEST_REDIS_URL)")
    with django_db_blocker.unblock():
        _clear_shared_cache(redis_url)
        environment = _environment(redis_url)
    folder = tmp_path_factory.mktemp("servers")
    started = []
    try:
        for name in ("A", "B"):
            started.append(_start(name, environment, folder))
        deadline = time.monotonic() + START_SECONDS
        for server in started:
            _wait_until_ready(server, deadline)
        yield tuple(started)
    finally:
        for server in started:
            _stop(server)


@pytest.fixture(scope="module")
def people(servers, django_db_blocker):
    """Users the servers see: made before any test's transaction opens (so they
    are committed), one set per pair of servers; then deleted, with their tokens,
    their failed log-ins and the sessions the servers kept (the suite's other tests
    roll theirs back: the servers' are the only ones committed)."""
    with django_db_blocker.unblock():
        made = {role: UserFactory() for role in PEOPLE}
    yield made
    with django_db_blocker.unblock():
        names = [user.username for user in made.values()]
        for log in (AccessAttempt, AccessLog, AccessFailureLog):
            log.objects.filter(username__in=names).delete()
        Session.objects.all().delete()
        for user in made.values():
            user.delete()


# ---------------------------------------------------------------------------
# A client behind the load balancer
# ---------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self):
        return json.loads(self.text)


@dataclass
class Browser:
    """One client at `address` (as the load balancer reports it): its cookies go
    with it to whichever server answers. Cookies are kept by hand: production's are
    `Secure`, and these requests are plain HTTP inside the network."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, server, method, path, *, body=None, headers=None) -> Answer:
        sent = {"X-Forwarded-For": self.address, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.msg, response.read().decode())
        finally:
            conn.close()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return answer

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, server, path, **kwargs) -> Answer:
        return self.request(server, "GET", path, **kwargs)

    def post_form(self, server, path, data: dict, *, csrf_from: str) -> Answer:
        """POST a form as a browser would: with the CSRF token of the page it is on."""
        page = self.get(server, csrf_from)
        token = CSRF_FIELD.search(page.text)
        assert token, f"no form on {csrf_from} ({page.status})"
        body = urlencode({"csrfmiddlewaretoken": token[1], **data})
        content_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request(server, "POST", path, body=body, headers=content_type)

    def log_in(self, server, username, password=PASSWORD) -> Answer:
        credentials = {"username": username, "password": password}
        return self.post_form(server, LOGIN, credentials, csrf_from=LOGIN)

    def api(self, server, method, path, *, token=None, data=None) -> Answer:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if data is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(data)
        return self.request(server, method, path, body=data, headers=headers)


def _api_token(server, address: str, username: str) -> str:
    credentials = {"username": username, "password": PASSWORD}
    created = Browser(address).api(server, "POST", "/api/v1/token/", data=credentials)
    assert created.status == 201, created.text
    return created.json()["token"]


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------
def test_a_login_lockout_reached_on_one_server_holds_on_the_other(servers, people):
    a, b = servers
    # given: an account, and a client that fails to log in to it on server A
    target, bystander = people["target"], people["bystander"]
    guesser = Browser("198.51.100.10")
    failures = [guesser.log_in(a, target.username, "wrong").status for _ in range(5)]
    assert failures == [200, 200, 200, 200, 429]

    # when / then: on server B, the account is locked for everybody (its owner,
    # from elsewhere, with the right password) ...
    owner = Browser("198.51.100.11")
    assert owner.log_in(b, target.username).status == 429
    # ... and the address for every account
    assert guesser.log_in(b, bystander.username).status == 429
    # while B lets in others from elsewhere
    assert Browser("198.51.100.12").log_in(b, bystander.username).status == 302
    assert "sessionid" not in owner.cookies


def test_an_api_rate_limit_reached_on_one_server_holds_on_the_other(servers, people):
    a, b = servers
    # given: a user's API token, used up to the rate on server A
    user, other = people["api_user"], people["api_other"]
    token = _api_token(a, "198.51.100.20", user.username)
    other_token = _api_token(a, "198.51.100.21", other.username)
    client = Browser("198.51.100.22")
    current = "/api/v1/tokens/current/"
    used = [client.api(a, "GET", current, token=token).status for _ in range(RATE)]
    assert used == [200] * RATE

    # when: the same user asks server B
    refused = client.api(b, "GET", current, token=token)

    # then: refused there too, until the minute is over; another user is not
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.api(b, "GET", current, token=other_token).status == 200


def test_an_anonymous_rate_limit_reached_on_one_server_holds_on_the_other(servers):
    a, b = servers
    # given: an address that used its rate on server A, without credentials
    visitor = Browser("198.51.100.30")
    statistics = "/api/v1/statistics/"
    used = [visitor.api(a, "GET", statistics).status for _ in range(RATE)]
    assert used == [200] * RATE

    # when / then: server B refuses that address, not another
    assert visitor.api(b, "GET", statistics).status == 429
    assert Browser("198.51.100.31").api(b, "GET", statistics).status == 200


def test_a_session_started_on_one_server_is_valid_on_the_other(servers, people):
    a, b = servers
    # given: a person logged in on server A
    user = people["session_user"]
    person = Browser("198.51.100.40")
    assert person.log_in(a, user.username).status == 302
    assert "sessionid" in person.cookies

    # when / then: server B knows the session (and would send a stranger to log in)
    page = person.get(b, PRIVATE_PAGE)
    assert page.status == 200
    assert 'name="old_password"' in page.text
    stranger = Browser("198.51.100.41").get(b, PRIVATE_PAGE)
    assert stranger.status == 302
    assert stranger.headers["Location"].startswith(LOGIN)

    # when the person logs out on B, then A has forgotten the session as well
    session = person.cookies["sessionid"]
    person.post_form(b, "/accounts/logout/", {}, csrf_from=PRIVATE_PAGE)
    person.cookies["sessionid"] = session  # a copy of the old cookie opens nothing
    assert person.get(a, PRIVATE_PAGE).status == 302
