import pytest
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the project's reference data once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def user_client(client, db):
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.fixture
def note_2013(db):
    """The reconstructed 44-State data set of the 2013 note, loaded."""
    from needs.services import note_2013_load

    note_2013_load()
