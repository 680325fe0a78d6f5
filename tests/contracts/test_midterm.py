"""Mid-term review and racehorse elimination (issue 13, section 3)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import midterm
from contracts.enums import MidtermOutcome, ProjectState, ReportState
from contracts.models import Disbursement, MidtermDecision, Project, StageReport
from core.exceptions import DomainError
from notifications.models import Notification
from reviews.models import Award

from .execution_helpers import issuer_user, other_unit_applicant, racehorse_projects
from .helpers import lead_user, project_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(organiser_staff):
    return racehorse_projects(organiser_staff)


def disburse(project, staff, amount):
    return Disbursement.objects.create(project=project, amount=Decimal(amount), paid_on=timezone.localdate(),
                                       document_number="内科发〔2024〕1号", recorded_by=staff)


def test_helper_gives_two_racing_teams(pair):
    first, second = pair
    assert first.state == second.state == ProjectState.IN_PROGRESS
    assert first.award.decision.bang_id == second.award.decision.bang_id


def test_continue_passes_the_review_once_and_tells_lead_and_issuer(organiser_staff):
    project = project_in_force(organiser_staff)
    issuer = issuer_user(project)
    lead = lead_user(project.task_book)
    decision = midterm.midterm_decide(project, organiser_staff, MidtermOutcome.CONTINUE, "进展符合任务书")
    project.refresh_from_db()
    assert decision.outcome == "continue" and project.midterm_passed_at is not None
    assert project.state == ProjectState.IN_PROGRESS
    keys = set(Notification.objects.filter(event_key=f"project:{project.pk}:midterm")
               .values_list("recipient_id", flat=True))
    assert {lead.pk, issuer.pk} <= keys
    with pytest.raises(DomainError, match="不能重复记录"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.TERMINATE, "改主意")
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS
    assert MidtermDecision.objects.filter(project=project).count() == 1


def test_reason_is_required(organiser_staff):
    project = project_in_force(organiser_staff)
    with pytest.raises(ValidationError) as error:
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.CONTINUE, "  ")
    assert "reason" in error.value.message_dict
    assert not MidtermDecision.objects.exists()


def test_increase_must_raise_the_subsidy(organiser_staff):
    project = project_in_force(organiser_staff)
    before = project.subsidy
    with pytest.raises(ValidationError) as error:
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.INCREASE, "成效突出")
    assert "new_subsidy" in error.value.message_dict
    with pytest.raises(ValidationError, match="应高于"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.INCREASE, "成效突出", new_subsidy=before)
    midterm.midterm_decide(project, organiser_staff, MidtermOutcome.INCREASE, "成效突出",
                           new_subsidy=before + Decimal(100))
    project.refresh_from_db()
    assert project.subsidy == before + Decimal(100) and project.midterm_passed_at is not None
    assert project.midterm.new_subsidy == before + Decimal(100)


def test_reduce_never_below_what_was_disbursed(organiser_staff):
    project = project_in_force(organiser_staff)
    disburse(project, organiser_staff, "60.00")
    with pytest.raises(ValidationError, match="不能低于已拨付"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.REDUCE, "进度滞后", new_subsidy="50")
    with pytest.raises(ValidationError, match="应低于"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.REDUCE, "进度滞后",
                               new_subsidy=project.subsidy + 1)
    midterm.midterm_decide(project, organiser_staff, MidtermOutcome.REDUCE, "进度滞后", new_subsidy="60.00")
    project.refresh_from_db()
    assert project.subsidy == Decimal("60.00") and project.midterm_passed_at is not None


def test_terminate_records_the_refund_blocks_money_and_the_other_team_carries_on(pair, organiser_staff):
    loser, winner = pair
    disburse(loser, organiser_staff, "50.00")
    decision = midterm.midterm_decide(loser, organiser_staff, MidtermOutcome.TERMINATE, "路线验证失败",
                                      spent="20.00")
    loser.refresh_from_db()
    winner.refresh_from_db()
    assert loser.state == ProjectState.TERMINATED and loser.closed_at is not None
    assert decision.refund_due == loser.refund_due == Decimal("30.00")
    assert loser.midterm_passed_at is None
    assert winner.state == ProjectState.IN_PROGRESS and not MidtermDecision.objects.filter(project=winner).exists()
    from contracts import funds

    with pytest.raises(DomainError, match="终止"):
        funds.disbursement_record(project=loser, by=organiser_staff, amount=Decimal("1.00"),
                                  paid_on=timezone.localdate(), document_number="X")
    assert loser.disbursements.count() == 1


def test_terminate_without_spending_known_refunds_everything(organiser_staff):
    project = project_in_force(organiser_staff)
    disburse(project, organiser_staff, "40.00")
    midterm.midterm_decide(project, organiser_staff, MidtermOutcome.TERMINATE, "团队解散")
    project.refresh_from_db()
    assert project.refund_due == Decimal("40.00")


def test_merge_continues_inside_the_other_team(pair, organiser_staff):
    merged, host = pair
    with pytest.raises(ValidationError, match="同一技术榜"):
        midterm.midterm_decide(merged, organiser_staff, MidtermOutcome.MERGE, "优势互补", merged_into=merged)
    with pytest.raises(ValidationError):
        midterm.midterm_decide(merged, organiser_staff, MidtermOutcome.MERGE, "优势互补")
    midterm.midterm_decide(merged, organiser_staff, MidtermOutcome.MERGE, "优势互补", merged_into=host)
    merged.refresh_from_db()
    host.refresh_from_db()
    assert merged.state == ProjectState.MERGED and merged.merged_into_id == host.pk
    assert merged.midterm.merged_into_id == host.pk
    assert host.state == ProjectState.IN_PROGRESS


def test_merge_refuses_another_bang_and_a_stopped_team(pair, organiser_staff):
    first, second = pair
    elsewhere = project_in_force(organiser_staff)
    with pytest.raises(ValidationError, match="同一技术榜"):
        midterm.midterm_decide(first, organiser_staff, MidtermOutcome.MERGE, "合并", merged_into=elsewhere)
    midterm.midterm_decide(second, organiser_staff, MidtermOutcome.TERMINATE, "终止")
    with pytest.raises(ValidationError, match="不能并入"):
        midterm.midterm_decide(first, organiser_staff, MidtermOutcome.MERGE, "合并", merged_into=second)
    first.refresh_from_db()
    assert first.state == ProjectState.IN_PROGRESS


def test_only_the_organisers_staff_decide(organiser_staff, other_organiser_staff):
    project = project_in_force(organiser_staff)
    for user in (lead_user(project.task_book), issuer_user(project), other_organiser_staff):
        with pytest.raises(DomainError, match="无权"):
            midterm.midterm_decide(project, user, MidtermOutcome.TERMINATE, "越权")
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS and not MidtermDecision.objects.exists()


def test_only_while_in_progress(organiser_staff):
    project = project_in_force(organiser_staff)
    Project.objects.filter(pk=project.pk).update(state=ProjectState.ACCEPTANCE)
    with pytest.raises(DomainError, match="验收中"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.CONTINUE, "继续")


# --- pages ----------------------------------------------------------------------------------------


def test_midterm_page_permission_matrix(client, organiser_staff, other_organiser_staff):
    project = project_in_force(organiser_staff)
    url = reverse("contracts:midterm_decide", args=[project.pk])
    post = {"outcome": "terminate", "reason": "越权", "spent": "", "new_subsidy": "", "merged_into": ""}
    for user, status in ((other_unit_applicant(), 404), (other_organiser_staff, 404),
                         (lead_user(project.task_book), 403), (issuer_user(project), 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, post).status_code == status
    assert not MidtermDecision.objects.exists()
    client.force_login(organiser_staff)
    page = client.get(url)
    assert page.status_code == 200 and "记录结论" in page.content.decode()


def test_midterm_page_records_once_and_a_replay_changes_nothing(client, organiser_staff):
    project = project_in_force(organiser_staff)
    url = reverse("contracts:midterm_decide", args=[project.pk])
    client.force_login(organiser_staff)
    bad = client.post(url, {"outcome": "increase", "reason": "成效突出", "new_subsidy": ""})
    assert bad.status_code == 200 and "请填写金额" in bad.content.decode() and "成效突出" in bad.content.decode()
    response = client.post(url, {"outcome": "continue", "reason": "进展良好"}, follow=True)
    assert "已记录中期评估结论" in response.content.decode()
    assert "进展良好" in response.content.decode()
    replay = client.post(url, {"outcome": "terminate", "reason": "重放"}, follow=True)
    assert "已记录：继续支持" in replay.content.decode()
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS and project.midterm.outcome == "continue"


def _report(project, progress, spending):
    report = StageReport.objects.filter(project=project).order_by("stage").first()
    StageReport.objects.filter(pk=report.pk).update(
        state=ReportState.ACCEPTED, progress=progress, spending=Decimal(spending), submitted_at=timezone.now())


def test_racehorse_page_shows_the_teams_side_by_side(client, pair, organiser_staff, other_organiser_staff):
    first, second = pair
    _report(first, [{"key": "b1", "name": "推力密度", "target": "≥5", "progress": "已达4.2"}], "120.50")
    disburse(first, organiser_staff, "33.00")
    midterm.midterm_decide(second, organiser_staff, MidtermOutcome.TERMINATE, "路线不可行")
    bang = first.award.decision.bang
    url = reverse("contracts:racehorse", args=[bang.pk])
    for user in (organiser_staff, issuer_user(first)):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert first.project_number in html and second.project_number in html
        assert "已达4.2" in html and "120.5" in html and "33" in html
        assert "路线不可行" in html and "技术路线0" in html and "技术路线1" in html
    client.force_login(lead_user(first.task_book))
    assert client.get(url).status_code == 403
    for user in (other_organiser_staff, other_unit_applicant()):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_racehorse_page_query_count_is_flat(client, pair, organiser_staff):
    first, second = pair
    bang = first.award.decision.bang
    url = reverse("contracts:racehorse", args=[bang.pk])
    client.force_login(organiser_staff)
    _report(first, [{"key": "b1", "name": "推力密度", "target": "≥5", "progress": "4.2"}], "10.00")
    disburse(first, organiser_staff, "5.00")
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    # A third team: an award under a second (revoked, so not live) decision on the same bang.
    from reviews.enums import DecisionState

    award = Award.objects.select_related("decision").get(pk=second.award_id)
    decision = award.decision
    decision.pk = None
    decision.state = DecisionState.REVOKED
    decision.save()
    award.pk, award.decision = None, decision
    award.project_number = f"{second.project_number}-3"
    award.save()
    third = Project.objects.create(award=award, task_book=second.task_book, project_number=award.project_number,
                                   subsidy=Decimal("100.00"))
    StageReport.objects.create(project=third, stage=1, goal="中试", due_date=timezone.localdate(),
                               state=ReportState.SUBMITTED, progress=[{"key": "b1", "name": "推力密度", "target": "≥5",
                                                                       "progress": "3.9"}], spending=Decimal("7.00"))
    disburse(third, organiser_staff, "8.00")
    midterm.midterm_decide(second, organiser_staff, MidtermOutcome.MERGE, "并入", merged_into=first)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert award.project_number in page.content.decode() and "3.9" in page.content.decode()
    assert len(three.captured_queries) == len(two.captured_queries)


def test_demo_terminates_one_racing_team_only_when_both_are_in_force(pair, organiser_staff):
    from bangs.models import Bang, BangList
    from contracts.demo import MOTOR
    from contracts.demo_execution import load_demo_execution
    from reviews.demo import RARE_EARTH

    first, second = pair
    bang = first.award.decision.bang
    BangList.objects.filter(pk=bang.bang_list_id).update(title=RARE_EARTH)
    Bang.objects.filter(pk=bang.pk).update(title=MOTOR)
    users = {"staff_rare": organiser_staff}
    Project.objects.filter(pk=second.pk).update(state=ProjectState.ACCEPTANCE)
    assert load_demo_execution(users=users, units={}) == 0
    Project.objects.filter(pk=second.pk).update(state=ProjectState.IN_PROGRESS)
    assert load_demo_execution(users=users, units={}) == 1
    assert load_demo_execution(users=users, units={}) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.state == ProjectState.TERMINATED and first.state == ProjectState.IN_PROGRESS
    assert MidtermDecision.objects.count() == 1


def test_a_reduction_to_nothing_must_be_a_termination_and_spending_cannot_exceed_what_was_paid(organiser_staff):
    project = project_in_force(organiser_staff)
    with pytest.raises(ValidationError, match="终止"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.REDUCE, "削减", new_subsidy="0")
    disburse(project, organiser_staff, "10.00")
    with pytest.raises(ValidationError, match="不能超过已拨付"):
        midterm.midterm_decide(project, organiser_staff, MidtermOutcome.TERMINATE, "终止", spent="99999")
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS and not MidtermDecision.objects.filter(project=project).exists()
