"""Publishing, objections to the second, the stand-still and confirmation (issue 11)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications.enums import ApplicationState
from bangs.enums import BangListState
from core.exceptions import DomainError
from notices import services
from notices.enums import NoticeBangState, ObjectionState, ObjectorKind
from notices.models import NoticeBang, Objection
from reviews import services as review_services
from reviews.enums import DecisionState
from reviews.models import Assignment

from ..reviews.helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db

PERSON = {"name": "李四", "id_number": "11010519491231002X", "mobile": "13912345678", "email": "li@example.com"}


@pytest.fixture
def proposed(organiser_staff):
    """A list in review with one bang: two scored applications, the better one proposed."""
    bang_list, bang, apps = scenario(organiser_staff, applications=2)
    make_pool(3)
    plan = open_review(bang_list, organiser_staff)
    record = review_services.panel_draw(bang=bang, by=organiser_staff)
    crit = list(plan.criteria.all())
    for seat in Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list"):
        review_services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
        for app, (a, b) in zip(apps, [(38, 55), (30, 40)]):
            review_services.score_save(assignment=seat, application=app, by=seat.expert,
                                       values={str(crit[0].pk): a, str(crit[1].pk): b},
                                       comments={str(c.pk): "说明" for c in crit}, comment="意见",
                                       recommendation="recommend", submit=True)
    review_services.scoring_close(plan=plan, by=organiser_staff)
    review_services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[0].pk])
    bang_list.refresh_from_db()
    return bang_list, bang, apps


def publish(bang_list, staff, **kwargs):
    return services.notice_publish(bang_list=bang_list, by=staff, title="揭榜结果公示", basis="依据……经专家评审",
                                   how_to_object="书面实名提出，联系电话0477-0000000", confirm_warnings=True, **kwargs)


def test_publishing_freezes_what_the_public_sees(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    bang_list.refresh_from_db()
    assert bang_list.state == BangListState.NOTICED
    entry = notice.entries.get()
    assert entry.content["awards"][0]["lead"] == apps[0].lead.name
    assert entry.decision.state == DecisionState.NOTICED
    with pytest.raises(DomainError, match="没有待公示"):
        publish(bang_list, organiser_staff)


def test_objection_at_the_last_second_accepted_one_second_later_refused(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    last = notice.ends_at
    services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="业绩不实",
                            at=last.replace(microsecond=999999))
    with pytest.raises(DomainError, match="公示期已于"):
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="业绩不实",
                                at=last + datetime.timedelta(seconds=1))
    assert Objection.objects.count() == 1


def test_anonymous_and_incomplete_filings_are_refused(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    with pytest.raises(ValidationError) as error:
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data={"name": "", "mobile": ""}, grounds="x")
    assert {"name", "id_number", "mobile"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.objection_file(entry=entry, kind=ObjectorKind.ORGANISATION, data={"unit_name": "某公司"}, grounds="x")
    assert "letter" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data={**PERSON, "id_number": "110105194912310021"},
                                grounds="x")
    assert not Objection.objects.exists()


def test_repeated_filings_from_one_phone_are_throttled(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    for i in range(services.THROTTLE_COUNT):
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds=f"理由{i}")
    with pytest.raises(DomainError, match="一小时内"):  # the same phone written another way
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data={**PERSON, "mobile": "139 1234 5678"},
                                grounds="另一理由")


def test_the_same_filing_twice_is_refused(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="理由")
    with pytest.raises(DomainError, match="勿重复提交"):
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="理由")
    assert Objection.objects.count() == 1


def test_status_reads_the_phone_however_it_is_written(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="理由")
    assert services.objection_status(objection.number, "139-1234-5678") == objection
    assert services.objection_status(objection.number, "13912345679") is None


def test_confirm_waits_for_the_period_and_for_pending_objections_then_confirms_once(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    with pytest.raises(DomainError, match="尚未结束"):
        services.notice_bang_confirm(entry=entry, at=notice.ends_at)
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="理由")
    after = notice.ends_at + datetime.timedelta(seconds=1)
    with pytest.raises(DomainError, match="未办结"):
        services.notice_bang_confirm(entry=entry, at=after)
    assert services.notices_confirm_due(now=after) == 0
    services.objection_accept(objection=objection, by=organiser_staff)
    services.objection_decide(objection=objection, by=organiser_staff, upheld=False, reply="经核查，异议不成立。")
    assert services.notices_confirm_due(now=after) == 1
    assert services.notices_confirm_due(now=after) == 0
    entry.refresh_from_db()
    assert entry.state == NoticeBangState.CONFIRMED
    apps[0].refresh_from_db()
    apps[1].refresh_from_db()
    assert apps[0].state == ApplicationState.AWARDED and apps[1].state == ApplicationState.NOT_AWARDED
    award = entry.decision.awards.get()
    year = timezone.localtime().year
    assert award.project_number == f"NMKJ-JBGS-{year}-001"
    bang_list.refresh_from_db()
    assert bang_list.state == BangListState.CONCLUDED


def test_an_upheld_objection_revokes_and_the_next_team_is_noticed_again(organiser_staff, proposed):
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="论文造假")
    services.objection_accept(objection=objection, by=organiser_staff)
    services.objection_decide(objection=objection, by=organiser_staff, upheld=True, reply="经核查，异议成立。")
    entry.refresh_from_db()
    assert entry.state == NoticeBangState.REVOKED and entry.decision.state == DecisionState.REVOKED
    assert services.notice_bang_confirm(entry=entry, at=notice.ends_at + datetime.timedelta(days=1)) is False
    assert "异议成立" in services.confirmation_refusal(entry) or "已处理" in services.confirmation_refusal(entry)
    review_services.award_propose(bang=bang, by=organiser_staff, application_ids=[apps[1].pk],
                                  passover_reason="第一名异议成立，撤销")
    again = publish(bang_list, organiser_staff)
    assert again.pk != notice.pk and again.entries.get().content["awards"][0]["lead"] == apps[1].lead.name
    assert NoticeBang.objects.filter(bang=bang).count() == 2
    assert Objection.objects.get().state == ObjectionState.UPHELD
    assert Decimal(again.entries.get().content["total_subsidy"]) > 0


@pytest.mark.parametrize("share", [False, True])
def test_the_result_message_carries_anonymised_comments_only_if_the_plan_says_so(organiser_staff, proposed, share):
    from notifications.models import Notification
    from reviews.models import ReviewPlan

    bang_list, bang, apps = proposed
    ReviewPlan.objects.filter(bang_list=bang_list).update(share_comments=share)
    notice = publish(bang_list, organiser_staff)
    services.notices_confirm_due(now=notice.ends_at + datetime.timedelta(seconds=1))
    note = Notification.objects.get(event_key=f"application:{apps[1].pk}:result")
    assert "未入选" in note.title
    # Numbered in a fixed order: no names, no scores.
    assert note.body == ("专家1：意见\n专家2：意见\n专家3：意见" if share else "")


def test_the_winning_lead_sees_its_project_number_and_the_approval_notice(client, organiser_staff, proposed):
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.models import User

    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    services.notices_confirm_due(now=notice.ends_at + datetime.timedelta(seconds=1))
    award = notice.entries.get().decision.awards.get()
    lead_user = User.objects.filter(organisation_id=apps[0].lead_id, role_grants__role=Role.APPLICANT).first()
    client.force_login(lead_user)
    body = client.get(reverse("applications:detail", args=[apps[0].pk])).content.decode()
    assert award.project_number in body and reverse("notices:approval_pdf", args=[award.pk]) in body
    assert client.get(reverse("notices:approval_pdf", args=[award.pk])).content[:4] == b"%PDF"
