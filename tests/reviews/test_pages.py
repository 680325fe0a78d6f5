"""Every page of the review renders for the user it is for, and its forms do what they say."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from reviews import services
from reviews.enums import AssignmentState, ScoreState
from reviews.models import Assignment, EnterpriseOpinion, Score

from ..factories import UserFactory
from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=2, max_teams=2)
    make_pool(5)
    plan = open_review(bang_list, organiser_staff)
    return bang_list, bang, apps, plan


def test_staff_opens_review_through_the_form(client, organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    client.force_login(organiser_staff)
    page = client.get(reverse("reviews:open", args=[bang_list.pk]))
    assert page.status_code == 200 and "启动评审" in page.content.decode()
    deadline = (timezone.localtime() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT23:59:59")
    data = {"panel_size": "5", "deadline": deadline, "visibility": "never", "divergence_threshold": "20",
            "response_hours": "48", "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "12",
            "criteria-0-name": "可行性", "criteria-0-weight": "50", "criteria-0-max_score": "50",
            "criteria-1-name": "团队", "criteria-1-weight": "40", "criteria-1-max_score": "40"}
    page = client.post(reverse("reviews:open", args=[bang_list.pk]), data)
    assert "各评分项权重之和须为100" in page.content.decode()
    data["criteria-1-weight"] = "50"
    page = client.post(reverse("reviews:open", args=[bang_list.pk]), data, follow=True)
    assert "评审已启动" in page.content.decode()
    bang_list.refresh_from_db()
    assert bang_list.state == "reviewing"


def test_draw_respond_score_and_rank_through_pages(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    client.force_login(organiser_staff)
    assert client.get(reverse("reviews:list", args=[bang_list.pk])).status_code == 200
    page = client.post(reverse("reviews:panel", args=[bang.pk]), {}, follow=True)
    assert "评审组已抽取" in page.content.decode()
    record = bang.panel_draw
    assert "一致" in client.get(reverse("reviews:replay", args=[record.pk])).content.decode()
    seats = list(Assignment.objects.filter(draw=record).select_related("expert"))
    crit = list(plan.criteria.all())
    for i, seat in enumerate(seats):
        client.force_login(seat.expert)
        assert client.get(reverse("reviews:dashboard")).status_code == 200
        page = client.post(reverse("reviews:assignment", args=[seat.pk]), {"answer": "accept"}, follow=True)
        assert "已接受" in page.content.decode()
        for application in apps:
            url = reverse("reviews:score", args=[seat.pk, application.pk])
            assert client.get(url).status_code == 200
            form = {f"c{crit[0].pk}": str(30 + i), f"c{crit[1].pk}": "50", "comment": "可行",
                    "recommendation": "recommend"}
            page = client.post(url, {**form, "submit": "1"})
            assert page.status_code == 302 and page.url.endswith("confirm/")
            assert "确认提交" in client.get(page.url).content.decode()
            page = client.post(url, {**form, "submit": "1", "confirmed": "1"}, follow=True)
            assert "评分已提交" in page.content.decode()
    assert Score.objects.filter(state=ScoreState.SUBMITTED).count() == 6
    client.force_login(organiser_staff)
    page = client.post(reverse("reviews:close", args=[bang_list.pk]), follow=True)
    assert "评分已结束" in page.content.decode()
    page = client.get(reverse("reviews:ranking", args=[bang.pk]))
    assert page.status_code == 200
    assert client.get(reverse("reviews:ranking_export", args=[bang_list.pk])).status_code == 200
    pdf = client.get(reverse("reviews:opinion_pdf", args=[bang.pk]))
    assert pdf.content[:4] == b"%PDF"
    # The enterprise gives its opinion
    issuer = bang.issuers.get()
    boss = UserFactory(organisation=issuer, roles=[Role.ENTERPRISE])
    client.force_login(boss)
    assert client.get(reverse("reviews:enterprise")).status_code == 200
    page = client.get(reverse("reviews:enterprise_bang", args=[bang.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert not any(seat.expert.full_name in body for seat in seats)
    page = client.post(reverse("reviews:enterprise_application", args=[bang.pk, apps[0].pk]),
                       {"willing": "1", "reason": "技术路线契合"}, follow=True)
    assert "意见已记录" in page.content.decode()
    assert EnterpriseOpinion.objects.get(application=apps[0]).willing
    # Staff propose both teams racing
    client.force_login(organiser_staff)
    page = client.post(reverse("reviews:ranking", args=[bang.pk]),
                       {"applications": [str(apps[0].pk), str(apps[1].pk)]}, follow=True)
    assert "超过本榜上限240.00万元" in page.content.decode()  # 150 + 150 over the bang's 240
    page = client.post(reverse("reviews:ranking", args=[bang.pk]),
                       {"applications": [str(apps[0].pk), str(apps[1].pk)], "override_reason": "两条路线均有必要",
                        "override_approver": "厅党组会议"}, follow=True)
    assert "已拟定揭榜团队" in page.content.decode()


def test_declared_conflict_on_invitation_is_replaced_from_reserve(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).order_by("position").first()
    client.force_login(seat.expert)
    page = client.post(reverse("reviews:assignment", args=[seat.pk]), {"answer": "conflict", "reason": ""})
    assert "请说明利益冲突" in page.content.decode()
    client.post(reverse("reviews:assignment", args=[seat.pk]), {"answer": "conflict", "reason": "曾在牵头单位任职"})
    seat.refresh_from_db()
    assert seat.state == AssignmentState.CONFLICT
    replacement = Assignment.objects.get(replaces=seat)
    assert replacement.expert_id == record.reserve[0]


def test_the_workbench_shows_the_expert_an_invitation_to_answer(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    client.force_login(seat.expert)
    body = client.get(reverse("dashboard")).content.decode()
    assert "评审任务" in body and reverse("reviews:assignment", args=[seat.pk]) in body
    assert "请确认，期限：" in body


def test_an_unawarded_bang_carried_into_a_later_list_shows_where_it_came_from(client, organiser_staff):
    from ..factories import make_bang_list

    bang_list, bang, apps = scenario(organiser_staff, applications=0)
    open_review(bang_list, organiser_staff)
    client.force_login(organiser_staff)
    page = client.post(reverse("reviews:unawarded", args=[bang.pk]), {"reason": "无申报"}, follow=True)
    assert "已标记为未揭榜" in page.content.decode()
    later = make_bang_list(by=organiser_staff, bangs=0, publish=False, title="下一批榜单")
    decision = bang.review_decisions.get()
    page = client.post(reverse("reviews:decision_carry", args=[decision.pk]), {"into": later.pk}, follow=True)
    new = later.bangs.get()
    assert new.carried_from_id == bang.pk and new.indicators.count() == bang.indicators.count()
    body = client.get(reverse("bangs:bang_detail", args=[new.pk])).content.decode()
    assert f"转自《{bang_list.title}》第{bang.number}榜（未揭榜）" in body


def _accepted_seat(organiser_staff, bang):
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    seat.refresh_from_db()
    return seat


def test_a_submitted_score_reads_back_for_the_expert_and_staff(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    seat = _accepted_seat(organiser_staff, bang)
    crit = list(plan.criteria.all())
    draft = services.score_save(assignment=seat, application=apps[1], by=seat.expert, values={str(crit[0].pk): 30},
                                comments={}, comment="", recommendation="")
    score = services.score_save(assignment=seat, application=apps[0], by=seat.expert,
                                values={str(crit[0].pk): 30, str(crit[1].pk): 45}, comments={}, comment="可行",
                                recommendation="recommend", submit=True)
    client.force_login(seat.expert)
    page = client.get(reverse("reviews:score", args=[seat.pk, apps[0].pk]))
    assert page.status_code == 200 and "评分已提交，不能修改" in page.content.decode()
    assert "75.00" in page.content.decode()
    page = client.post(reverse("reviews:assignment", args=[seat.pk]), {"answer": "decline"}, follow=True)
    assert "该邀请已处理" in page.content.decode()
    seat.refresh_from_db()
    assert seat.state == AssignmentState.ACCEPTED
    client.force_login(organiser_staff)
    page = client.get(reverse("reviews:staff_score", args=[score.pk]))
    assert page.status_code == 200 and "75.00" in page.content.decode()
    assert client.get(reverse("reviews:staff_score", args=[draft.pk])).status_code == 404  # a draft is the expert's
    page = client.post(reverse("reviews:reopen", args=[score.pk]), {"reason": "第二项打分与意见不符"}, follow=True)
    assert "评分已退回" in page.content.decode()


def test_an_impossible_id_among_the_fields_is_an_invalid_choice(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    client.force_login(organiser_staff)
    page = client.post(reverse("reviews:panel", args=[bang.pk]),
                       {"extra_fields": ["99999999999999999999"], "widen_reason": "不足"})
    assert page.status_code == 200 and "不是" in page.content.decode()
    assert not hasattr(bang, "panel_draw") or not type(bang).objects.get(pk=bang.pk).__dict__.get("panel_draw")


def test_a_second_draw_is_refused_with_a_message(client, organiser_staff, review):
    bang_list, bang, apps, plan = review
    client.force_login(organiser_staff)
    client.post(reverse("reviews:panel", args=[bang.pk]), {})
    seed = bang.panel_draw.seed
    page = client.post(reverse("reviews:panel", args=[bang.pk]), {}, follow=True)
    assert "不能重复抽取" in page.content.decode()
    bang.refresh_from_db()
    assert bang.panel_draw.seed == seed


def test_a_row_form_says_what_is_wrong_with_the_reason(client, organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=0)
    open_review(bang_list, organiser_staff)
    client.force_login(organiser_staff)
    page = client.post(reverse("reviews:unawarded", args=[bang.pk]), {"reason": "无\x00申报"}, follow=True)
    assert "空字符" in page.content.decode()
    page = client.post(reverse("reviews:unawarded", args=[bang.pk]), {"reason": "长" * 2001}, follow=True)
    assert "2000" in page.content.decode()
    assert not bang.review_decisions.exists()


def test_after_the_deadline_staff_see_who_is_late(client, organiser_staff, review):
    from reviews.models import ReviewPlan

    bang_list, bang, apps, plan = review
    seat = _accepted_seat(organiser_staff, bang)
    ReviewPlan.objects.filter(pk=plan.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(organiser_staff)
    body = client.get(reverse("reviews:list", args=[bang_list.pk])).content.decode()
    assert "未按时完成评分的专家" in body and seat.expert.display_name in body and "2 项未提交" in body
