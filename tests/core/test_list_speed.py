"""The parts that make signed-in list pages cheap (issue 9) give what Django's own would."""

import datetime

import pytest
from django.http import HttpRequest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import JoinRequestState, RegionLevel, Role
from accounts.models import JoinRequest, Region, RoleGrant
from applications.enums import ApplicationState
from applications.models import Application
from bangs.enums import BangKind, BangListState
from bangs.models import Bang, BangList
from core.views import IdFirstPaginator
from demands.enums import DemandState
from demands.models import Demand

from ..factories import DemandFactory, OrganisationFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model, field, choices", [
    (Demand, "state", DemandState), (BangList, "state", BangListState), (Bang, "kind", BangKind),
    (Application, "state", ApplicationState), (JoinRequest, "state", JoinRequestState),
])
def test_state_labels_are_djangos_labels(model, field, choices, settings):
    for language in ("zh-hans", "en"):
        from django.utils import translation

        with translation.override(language):
            for value, label in choices.choices:
                assert getattr(model(**{field: value}), f"get_{field}_display")() == str(label)
            assert getattr(model(**{field: "unknown"}), f"get_{field}_display")() == "unknown"


def test_pk_url_and_the_time_filters_print_what_djangos_tags_print():
    moment = datetime.datetime(2026, 1, 1, 0, 30, 5, tzinfo=datetime.UTC)  # 08:30:05 in Beijing
    ours = Template("{% load portal %}{% pk_url 'demands:detail' 42 %}|{{ m|minute }}|{{ m|second }}|{{ none|minute }}")
    django = Template("{% url 'demands:detail' 42 %}|{{ m|date:'Y-m-d H:i' }}|{{ m|date:'Y-m-d H:i:s' }}|")
    context = Context({"m": moment, "none": None})
    assert ours.render(context) == django.render(context) == "/demands/42/|2026-01-01 08:30|2026-01-01 08:30:05|"


def test_a_region_label_from_columns_is_the_regions_own_text():
    county = Region.objects.filter(level=RegionLevel.COUNTY, parent__isnull=False).first()
    city = Region.objects.filter(level=RegionLevel.CITY).first()
    tag = Template("{% load units %}{% region_label name level parent %}")
    for region in (county, city):
        parent = region.parent.name if region.parent_id else None
        assert tag.render(Context({"name": region.name, "level": region.level, "parent": parent})) == str(region)
    assert " " in str(county) and " " not in str(city)


def test_the_screening_queue_shows_the_units_region(client, staff, round_):
    from demands import services as demand_services

    county = Region.objects.filter(level=RegionLevel.COUNTY, parent__isnull=False).first()
    demand = DemandFactory(round=round_, organisation=OrganisationFactory(region=county))
    demand_services.demand_submit(demand=demand, by=demand.created_by)
    client.force_login(staff)
    page = client.get(reverse("demands:queue")).content.decode()
    row = next(row for row in page.split("<tr>") if demand.name in row)
    assert str(county) in row and demand.organisation.name in row


class TestIdFirstPaginator:
    @pytest.fixture
    def demands(self):
        round_ = RoundFactory()
        organisation = OrganisationFactory()
        made = [DemandFactory(round=round_, organisation=organisation, name=f"需求{i:02d}") for i in range(7)]
        return Demand.objects.filter(pk__in=[d.pk for d in made]).order_by("-name")

    def test_pages_keep_the_order_and_the_count(self, demands, django_assert_num_queries):
        names = list(demands.values_list("name", flat=True))
        paginator = IdFirstPaginator(demands.select_related("organisation"), 3)
        with django_assert_num_queries(2):  # the page's ids with the total, then its rows
            page = paginator.get_page(2)
            assert [d.name for d in page] == names[3:6] and paginator.count == 7 and paginator.num_pages == 3
            assert page[0].organisation.name  # joined, no query
        assert [d.name for d in IdFirstPaginator(demands, 3).get_page(3)] == names[6:]
        with django_assert_num_queries(2):  # no page number is the first page, the same way
            assert [d.name for d in IdFirstPaginator(demands, 3).get_page(None)] == names[:3]

    def test_rows_shape_only_the_pages_rows(self, demands, django_assert_num_queries):
        from django.db.models import F

        expected = [d.organisation.name for d in demands[:3]]
        paginator = IdFirstPaginator(demands, 3, rows=lambda qs: qs.annotate(unit=F("organisation__name")))
        with CaptureQueriesContext(connection) as queries:
            assert [d.unit for d in paginator.get_page(1)] == expected
        ids, rows = (q["sql"] for q in queries)
        assert "JOIN" not in ids and "JOIN" in rows

    def test_a_page_past_the_end_or_not_a_number_gives_the_nearest(self, demands):
        names = list(demands.values_list("name", flat=True))
        assert [d.name for d in IdFirstPaginator(demands, 3).get_page(99)] == names[6:]
        assert [d.name for d in IdFirstPaginator(demands, 3).get_page("abc")] == names[:3]
        assert [d.name for d in IdFirstPaginator(demands, 3).get_page(-1)] == names[6:]
        empty = IdFirstPaginator(demands.none(), 3).get_page(1)
        assert list(empty) == [] and empty.paginator.count == 0

    def test_orphans_and_distinct_sets_are_paged_as_django_does(self, demands):
        from django.core.paginator import Paginator

        for queryset, orphans in ((demands, 1), (demands.distinct(), 0)):
            ours = IdFirstPaginator(queryset, 3, orphans=orphans)
            theirs = Paginator(queryset, 3, orphans=orphans)
            for number in (1, 2, 3):
                assert [d.pk for d in ours.get_page(number)] == [d.pk for d in theirs.get_page(number)]


def test_permissions_are_rules_alone_and_sign_in_still_works(client):
    user = UserFactory(username="plain", roles=[Role.APPLICANT])
    user.set_password("Secret-pass-123")
    user.save()
    assert client.login(request=HttpRequest(), username="plain", password="Secret-pass-123")
    with CaptureQueriesContext(connection) as queries:
        assert not user.has_perm("accounts.manage_users") and not user.has_perm("demands.view_queue")
    assert not any("auth_permission" in q["sql"] for q in queries)
    superuser = UserFactory(is_superuser=True)
    assert superuser.has_perm("accounts.manage_users") and superuser.has_perm("anything.at_all")


def test_the_menu_follows_a_change_of_roles(client):
    user = UserFactory(organisation=OrganisationFactory(kind="government"), roles=[Role.APPLICANT])
    client.force_login(user)
    assert "需求审核" not in client.get(reverse("dashboard")).content.decode()
    RoleGrant.objects.create(user=user, role=Role.STAFF)
    page = client.get(reverse("dashboard")).content.decode()
    assert "需求审核" in page and "榜单管理" in page


def test_a_new_round_shows_in_the_queue_filter_at_once(client, staff):
    client.force_login(staff)
    assert "新开的征集批次" not in client.get(reverse("demands:queue")).content.decode()
    RoundFactory(title="新开的征集批次", opens_at=timezone.now())
    assert "新开的征集批次" in client.get(reverse("demands:queue")).content.decode()
