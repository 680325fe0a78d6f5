import pytest
from django.conf import settings

from accounts.enums import Role
from accounts.models import Department

from .factories import DemandFactory, OrganisationFactory, RoundFactory, UserFactory, make_enterprise_user


@pytest.fixture(autouse=True)
def _empty_caches():
    """Every test starts with empty caches: what core.pagecache keeps is keyed by a version number
    that each test's rollback sets back, so a page cached in one test could answer another."""
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def round_():
    return RoundFactory()


@pytest.fixture
def alice(db):
    """An enterprise user: owner of the demands in these tests."""
    return make_enterprise_user(username="alice")


@pytest.fixture
def bob(db):
    """An enterprise user of another unit."""
    return make_enterprise_user(username="bob")


@pytest.fixture
def staff(db):
    """Staff of 高新技术处, the department that answers for 能源资源."""
    return UserFactory(username="staff", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF])


@pytest.fixture
def other_staff(db):
    """Staff of 农村科技处: another department."""
    return UserFactory(username="staff2", department=Department.objects.get(name="农村科技处"), roles=[Role.STAFF])


@pytest.fixture
def applicant(db):
    return UserFactory(username="carol", organisation=OrganisationFactory(kind="university"), roles=[Role.APPLICANT])


@pytest.fixture
def demand(alice, round_):
    """A complete draft of alice's unit."""
    return DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)


@pytest.fixture
def client_for(client):
    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def organiser_staff(db):
    """Staff of an organiser (e.g. a city bureau): manages that organiser's lists."""
    from .factories import make_staff

    return make_staff(username="organiser")


@pytest.fixture
def other_organiser_staff(db):
    from .factories import make_staff

    return make_staff(username="organiser2")


@pytest.fixture
def expert(db):
    return UserFactory(username="expert", organisation=OrganisationFactory(kind="university"), roles=[Role.EXPERT])
