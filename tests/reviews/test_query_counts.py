"""The expert's and staff's review pages cost the same number of queries however much there is."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationState
from applications.models import Application
from bangs.models import Bang
from reviews.enums import AssignmentState, ScoreState
from reviews.models import Assignment, PanelDraw, Score

from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db


def _clone(obj, **changes):
    """An unsaved copy of `obj` (concrete fields, no pk) with `changes`."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    values.update(changes)
    return type(obj)(**values)


def _count(client, url, *, shows: tuple[str, int] | None = None) -> int:
    """Queries to GET `url`; `shows`: a text the page must contain so many times (it really lists them)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if shows:
        assert response.content.decode().count(shows[0]) == shows[1], shows
    return len(queries)


@pytest.fixture
def review(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    plan = open_review(bang_list, organiser_staff)
    return bang_list, bang, apps[0], plan


def _more_applications(template: Application, n: int) -> None:
    Application.objects.bulk_create(
        _clone(template, number=f"JB-Q{template.bang_id}-{i:04d}", decided_version_id=None,
               state=ApplicationState.UNDER_REVIEW) for i in range(n))


def _draw(bang, plan, staff):
    return PanelDraw.objects.create(bang=bang, plan=plan, seed="0" * 32, size=plan.panel_size, drawn_by=staff)


def _seat(record, expert, position=0, **kw):
    now = timezone.now()
    kw.setdefault("state", AssignmentState.ACCEPTED)
    return Assignment(draw=record, bang_id=record.bang_id, expert=expert, position=position,
                      respond_by=now + datetime.timedelta(days=2), **kw)


def test_expert_dashboard_costs_the_same_with_3_20_and_200_seats(client, organiser_staff, review):
    bang_list, bang, application, plan = review
    expert = make_pool(1)[0]
    client.force_login(expert)
    url = reverse("reviews:dashboard")
    counts = []
    made = 0
    for total in (3, 20, 200):
        bangs = Bang.objects.bulk_create(_clone(bang, number=1000 + made + i, title=f"技术榜Q{made + i}")
                                         for i in range(total - made))
        records = PanelDraw.objects.bulk_create(
            PanelDraw(bang=b, plan=plan, seed="0" * 32, size=plan.panel_size, drawn_by=organiser_staff) for b in bangs)
        seats = Assignment.objects.bulk_create(
            _seat(r, expert, state=AssignmentState.ACCEPTED if i % 2 else AssignmentState.INVITED)
            for i, r in enumerate(records))
        # Each accepted seat's bang has an application under review, half of them already scored
        for b in bangs:
            _more_applications(_clone(application, bang_id=b.pk), 1)
        apps = {a.bang_id: a for a in Application.objects.filter(bang__in=bangs)}
        Score.objects.bulk_create(Score(assignment=s, application=apps[s.bang_id], state=ScoreState.SUBMITTED,
                                        total=Decimal("80")) for s in seats[::3] if s.state == AssignmentState.ACCEPTED)
        made = total
        assert Assignment.objects.filter(expert=expert).count() == total
        counts.append(_count(client, url))
    assert counts[0] == counts[1] == counts[2], counts


def test_expert_assignment_page_costs_the_same_with_5_and_60_applications(client, organiser_staff, review):
    bang_list, bang, application, plan = review
    expert = make_pool(1)[0]
    record = _draw(bang, plan, organiser_staff)
    seat = Assignment.objects.bulk_create([_seat(record, expert)])[0]
    client.force_login(expert)
    url = reverse("reviews:assignment", args=[seat.pk])
    counts = []
    for more in (4, 55):
        _more_applications(application, more)
        apps = list(Application.objects.filter(bang=bang).exclude(review_scores__assignment=seat))
        Score.objects.bulk_create(Score(assignment=seat, application=a, state=ScoreState.SUBMITTED if i % 2 else
                                        ScoreState.DRAFT, total=Decimal("75")) for i, a in enumerate(apps[::2]))
        counts.append(_count(client, url))
    assert Application.objects.filter(bang=bang, state=ApplicationState.UNDER_REVIEW).count() == 60
    assert counts[0] == counts[1], counts


def test_staff_ranking_costs_the_same_with_10_and_100_applications_and_7_experts(client, organiser_staff, review):
    bang_list, bang, application, plan = review
    experts = make_pool(7)
    record = _draw(bang, plan, organiser_staff)
    seats = Assignment.objects.bulk_create(_seat(record, e, position=i) for i, e in enumerate(experts))
    client.force_login(organiser_staff)
    url = reverse("reviews:ranking", args=[bang.pk])
    counts = []
    for more in (9, 90):
        _more_applications(application, more)
        unscored = list(Application.objects.filter(bang=bang).exclude(review_scores__isnull=False))
        Score.objects.bulk_create(
            Score(assignment=s, application=a, state=ScoreState.SUBMITTED, recommendation="recommend",
                  total=Decimal(60 + (a.pk * 7 + j * 3) % 40), comment="意见")
            for a in unscored for j, s in enumerate(seats))
        counts.append(_count(client, url, shows=('data-testid="rank-row-', 1 + more + (9 if more == 90 else 0))))
    assert Score.objects.filter(assignment__bang=bang).count() == 700
    assert counts[0] == counts[1], counts
