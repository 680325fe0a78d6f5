"""The result notice (issue 11), through the pages, in Chromium: staff publish the proposed result, a
member of the public files an objection with an evidence PDF and gets a receipt number, staff accept
it and ask the lead unit for a written response (the lead sees the question and the grounds, never
the objector), staff dismiss it with a reply the objector reads by number and phone, and after the
period (frozen time: the notice's end moved into the past) the award is confirmed: the lead's
application reads 揭榜成功, the other applicant's 未入选.

axe-core runs at 390 px on /notices/, the notice page, the objection form and the staff objection page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notices import services
from notices.enums import NoticeBangState, ObjectionState
from notices.models import Notice, NoticeBang, Objection

from ..applications.helpers import PDF
from ..notices.test_services import proposed  # noqa: F401  (the fixture)
from .conftest import DESKTOP, PASSWORD, login, no_blocking_violations, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


OBJECTOR_NAME = "异议人赵六"
OBJECTOR_ID = "11010519491231002X"
OBJECTOR_PHONE = "13912345678"
GROUNDS = "牵头单位申报材料所列示范线业绩与实际不符，请予核查。"
QUESTION = "请说明示范线的建成时间和产能，并附验收材料。"
ANSWER = "示范线于2024年建成，年产能500吨，验收报告附后。"
REPLY = "经核查，牵头单位所报业绩属实，异议不成立。"


def test_notice_from_publishing_to_confirmation(new_page, live_server, organiser_staff, proposed, tmp_path):  # noqa: F811
    bang_list, bang, apps = proposed
    staff = with_password(organiser_staff)
    lead_user = with_password(apps[0].created_by)
    other_user = with_password(apps[1].created_by)
    evidence = tmp_path / "evidence-yeji.pdf"
    evidence.write_bytes(PDF)

    # 1. Staff publish the proposed result and land on the public notice page.
    st = new_page(viewport=DESKTOP)
    login(st, staff.username, PASSWORD)
    st.goto(f"/notices/lists/{bang_list.pk}/publish/")
    expect(st.get_by_test_id("period-preview")).to_be_visible()
    if st.get_by_test_id("calendar-warnings").count():
        st.get_by_label("已知悉，确认发布").check()
    st.get_by_role("button", name="发布公示").click()
    expect(st.get_by_text("公示已发布，截止")).to_be_visible()
    notice = Notice.objects.get(bang_list=bang_list)
    expect(st).to_have_url(f"{live_server.url}/notices/{notice.pk}/")
    entry = notice.entries.get()
    assert entry.state == NoticeBangState.NOTICED

    # 2. A member of the public (not signed in) finds the notice and files an objection with evidence.
    pub = new_page(viewport=DESKTOP)
    pub.goto("/notices/")
    no_blocking_violations(pub, "the notices")
    pub.get_by_role("link", name=notice.title).first.click()
    expect(pub).to_have_url(f"{live_server.url}/notices/{notice.pk}/")
    expect(pub.get_by_role("heading", name=notice.title)).to_be_visible()
    expect(pub.get_by_text(apps[0].lead.name).first).to_be_visible()
    no_blocking_violations(pub, "the notice page")
    pub.locator(f"a[href='/notices/{notice.pk}/object/']").first.click()
    expect(pub.get_by_test_id("objection-form")).to_be_visible()
    no_blocking_violations(pub, "the objection form")
    pub.get_by_label("个人", exact=True).check()
    pub.fill("#id_name", OBJECTOR_NAME)
    pub.fill("#id_id_number", OBJECTOR_ID)
    pub.fill("#id_mobile", OBJECTOR_PHONE)
    pub.fill("#id_grounds", GROUNDS)
    pub.set_input_files("#id_evidence", str(evidence))
    pub.check("#id_pledge")
    pub.get_by_role("button", name="提交异议").click()
    expect(pub.get_by_role("heading", name="异议已提交")).to_be_visible()
    objection = Objection.objects.get(entry=entry)
    expect(pub.get_by_test_id("objection-number")).to_have_text(objection.number)
    expect(pub).to_have_url(f"{live_server.url}/notices/objections/receipt/{objection.number}/")
    expect(pub.get_by_test_id("masked-id")).to_have_text("1101**********002X")
    expect(pub.get_by_text("evidence-yeji.pdf")).to_be_visible()
    assert objection.files.count() == 1
    # The public notice says nothing about objections or objectors.
    pub.goto(f"/notices/{notice.pk}/")
    expect(pub.get_by_role("heading", name=notice.title)).to_be_visible()
    assert OBJECTOR_NAME not in pub.content() and objection.number not in pub.content()

    # 3. Staff find it under 异议办理, accept it and ask the lead unit for a written response.
    st.goto("/notices/objections/")
    row = st.get_by_test_id(f"objection-{objection.pk}")
    expect(row).to_contain_text(objection.get_state_display())
    row.get_by_role("link", name=objection.number).click()
    expect(st).to_have_url(f"{live_server.url}/notices/objections/{objection.pk}/")
    expect(st.get_by_test_id("objector")).to_contain_text(OBJECTOR_NAME)
    expect(st.get_by_test_id("objector")).to_contain_text(OBJECTOR_ID)
    expect(st.get_by_test_id("objection-files")).to_contain_text("evidence-yeji.pdf")
    no_blocking_violations(st, "the staff objection page")
    st.get_by_role("button", name="受理", exact=True).click()
    expect(st.get_by_text("已受理，办理期限已起算。")).to_be_visible()
    st.fill("#ask-question", QUESTION)
    deadline = timezone.localtime() + datetime.timedelta(days=3)
    st.fill("#ask-deadline", deadline.strftime("%Y-%m-%dT17:00"))
    st.get_by_role("button", name="发出").click()
    expect(st.get_by_text("已请牵头单位作出书面说明。")).to_be_visible()
    expect(st.get_by_text("尚未答复")).to_be_visible()

    # The lead unit's applicant sees the question and the grounds, never who objected, and answers.
    ld = new_page(viewport=DESKTOP)
    login(ld, lead_user.username, PASSWORD)
    ld.goto("/notices/responses/")
    requests = ld.get_by_test_id("response-requests")
    expect(requests).to_contain_text("待答复")
    requests.get_by_role("link", name=f"{bang.number}. {bang.title}").click()
    expect(ld.get_by_test_id("question")).to_contain_text(QUESTION)
    expect(ld.get_by_test_id("grounds")).to_contain_text(GROUNDS)
    content = ld.content()
    for secret in (OBJECTOR_NAME, OBJECTOR_ID, OBJECTOR_PHONE, "evidence-yeji.pdf"):
        assert secret not in content, secret
    ld.fill("#id_answer", ANSWER)
    ld.get_by_role("button", name="提交说明").click()
    expect(ld.get_by_text("书面说明已提交。")).to_be_visible()
    expect(ld.get_by_text(ANSWER)).to_be_visible()

    # 4. Staff read the answer and dismiss the objection with a written reply.
    st.reload()
    expect(st.get_by_text(ANSWER)).to_be_visible()
    st.check("#o-dismissed")
    st.fill("#decide-reply", REPLY)
    st.get_by_role("button", name="作出结论").click()
    expect(st.get_by_text("已认定异议不成立，书面答复已发送。")).to_be_visible()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED

    # The objector reads the reply by number and phone (a wrong phone finds nothing).
    pub.goto("/notices/objections/status/")
    pub.fill("#id_number", objection.number)
    pub.fill("#id_phone", "13900000000")
    pub.get_by_role("button", name="查询").click()
    expect(pub.get_by_text("未找到与该受理编号和联系电话相符的异议")).to_be_visible()
    expect(pub.get_by_test_id("objection-status")).to_have_count(0)
    pub.fill("#id_number", objection.number)
    pub.fill("#id_phone", OBJECTOR_PHONE)
    pub.get_by_role("button", name="查询").click()
    expect(pub.get_by_test_id("objection-state")).to_have_text(objection.get_state_display())
    expect(pub.get_by_test_id("objection-reply")).to_have_text(REPLY)

    # 5. After the period (frozen time: the end moved into the past) the beat confirms the award.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Notice.objects.filter(pk=notice.pk).update(ends_at=past)
    assert services.notices_confirm_due() == 1
    assert NoticeBang.objects.get(pk=entry.pk).state == NoticeBangState.CONFIRMED
    ld.goto(f"/applications/{apps[0].pk}/")
    expect(ld.get_by_test_id("application-state")).to_have_text("揭榜成功")

    # 6. The other applicant sees that it was not awarded.
    ot = new_page(viewport=DESKTOP)
    login(ot, other_user.username, PASSWORD)
    ot.goto(f"/applications/{apps[1].pk}/")
    expect(ot.get_by_test_id("application-state")).to_have_text("未入选")
