"""A Python client generated from the schema (openapi-python-client, as an integrator
would): every module imports, and the integrator's scenario runs with the generated
client only, against the application in-process."""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator

from reviews.models import Account
from tatracker.wsgi import application
from tests.factories import AccountFactory, CountryReviewFactory, UserFactory

pytest.importorskip("openapi_python_client")
httpx = pytest.importorskip("httpx")

pytestmark = pytest.mark.django_db
PACKAGE = "tatracker_client"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    """The client generated from the schema that /api/v1/schema/ serves."""
    root = tmp_path_factory.mktemp("generated")
    schema = json.dumps(SchemaGenerator().get_schema(public=True), default=str)
    (root / "schema.json").write_text(schema)
    bin_dir = Path(sys.executable).parent
    subprocess.run(  # noqa: S603 (our own schema, the venv's generator)
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(root / "schema.json"),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )
    sys.path.insert(0, str(root))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(root))
    for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_every_generated_module_imports(client_package):
    failures, count = [], 0
    for module in pkgutil.walk_packages(client_package.__path__, f"{PACKAGE}."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as error:
            failures.append((module.name, repr(error)))
    assert count > 100
    assert failures == []


@pytest.fixture
def in_process(db):
    """Requests through the WSGI app keep the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield httpx.WSGITransport(app=application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def module(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_integrator_scenario_with_the_generated_client_only(
    client_package, in_process
):
    # Given a focal point of a State with a review, and the secretariat
    own = CountryReviewFactory(state__code="OWN")
    CountryReviewFactory(state__code="OTH")
    AccountFactory(role=Account.Role.FOCAL_POINT, state=own.state, user__username="fp")
    AccountFactory(user=UserFactory(username="sec"), role=Account.Role.SECRETARIAT)
    models = module("models")
    base = {"base_url": "http://localhost", "httpx_args": {"transport": in_process}}
    anonymous = client_package.Client(**base)

    def signed_in(username):
        created = module("api.token.token_create").sync(
            client=anonymous,
            body=models.ApiTokenRequestRequest(
                username=username, password=PASSWORD, name="scenario"
            ),
        )
        assert isinstance(created, models.ApiTokenCreated), created
        return client_package.AuthenticatedClient(token=created.token, **base)

    focal, secretariat = signed_in("fp"), signed_in("sec")

    # Own reviews only
    reviews = module("api.reviews.reviews_list").sync(client=focal)
    assert [r.id for r in reviews.results] == [own.pk]

    # Create a need; a duplicate is refused with the rule
    body = models.NeedRequest(
        review=own.pk, article=15, need_type="other", description="Case system"
    )
    create = module("api.needs.needs_create")
    need = create.sync(client=focal, body=body)
    assert isinstance(need, models.Need), need
    duplicate = create.sync_detailed(client=focal, body=body)
    assert duplicate.status_code == 400
    assert duplicate.parsed.fields.additional_properties["non_field_errors"]

    # Edit with the ETag; the same ETag again is stale
    read = module("api.needs.needs_retrieve").sync_detailed(need.id, client=focal)
    tag = read.headers["etag"]
    update = module("api.needs.needs_partial_update")
    change = models.PatchedNeedUpdateRequest(description="Case management system")
    edited = update.sync_detailed(need.id, client=focal, body=change, if_match=tag)
    assert edited.status_code == 200, edited.content
    stale = update.sync_detailed(need.id, client=focal, body=change, if_match=tag)
    assert stale.status_code == 412
    assert stale.parsed.code == "precondition_failed"

    # Submit, accept: the published statistics count one more need
    statistics = module("api.statistics.statistics_retrieve")
    before = statistics.sync(client=anonymous).needs
    submitted = module("api.reviews.reviews_submit_create").sync(own.pk, client=focal)
    assert submitted.action == models.ActionEnum.SUBMITTED
    accepted = module("api.reviews.reviews_accept_create").sync(
        own.pk, client=secretariat, body=models.EntryDecisionRequest(comment="")
    )
    assert (accepted.action, accepted.needs) == (models.ActionEnum.ACCEPTED, 1)
    assert statistics.sync(client=anonymous).needs == before + 1

    # A donor, its assistance, and the link to the need
    donor = module("api.donors.donors_create").sync(
        client=secretariat,
        body=models.DonorRequest(name="Donor", kind=models.DonorKindEnum("ngo")),
    )
    project = module("api.assistance.assistance_create").sync(
        client=secretariat,
        body=models.AssistanceRequest(
            title="Project", beneficiaries=["OWN"], donors=[donor.id]
        ),
    )
    link = module("api.assistance.assistance_link_create").sync(
        project.id,
        client=secretariat,
        body=models.LinkRequest(
            need=need.id, coverage=models.LinkCoverageEnum("in-part")
        ),
    )
    assert isinstance(link, models.Link), link

    # An action plan with a ranked item
    plan = module("api.action_plans.action_plans_create").sync(
        client=focal,
        body=models.ActionPlanRequest(
            state="OWN",
            title="Plan",
            items=[
                models.ActionPlanItemRequest(
                    rank=1, responsible_authority="Ministry", needs=[need.id]
                )
            ],
        ),
    )
    assert [item.needs for item in plan.items] == [[need.id]]

    # Filters, ordering and pagination
    listed = module("api.needs.needs_list").sync(
        client=secretariat,
        need_type=models.NeedsListNeedType("other"),
        state="OWN",
        ordering=[models.NeedsListOrderingItem("-id")],
        page_size=1,
    )
    assert listed.count == 1
    assert [n.id for n in listed.results] == [need.id]
