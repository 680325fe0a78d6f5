"""List pages not covered elsewhere run the same number of queries at two sizes (issue 9)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.models import JoinRequest
from core.models import FormTemplate
from demands import services as demand_services

from ..factories import DemandFactory, UserFactory, make_enterprise_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _downloads(n):
    for i in range(n):
        FormTemplate.objects.create(title=f"模板{i}", file=SimpleUploadedFile(f"t{i}.pdf", PDF), original_name="t.pdf")
    return None, reverse("downloads")


def _join_requests(n):
    owner = make_enterprise_user()
    for i in range(n):
        JoinRequest.objects.create(organisation=owner.organisation, user=UserFactory(full_name=f"申请人{i}"),
                                   role=Role.ENTERPRISE)
    return UserFactory(roles=[Role.ADMIN]), reverse("accounts:join_requests")


def _pool(n, staff, round_):
    enterprise = make_enterprise_user()
    for i in range(n):
        demand = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_, name=f"需求{i}")
        demand_services.demand_submit(demand=demand, by=enterprise)
        demand_services.demand_accept(demand=demand, by=staff)
    return staff, reverse("bangs:pool")


def _queries(client, user, url) -> int:
    if user is not None:
        client.force_login(user)
    client.get(url)  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    client.logout()
    return len(queries)


@pytest.mark.parametrize("page", ["downloads", "join requests", "pool"])
def test_list_page_query_count_does_not_grow_with_rows(client, staff, round_, page):
    counts = []
    for n in (1, 8):
        if page == "downloads":
            FormTemplate.objects.all().delete()
            user, url = _downloads(n)
        elif page == "join requests":
            JoinRequest.objects.all().delete()
            user, url = _join_requests(n)
        else:
            user, url = _pool(n if not counts else n - 1, staff, round_)
        counts.append(_queries(client, user, url))
    assert counts[0] == counts[1], counts
