"""Seats that empty are filled from the reserve in order; reopened scores; the review deadline."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import DomainError
from core.selectors import activity_list_for
from notifications.models import Notification
from reviews import services
from reviews.enums import AssignmentState, ScoreState
from reviews.models import Assignment, ReviewPlan, Score

from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(8)
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seats = list(Assignment.objects.filter(draw=record).select_related("expert").order_by("position"))
    return plan, bang, apps, record, seats


def _replacement(seat):
    return Assignment.objects.select_related("expert").get(replaces=seat)


def test_conflict_decline_timeout_and_removal_each_take_the_next_in_reserve_order(organiser_staff, drawn):
    plan, bang, apps, record, seats = drawn
    first, second, third = seats
    services.invitation_respond(assignment=first, by=first.expert, answer="conflict", reason="曾在牵头单位任职")
    r1 = _replacement(first)
    assert r1.expert_id == record.reserve[0] and r1.state == AssignmentState.INVITED

    services.invitation_respond(assignment=second, by=second.expert, answer="decline", reason="出差")
    r2 = _replacement(second)
    assert r2.expert_id == record.reserve[1]

    # The replacements answer in time; the third never answers.
    for seat in (r1, r2):
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    third.refresh_from_db()
    later = third.respond_by + datetime.timedelta(minutes=1)
    assert services.invitations_expire(now=later) == 1
    third.refresh_from_db()
    assert third.state == AssignmentState.EXPIRED
    r3 = _replacement(third)
    assert r3.expert_id == record.reserve[2]
    seats_before = list(Assignment.objects.order_by("pk").values_list("pk", "state"))
    assert services.invitations_expire(now=later) == 0  # a second run changes nothing
    assert list(Assignment.objects.order_by("pk").values_list("pk", "state")) == seats_before

    # Staff take an accepted expert off, with a reason: the fourth in reserve order comes in.
    with pytest.raises(ValidationError):
        services.assignment_remove(assignment=r1, by=organiser_staff, reason="  ")
    assert Assignment.objects.get(pk=r1.pk).state == AssignmentState.ACCEPTED
    services.assignment_remove(assignment=r1, by=organiser_staff, reason="与申报单位有未申明的合作")
    r1.refresh_from_db()
    assert r1.state == AssignmentState.REMOVED and r1.reason == "与申报单位有未申明的合作"
    assert _replacement(r1).expert_id == record.reserve[3]
    assert Notification.objects.filter(recipient=r1.expert, body="与申报单位有未申明的合作").exists()

    log = list(activity_list_for(record).filter(action="候补递补").order_by("created_at", "pk"))
    assert [row.note for row in log] == [
        f"{first.expert.display_name}（申明回避）由候补第{record.order.index(record.reserve[0]) + 1}位 "
        f"{r1.expert.display_name} 递补",
        f"{second.expert.display_name}（已谢绝）由候补第{record.order.index(record.reserve[1]) + 1}位 "
        f"{r2.expert.display_name} 递补",
        f"{third.expert.display_name}（逾期未确认）由候补第{record.order.index(record.reserve[2]) + 1}位 "
        f"{r3.expert.display_name} 递补",
        f"{r1.expert.display_name}（已被移出）由候补第{record.order.index(record.reserve[3]) + 1}位 "
        f"{_replacement(r1).expert.display_name} 递补",
    ]
    serving = Assignment.objects.filter(draw=record, state__in=[AssignmentState.INVITED, AssignmentState.ACCEPTED])
    assert serving.count() == 3


def test_a_late_answer_is_refused(drawn):
    plan, bang, apps, record, seats = drawn
    seat = seats[0]
    Assignment.objects.filter(pk=seat.pk).update(respond_by=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(DomainError, match="确认期限"):
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    seat.refresh_from_db()
    assert seat.state == AssignmentState.INVITED and seat.responded_at is None
    assert not Assignment.objects.filter(replaces=seat).exists()


def test_answering_twice_is_refused(drawn):
    plan, bang, apps, record, seats = drawn
    seat = seats[0]
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    with pytest.raises(DomainError, match="已处理"):
        services.invitation_respond(assignment=seat, by=seat.expert, answer="decline")
    seat.refresh_from_db()
    assert seat.state == AssignmentState.ACCEPTED and not Assignment.objects.filter(replaces=seat).exists()


def test_the_reserve_spent_is_logged_and_the_seat_stays_empty(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="decline")
    assert not Assignment.objects.filter(replaces=seat).exists()
    assert activity_list_for(record).filter(action="候补专家已用尽").exists()


# --- scoring: reopen and the deadline --------------------------------------------------------


def _accepted(drawn):
    plan, bang, apps, record, seats = drawn
    for seat in seats:
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
    return plan, bang, apps, seats


def _submit(seat, application, plan, a=30, b=50):
    crit = list(plan.criteria.all())
    return services.score_save(assignment=seat, application=application, by=seat.expert,
                               values={str(crit[0].pk): a, str(crit[1].pk): b}, comments={}, comment="可行",
                               recommendation="recommend", submit=True)


def test_staff_reopen_with_a_reason_and_the_expert_resubmits(organiser_staff, drawn):
    plan, bang, apps, seats = _accepted(drawn)
    seat = seats[0]
    score = _submit(seat, apps[0], plan)
    assert score.total == Decimal("80.00")
    with pytest.raises(ValidationError):
        services.score_reopen(score=score, by=organiser_staff, reason=" ")
    assert Score.objects.get(pk=score.pk).state == ScoreState.SUBMITTED
    services.score_reopen(score=score, by=organiser_staff, reason="第二项评分与意见不符，请核对")
    score.refresh_from_db()
    assert score.state == ScoreState.DRAFT and score.total is None and score.submitted_at is None
    assert score.values  # what the expert gave is kept for them to correct
    row = activity_list_for(score).get(action="退回评分")
    assert row.note == "第二项评分与意见不符，请核对" and row.actor == organiser_staff
    note = Notification.objects.get(recipient=seat.expert, body="第二项评分与意见不符，请核对")
    assert bang.title in note.title
    again = _submit(seat, apps[0], plan, a=25, b=50)
    assert again.state == ScoreState.SUBMITTED and again.total == Decimal("75.00")


def test_scores_are_refused_after_the_deadline_and_nothing_changes(drawn):
    plan, bang, apps, seats = _accepted(drawn)
    seat = seats[0]
    crit = list(plan.criteria.all())
    draft = services.score_save(assignment=seat, application=apps[0], by=seat.expert,
                                values={str(crit[0].pk): 30}, comments={}, comment="草稿", recommendation="")
    ReviewPlan.objects.filter(pk=plan.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=5))
    for submit in (False, True):
        with pytest.raises(DomainError, match="截止"):
            _submit(seat, apps[0], plan) if submit else services.score_save(
                assignment=seat, application=apps[0], by=seat.expert, values={str(crit[0].pk): 10}, comments={},
                comment="改了", recommendation="")
    after = Score.objects.get(pk=draft.pk)
    assert (after.state, after.values, after.comment) == (ScoreState.DRAFT, {str(crit[0].pk): "30"}, "草稿")
    assert Score.objects.count() == 1
    plan.refresh_from_db()
    assert plan.rubric_frozen_at is None


def test_scoring_cannot_close_early_while_scores_are_pending(organiser_staff, drawn):
    plan, bang, apps, seats = _accepted(drawn)
    _submit(seats[0], apps[0], plan)
    with pytest.raises(DomainError, match="尚有2项未完成"):
        services.scoring_close(plan=plan, by=organiser_staff)
    plan.refresh_from_db()
    assert plan.closed_at is None
    for seat in seats[1:]:
        _submit(seat, apps[0], plan)
    services.scoring_close(plan=plan, by=organiser_staff)
    plan.refresh_from_db()
    assert plan.closed_at is not None


def test_a_replacement_never_takes_an_expert_past_the_load_cap(organiser_staff):
    from ..factories import make_bang_list
    from .helpers import close_list, eligible_application

    bang_list = make_bang_list(by=organiser_staff, bangs=2)
    first, second = bang_list.bangs.order_by("number")
    eligible_application(first, organiser_staff)
    eligible_application(second, organiser_staff)
    close_list(bang_list)
    make_pool(4)
    open_review(bang_list, organiser_staff, load_cap=1)
    record = services.panel_draw(bang=first, by=organiser_staff)
    (spare,) = record.reserve
    make_pool(2, prefix="后来专家")
    other = services.panel_draw(bang=second, by=organiser_staff)
    assert spare in other.panel  # the spare now sits on as many panels as the cap allows
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="decline", reason="出差")
    assert not Assignment.objects.filter(replaces=seat).exists()
    assert Assignment.objects.filter(expert_id=spare, state__in=[AssignmentState.INVITED,
                                                                 AssignmentState.ACCEPTED]).count() == 1
    actions = list(activity_list_for(record).values_list("action", flat=True))
    assert "跳过候补专家" in actions and "候补专家已用尽" in actions
    assert activity_list_for(record).get(action="跳过候补专家").note.endswith("达到上限，按候补顺序跳过。")


def test_no_one_is_invited_from_the_reserve_once_scoring_is_over(drawn):
    plan, bang, apps, record, seats = drawn
    past = timezone.now() - datetime.timedelta(hours=1)
    ReviewPlan.objects.filter(pk=plan.pk).update(deadline=past)
    Assignment.objects.filter(draw=record).update(respond_by=past)  # as _respond_by caps it at the deadline
    invitations = Notification.objects.filter(event_key__endswith=":invited").count()
    assert services.invitations_expire() == 3
    assert set(Assignment.objects.filter(draw=record).values_list("state", flat=True)) == {AssignmentState.EXPIRED}
    assert Assignment.objects.filter(draw=record).count() == 3  # nobody drawn in after the review ended
    assert Notification.objects.filter(event_key__endswith=":invited").count() == invitations
    assert services.invitations_expire() == 0
    assert activity_list_for(record).filter(action="评分已结束，不再递补").count() == 3
