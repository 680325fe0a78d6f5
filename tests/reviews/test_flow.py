"""The review from opening to the award proposal, through the services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import ApplicationState
from bangs.enums import BangListState
from core.exceptions import DomainError
from reviews import services
from reviews.draw import TooFewCandidates
from reviews.enums import ScoreState
from reviews.models import Assignment, PanelDraw, Score

from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db


def score_all(seat, application, values, *, comment="意见"):
    return services.score_save(assignment=seat, application=application, by=seat.expert,
                               values=values, comments={k: "说明" for k in values}, comment=comment, recommendation="recommend", submit=True)


def test_open_draw_accept_score_rank(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=2)
    make_pool(5)
    plan = open_review(bang_list, organiser_staff)
    bang_list.refresh_from_db()
    assert bang_list.state == BangListState.REVIEWING
    assert {a.state for a in apps[0].__class__.objects.filter(pk__in=[a.pk for a in apps])} == {ApplicationState.UNDER_REVIEW}
    record = services.panel_draw(bang=bang, by=organiser_staff)
    assert len(record.panel) == 3 and len(record.reserve) == 2
    seats = list(Assignment.objects.filter(draw=record))
    for seat in seats:
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    crit = list(plan.criteria.all())
    for seat, (a, b) in zip(seats, [(40, 60), (30, 30), (20, 50)]):
        seat.refresh_from_db()
        score_all(seat, apps[0], {str(crit[0].pk): a, str(crit[1].pk): b})
    plan.refresh_from_db()
    assert plan.rubric_frozen_at is not None
    with pytest.raises(DomainError):
        services.rubric_save(plan=plan, criteria=[{"name": "x", "weight": 100, "max_score": 10}], by=organiser_staff)


def test_too_few_candidates_draws_nothing(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(2)
    open_review(bang_list, organiser_staff)
    with pytest.raises(TooFewCandidates):
        services.panel_draw(bang=bang, by=organiser_staff)
    assert not PanelDraw.objects.exists() and not Assignment.objects.exists()


def test_open_refused_before_recommend_deadline_and_twice(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    type(bang_list).objects.filter(pk=bang_list.pk).update(recommend_deadline=timezone.now() + datetime.timedelta(hours=1))
    bang_list.refresh_from_db()
    with pytest.raises(DomainError, match="推荐截止"):
        open_review(bang_list, organiser_staff)
    type(bang_list).objects.filter(pk=bang_list.pk).update(recommend_deadline=timezone.now() - datetime.timedelta(hours=1))
    bang_list.refresh_from_db()
    open_review(bang_list, organiser_staff)
    with pytest.raises(DomainError, match="不能重复"):
        open_review(bang_list, organiser_staff)


def test_submitted_score_is_locked_and_deadline_refuses(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    seat.refresh_from_db()
    crit = list(plan.criteria.all())
    values = {str(crit[0].pk): 30, str(crit[1].pk): 50}
    score = score_all(seat, apps[0], values)
    assert score.state == ScoreState.SUBMITTED and score.total == Decimal("80.00")
    with pytest.raises(DomainError, match="不能修改"):
        score_all(seat, apps[0], {str(crit[0].pk): 10, str(crit[1].pk): 10})
    assert Score.objects.get(pk=score.pk).total == Decimal("80.00")


def test_replay_draw_command_exit_codes(organiser_staff):
    from django.core.management import call_command

    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(4)
    open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    call_command("replay_draw", str(record.pk))  # a match returns normally (exit 0)
    call_command("replay_draw", "--all")
    PanelDraw.objects.filter(pk=record.pk).update(panel=list(reversed(record.reserve[:1])) + record.panel[1:])
    with pytest.raises(SystemExit) as exit_:
        call_command("replay_draw", str(record.pk))
    assert exit_.value.code == 1


def test_reminders_go_once_each_and_the_tightest_only(organiser_staff):
    from notifications.models import Notification

    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    deadline = plan.deadline
    assert services.score_reminders_send(now=deadline - datetime.timedelta(days=5)) == 0
    assert services.score_reminders_send(now=deadline - datetime.timedelta(days=2)) == 1
    assert services.score_reminders_send(now=deadline - datetime.timedelta(days=2)) == 0
    assert services.score_reminders_send(now=deadline - datetime.timedelta(hours=5)) == 1
    assert services.score_reminders_send(now=deadline - datetime.timedelta(hours=1)) == 0
    assert services.score_reminders_send(now=deadline + datetime.timedelta(hours=1)) == 1
    assert services.score_reminders_send(now=deadline + datetime.timedelta(hours=2)) == 0
    keys = sorted(Notification.objects.filter(recipient=seat.expert, event_key__contains="remind")
                  .values_list("event_key", flat=True))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["1d", "3d", "overdue"]


def test_only_the_last_day_reminder_when_first_run_is_late(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    assert services.score_reminders_send(now=plan.deadline - datetime.timedelta(hours=5)) == 1
    assert services.score_reminders_send(now=plan.deadline - datetime.timedelta(hours=4)) == 0


def test_scoring_cannot_close_early_while_a_bang_has_no_panel(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    plan = open_review(bang_list, organiser_staff)
    with pytest.raises(DomainError, match="未抽取评审组"):
        services.scoring_close(plan=plan, by=organiser_staff)
    plan.refresh_from_db()
    assert plan.closed_at is None
