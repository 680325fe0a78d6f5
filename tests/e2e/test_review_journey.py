"""The expert review of a closed list, through the pages, in Chromium: staff open the review and draw a
panel, a drawn expert declares a conflict and the reserve fills the seat, three experts accept and
score (and cannot see the others' scores or seats), staff close scoring and see the divergence, the
issuing enterprise gives its say, and staff propose two racehorse teams on different routes.

axe-core runs at 390 px on the staff ranking, an expert's score page and the enterprise's bang page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from reviews.models import Assignment, PanelDraw, ReviewPlan

from ..factories import OrganisationFactory
from ..reviews.helpers import make_pool, scenario
from .conftest import DESKTOP, PASSWORD, PHONE, journey_user, login, no_blocking_violations, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROUTES = ["改良西门子法", "硅烷流化床法"]

# Each serving expert's scores on the default rubric (maxima 30, 20, 20, 15, 15: a total is the sum).
# Application 0 gets 95, 60 and 90 (max − min = 35 > 20: divergent); application 1 gets 80, 78, 82.
SCORES = [
    ([29, 19, 19, 14, 14], [24, 16, 16, 12, 12]),
    ([18, 12, 12, 9, 9], [24, 16, 15, 12, 11]),
    ([27, 18, 18, 14, 13], [25, 17, 16, 12, 12]),
]


def expect_not_found(page, path):
    response = page.goto(path)
    assert response.status == 404, path
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(page.get_by_text("错误代码 404")).to_be_visible()


def answer_invitation(page, seat, answer_label, *, reason="", base):
    """From 评审任务 in the menu to the invitation, answered."""
    page.goto("/dashboard/")
    page.get_by_role("navigation").get_by_role("link", name="评审任务").click()
    expect(page).to_have_url(f"{base}/reviews/mine/")
    page.get_by_test_id(f"task-{seat.pk}").get_by_role("link").click()
    expect(page.get_by_role("heading", name="评审邀请")).to_be_visible()
    page.get_by_label(answer_label).check()
    if reason:
        page.fill("#id_reason", reason)
    page.get_by_role("button", name="提交答复").click()


def test_review_from_opening_to_racehorse_proposal(new_page, live_server):
    staff = journey_user(username="organiser", full_name="高新处", organisation=OrganisationFactory(kind="government"),
                         roles=[Role.STAFF])
    bang_list, bang, apps = scenario(staff, applications=2, max_teams=2, routes=ROUTES)
    experts = {u.pk: with_password(u) for u in make_pool(6)}
    journey_user(username="fabang", full_name="发榜企业负责人", organisation=bang.issuers.get(),
                 roles=[Role.ENTERPRISE])

    # 1. Staff open the review through the form (panel of 3, a deadline, the default rubric)...
    st = new_page(viewport=DESKTOP)
    login(st, "organiser", PASSWORD)
    st.goto(f"/reviews/lists/{bang_list.pk}/open/")
    st.fill("#id_panel_size", "3")
    deadline = timezone.localtime() + datetime.timedelta(days=10)
    st.fill("#id_deadline", deadline.strftime("%Y-%m-%dT23:59:59"))
    st.get_by_role("button", name="启动评审").click()
    expect(st.get_by_text("评审已启动。请为各技术榜抽取评审专家。")).to_be_visible()
    expect(st).to_have_url(f"{live_server.url}/reviews/lists/{bang_list.pk}/")
    expect(st.get_by_test_id("plan-summary")).to_contain_text("技术可行性与创新性")
    plan = ReviewPlan.objects.get(bang_list=bang_list)
    assert plan.panel_size == 3
    criteria = list(plan.criteria.order_by("order", "pk"))
    assert [c.weight for c in criteria] == [30, 20, 20, 15, 15]

    # ...and draw the bang's panel.
    st.goto(f"/reviews/bangs/{bang.pk}/panel/")
    st.get_by_test_id("draw").click()
    expect(st.get_by_text("评审组已抽取，邀请已发出。")).to_be_visible()
    expect(st.get_by_test_id("panel-seats")).to_be_visible()
    record = PanelDraw.objects.get(bang=bang)
    drawn = list(Assignment.objects.filter(draw=record).order_by("position"))
    assert len(drawn) == 3

    # 2. The first drawn expert declares a conflict from the invitation; the reserve fills the seat.
    leaving = drawn[0]
    ex = new_page(viewport=DESKTOP)
    login(ex, experts[leaving.expert_id].username, PASSWORD)
    answer_invitation(ex, leaving, "存在利益冲突，申请回避", reason="近三年与牵头单位有合作项目", base=live_server.url)
    expect(ex.get_by_text("已申明回避，谢谢。")).to_be_visible()
    expect(ex.get_by_test_id(f"task-{leaving.pk}")).to_have_count(0)

    replacement = Assignment.objects.get(replaces=leaving)
    assert replacement.expert_id == record.reserve[0]
    st.reload()
    expect(st.get_by_test_id(f"seat-{leaving.expert_id}")).to_contain_text("申明回避")
    expect(st.get_by_test_id(f"seat-{leaving.expert_id}")).to_contain_text("近三年与牵头单位有合作项目")
    replacing = st.get_by_test_id(f"seat-{replacement.expert_id}")
    expect(replacing).to_contain_text(f"递补 {experts[leaving.expert_id].full_name}")
    expect(replacing).to_contain_text("已邀请（待确认）")

    # 3. Three experts accept and score both applications; the last one does it on a phone.
    serving = [drawn[1], drawn[2], replacement]
    for i, seat in enumerate(serving):
        phone = i == len(serving) - 1
        page = new_page(viewport=PHONE if phone else DESKTOP)
        login(page, experts[seat.expert_id].username, PASSWORD)
        if phone:
            page.goto("/reviews/mine/")
            page.get_by_test_id(f"task-{seat.pk}").get_by_role("link").click()
            page.get_by_label("确认与申报单位无利益冲突，接受评审").check()
            page.get_by_role("button", name="提交答复").click()
        else:
            answer_invitation(page, seat, "确认与申报单位无利益冲突，接受评审", base=live_server.url)
        expect(page.get_by_text("已接受评审邀请。")).to_be_visible()
        expect(page).to_have_url(f"{live_server.url}/reviews/seats/{seat.pk}/")

        for application, values in zip(apps, SCORES[i]):
            score_url = f"/reviews/seats/{seat.pk}/applications/{application.pk}/"
            page.locator(f"a[href='{score_url}']").click()
            expect(page.get_by_test_id("score-form")).to_be_visible()
            if i == 0 and application == apps[0]:
                no_blocking_violations(page, "the expert's score page")
            for criterion, value in zip(criteria, values):
                page.fill(f"#id_c{criterion.pk}", str(value))
            page.fill("#id_comment", "技术路线可行，团队基础扎实。")
            page.select_option("#id_recommendation", "recommend")
            page.get_by_role("button", name="提交评分…").click()
            expect(page).to_have_url(f"{live_server.url}{score_url}confirm/")
            confirm = page.get_by_test_id("confirm-submit")
            expect(confirm).to_be_visible()
            if i == 0 and application == apps[0]:
                # Before submitting: the panel's other scores and another expert's seat are not found.
                expect_not_found(page, f"/reviews/seats/{seat.pk}/scores/")
                expect_not_found(page, f"/reviews/seats/{serving[1].pk}/")
                expect_not_found(page, f"/reviews/seats/{serving[1].pk}/applications/{application.pk}/")
                page.goto(f"{score_url}confirm/")
            expect(page.get_by_text(f"{sum(values)}.00").first).to_be_visible()
            page.get_by_test_id("confirm-submit").click()
            expect(page.get_by_text("评分已提交，不能再修改。")).to_be_visible()
            expect(page).to_have_url(f"{live_server.url}/reviews/seats/{seat.pk}/")
        expect(page.get_by_test_id("seat-applications")).to_contain_text(f"已提交 {sum(SCORES[i][0])}")
        expect(page.get_by_test_id("seat-applications")).to_contain_text(f"已提交 {sum(SCORES[i][1])}")

    # 4. Staff close scoring; the ranking flags the divergent application.
    st.goto(f"/reviews/lists/{bang_list.pk}/")
    st.get_by_role("button", name="结束评分").click()
    expect(st.get_by_text("评分已结束，已请发榜企业发表合作意见。")).to_be_visible()
    expect(st.get_by_test_id("scoring-state")).to_have_text("评分已结束")
    st.goto(f"/reviews/bangs/{bang.pk}/ranking/")
    expect(st.get_by_test_id(f"rank-row-{apps[0].pk}").get_by_test_id("divergent")).to_be_visible()
    expect(st.get_by_test_id(f"rank-row-{apps[0].pk}")).to_contain_text("81.67")  # (95 + 60 + 90) / 3
    expect(st.get_by_test_id(f"rank-row-{apps[1].pk}")).to_contain_text("80.00")
    expect(st.get_by_test_id(f"rank-row-{apps[1].pk}").get_by_test_id("divergent")).to_have_count(0)
    no_blocking_violations(st, "the staff ranking")

    # 5. The issuing enterprise reads the result and is willing to work with the first team.
    en = new_page(viewport=DESKTOP)
    login(en, "fabang", PASSWORD)
    en.get_by_role("navigation").get_by_role("link", name="评审结果").click()
    expect(en.get_by_test_id("enterprise-bangs")).to_contain_text("评分已结束，请发表意见")
    en.get_by_test_id("enterprise-bangs").get_by_role("link", name=bang.title).click()
    expect(en.get_by_test_id("enterprise-ranking")).to_contain_text(ROUTES[0])
    for seat in serving:
        expect(en.get_by_test_id("enterprise-ranking")).not_to_contain_text(experts[seat.expert_id].full_name)
    no_blocking_violations(en, "the enterprise's bang page")
    en.get_by_test_id(f"opine-{apps[0].pk}").click()
    en.get_by_label("愿意合作", exact=True).check()
    en.fill("#id_reason", "技术路线与本企业产线契合")
    en.get_by_role("button", name="提交意见").click()
    expect(en.get_by_text("意见已记录。")).to_be_visible()
    expect(en.get_by_test_id("enterprise-ranking")).to_contain_text("愿意合作")

    # 6. Staff propose both teams (two routes); over the bang's cap, a case-by-case approval is asked.
    st.reload()
    expect(st.get_by_test_id(f"rank-row-{apps[0].pk}")).to_contain_text("技术路线与本企业产线契合")
    st.check(f"#pick-{apps[0].pk}")
    st.check(f"#pick-{apps[1].pk}")
    st.get_by_role("button", name="拟定揭榜团队").click()
    expect(st.get_by_text("未能拟定，请按提示修改。")).to_be_visible()
    expect(st.get_by_test_id("proposal-form")).to_contain_text("超过本榜上限")
    expect(st.locator(f"#pick-{apps[0].pk}")).to_be_checked()
    expect(st.locator(f"#pick-{apps[1].pk}")).to_be_checked()
    st.fill("#id_override_reason", "两条技术路线均有必要，赛马推进")
    st.fill("#id_override_approver", "局党组会议")
    st.get_by_role("button", name="拟定揭榜团队").click()
    expect(st.get_by_text("已拟定揭榜团队（待公示）。")).to_be_visible()
    awards = st.get_by_test_id("awards")
    expect(awards).to_be_visible()
    expect(awards.locator("tbody tr")).to_have_count(3)  # two teams and the total
    for route in ROUTES:
        expect(awards).to_contain_text(route)
    expect(st.get_by_test_id("decision")).to_contain_text("一事一议")
