"""揭榜定帅: what an award proposal is refused for, and what it keeps; 未揭榜 and carry-over."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangs.models import Bang
from core.exceptions import DomainError
from reviews import services
from reviews.enums import DecisionOutcome, DecisionState
from reviews.models import Assignment, Award, BangDecision

from ..factories import make_bang_list
from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db

# (可行性 of 40, 团队 of 60) per application: totals 100, 90, 80, so the ranks are 1, 2, 3.
MARKS = [(40, 60), (35, 55), (30, 50)]


def closed_review(staff, *, applications=3, max_teams=1, routes=None):
    bang_list, bang, apps = scenario(staff, applications=applications, max_teams=max_teams, routes=routes)
    make_pool(3)
    plan = open_review(bang_list, staff)
    record = services.panel_draw(bang=bang, by=staff)
    crit = list(plan.criteria.all())
    for seat in Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list"):
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
        for application, (a, b) in zip(apps, MARKS):
            services.score_save(assignment=seat, application=application, by=seat.expert,
                                values={str(crit[0].pk): a, str(crit[1].pk): b}, comments={}, comment="意见",
                                recommendation="recommend", submit=True)
    services.scoring_close(plan=plan, by=staff)
    return bang_list, bang, apps


def _live(bang):
    return BangDecision.objects.filter(bang=bang, state=DecisionState.PROPOSED)


def test_racing_teams_need_different_routes_ignoring_case_and_spaces(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=2, max_teams=2,
                                          routes=["Siemens 法", "siemens法"])
    with pytest.raises(DomainError, match="相同的技术路线"):
        services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk, apps[1].pk],
                               override_reason="必要", override_approver="局长办公会")
    assert not BangDecision.objects.exists()


def test_no_more_teams_than_the_bang_allows(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=2, max_teams=1)
    with pytest.raises(DomainError, match="最多支持1个团队"):
        services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk, apps[1].pk],
                               override_reason="必要", override_approver="局长办公会")
    assert not BangDecision.objects.exists()


def test_a_sum_over_the_cap_needs_a_reason_and_an_approver(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=2, max_teams=2)
    ids = [apps[0].pk, apps[1].pk]
    for reason, approver in (("", ""), ("两条路线均有必要", ""), ("", "局长办公会")):
        with pytest.raises(ValidationError, match="超过本榜上限240.00万元"):
            services.award_propose(bang=bang, by=organiser_staff, application_ids=ids, override_reason=reason,
                                   override_approver=approver)
    assert not BangDecision.objects.exists()
    decision = services.award_propose(bang=bang, by=organiser_staff, application_ids=ids,
                                      override_reason="两条路线均有必要", override_approver="局长办公会")
    assert (decision.override_reason, decision.override_approver) == ("两条路线均有必要", "局长办公会")
    assert decision.total_subsidy == Decimal("300.00")
    assert sorted(Award.objects.filter(decision=decision).values_list("rank", "subsidy")) == [
        (1, Decimal("150.00")), (2, Decimal("150.00"))]


def test_passing_over_a_better_ranked_team_needs_a_reason(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=3)
    with pytest.raises(ValidationError, match="第1名"):
        services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[1].pk])
    assert not BangDecision.objects.exists()
    decision = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[1].pk],
                                      passover_reason="第1名团队的中试条件不具备")
    assert decision.passover_reason == "第1名团队的中试条件不具备"
    award = decision.awards.get()
    assert (award.application_id, award.rank, award.score) == (apps[1].pk, 2, Decimal("90.00"))
    # Choosing the best needs no reason, and none is stored
    services.decision_withdraw(decision=decision, by=organiser_staff, reason="重新研究")
    best = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk],
                                  passover_reason="多余的理由")
    assert best.passover_reason == ""


def test_a_team_the_enterprise_declined_needs_a_reason(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=2)
    from ..factories import UserFactory

    boss = UserFactory(organisation=bang.issuers.get(), roles=["enterprise"])
    services.enterprise_opinion_record(application=apps[0], by=boss, willing=False, reason="知识产权分歧")
    with pytest.raises(ValidationError, match="不愿与"):
        services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    assert not BangDecision.objects.exists()
    decision = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk],
                                      declined_reason="分歧已协商解决")
    assert decision.declined_reason == "分歧已协商解决"


def test_propose_twice_withdraw_and_propose_again(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=2)
    first = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    with pytest.raises(DomainError, match="已有拟定结果"):
        services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    with pytest.raises(ValidationError):
        services.decision_withdraw(decision=first, by=organiser_staff, reason="")
    assert _live(bang).get() == first
    services.decision_withdraw(decision=first, by=organiser_staff, reason="公示前发现材料问题")
    first.refresh_from_db()
    assert first.state == DecisionState.WITHDRAWN
    second = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    assert _live(bang).get() == second and BangDecision.objects.count() == 2


def test_unawarded_needs_a_reason(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=1)
    with pytest.raises(ValidationError):
        services.bang_unawarded(bang=bang, by=organiser_staff, reason="  ")
    assert not BangDecision.objects.exists()
    decision = services.bang_unawarded(bang=bang, by=organiser_staff, reason="均未达到指标要求")
    assert (decision.outcome, decision.reason) == (DecisionOutcome.UNAWARDED, "均未达到指标要求")


def test_carry_over_into_a_draft_list_of_the_same_organiser(organiser_staff, other_organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=1)
    decision = services.bang_unawarded(bang=bang, by=organiser_staff, reason="均未达到指标要求")
    theirs = make_bang_list(by=other_organiser_staff, bangs=0, publish=False, title="他人的榜单")
    before = Bang.objects.count()
    with pytest.raises(DomainError):
        services.bang_carry_over(decision=decision, into=theirs, by=organiser_staff)
    assert Bang.objects.count() == before and not theirs.bangs.exists()

    ours = make_bang_list(by=organiser_staff, bangs=1, publish=False, title="下一批榜单", indicators=0)
    new = services.bang_carry_over(decision=decision, into=ours, by=organiser_staff)
    assert new.carried_from == bang and new.bang_list == ours and new.number == 2
    assert new.title == bang.title and new.max_teams == bang.max_teams
    assert list(new.issuers.all()) == list(bang.issuers.all())
    assert (list(new.indicators.values_list("name", "target", "unit", "test_method", "order"))
            == list(bang.indicators.values_list("name", "target", "unit", "test_method", "order")))
    assert new.indicators.exists()
    with pytest.raises(DomainError, match="已转入"):
        services.bang_carry_over(decision=decision, into=ours, by=organiser_staff)
    with pytest.raises(DomainError, match="不能撤销"):
        services.decision_withdraw(decision=decision, by=organiser_staff, reason="想再拟定")


def test_an_awarded_bang_cannot_be_carried_over(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=1)
    decision = services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    ours = make_bang_list(by=organiser_staff, bangs=0, publish=False, title="下一批榜单")
    with pytest.raises(DomainError, match="只有标记为未揭榜"):
        services.bang_carry_over(decision=decision, into=ours, by=organiser_staff)
    assert not ours.bangs.exists()


def test_carry_over_only_into_a_draft_list(organiser_staff):
    bang_list, bang, apps = closed_review(organiser_staff, applications=1)
    decision = services.bang_unawarded(bang=bang, by=organiser_staff, reason="均未达到指标要求")
    published = make_bang_list(by=organiser_staff, bangs=1, title="已发布榜单")
    before = Bang.objects.count()
    with pytest.raises(DomainError):
        services.bang_carry_over(decision=decision, into=published, by=organiser_staff)
    assert Bang.objects.count() == before
