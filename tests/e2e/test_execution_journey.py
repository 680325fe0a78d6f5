"""From the task book in force to acceptance (issue 13), through the pages, in Chromium, on a racehorse
bang with two teams: the issuing enterprise records a payment and the lead confirms it arrived; staff
disburse the subsidy due by the 到账 rule; the lead files a stage report and staff accept it; at the
mid-term staff terminate the other team; the lead applies for acceptance with field-test values; the
enterprise judges every indicator met and staff record 通过; the public statistics page shows it.

axe-core runs at 390 px on the project page, the stage report, the acceptance application, the
racehorse page and the statistics page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from contracts import funds
from contracts.enums import ProjectState

from ..contracts.execution_helpers import racehorse_projects
from ..contracts.helpers import lead_user
from .conftest import DESKTOP, PASSWORD, journey_user, login, no_blocking_violations, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_project_from_money_to_acceptance(new_page, live_server, organiser_staff, tmp_path):
    staff = with_password(organiser_staff)
    winner, loser = racehorse_projects(staff)
    lead = with_password(lead_user(winner.task_book))
    issuer = journey_user(username="issuer-exec", organisation=winner.award.decision.bang.issuers.first(),
                          roles=[Role.ENTERPRISE])
    hub = f"/task-books/projects/{winner.pk}/"
    receipt = tmp_path / "bank-receipt.pdf"
    receipt.write_bytes(PDF + b"receipt")
    last_year = datetime.date(timezone.localdate().year - 1, 12, 1)

    # 1. The issuing enterprise records a payment (made last year) with its bank receipt.
    en = new_page(viewport=DESKTOP)
    login(en, issuer.username, PASSWORD)
    en.goto("/task-books/projects/")
    en.get_by_role("link", name=winner.project_number).click()
    expect(en).to_have_url(f"{live_server.url}{hub}")
    en.get_by_test_id("payment-new").click()
    en.fill("#id_amount", "500")
    en.fill("#id_paid_on", last_year.isoformat())
    en.set_input_files("#id_receipt", str(receipt))
    en.get_by_role("button", name="登记", exact=True).click()
    expect(en.get_by_test_id("payments")).to_contain_text("待确认到账")

    # The lead confirms it arrived; only now does it count.
    ld = new_page(viewport=DESKTOP)
    login(ld, lead.username, PASSWORD)
    ld.goto(hub)
    expect(ld.get_by_test_id("ledger-arrived")).to_contain_text("0")
    no_blocking_violations(ld, "the project page")
    ld.get_by_test_id("payments").get_by_role("link", name="确认到账").click()
    ld.fill("#id_confirm-arrived_on", last_year.isoformat())
    ld.get_by_role("button", name="确认到账").click()
    expect(ld.get_by_test_id("payments")).to_contain_text("已确认到账")
    expect(ld.get_by_test_id("ledger-arrived")).to_contain_text("500")

    # 2. Staff disburse what is due: 30% of last year's arrivals, within the tranches met.
    due = funds.subsidy_due(winner).due
    assert due > 0
    st = new_page(viewport=DESKTOP)
    login(st, staff.username, PASSWORD)
    st.goto(hub)
    st.get_by_test_id("disbursement-new").click()
    expect(st.get_by_test_id("due-explained")).to_be_visible()
    # One fen more than is due is refused, with the reason on the page.
    st.fill("#id_amount", str(due + Decimal("0.01")))
    st.fill("#id_paid_on", timezone.localdate().isoformat())
    st.fill("#id_document_number", "内科发〔2026〕12号")
    st.get_by_role("button", name="登记拨付").click()
    expect(st.get_by_test_id("disbursement-refused")).to_be_visible()
    st.fill("#id_amount", str(due))
    st.get_by_role("button", name="登记拨付").click()
    expect(st.get_by_test_id("disbursements")).to_contain_text("内科发〔2026〕12号")
    assert winner.disbursements.get().amount == due

    # 3. The lead files the first stage report; staff accept it.
    ld.goto(f"{hub}reports/1/")
    for key in [row["key"] for row in winner.task_book.content["indicators"]]:
        ld.fill(f"#id_progress_{key}", "已完成样机设计，台架测试达到目标值的90%。")
    ld.fill("#id_spending", "40")
    ld.fill("#id_problems", "关键材料供货周期较长。")
    no_blocking_violations(ld, "the stage report form")
    ld.get_by_test_id("report-submit").click()
    expect(ld.get_by_test_id("report-state")).to_contain_text("已提交")
    st.goto(f"{hub}reports/1/")
    st.get_by_test_id("accept-form").get_by_role("button", name="通过").click()
    expect(st.get_by_test_id("report-state")).to_contain_text("已通过")

    # 4. Mid-term: staff terminate the other racing team; it gets no more money.
    st.goto(f"/task-books/projects/{loser.pk}/midterm/")
    st.get_by_label("终止").check()
    st.fill("#id_reason", "技术路线中期验证未达预期，终止支持。")
    st.fill("#id_spent", "0")
    st.get_by_test_id("midterm-submit").click()
    expect(st.get_by_test_id("project-state").first).to_contain_text("已终止")
    loser.refresh_from_db()
    assert loser.state == ProjectState.TERMINATED
    st.goto(f"/task-books/projects/bangs/{winner.award.decision.bang_id}/racehorse/")
    expect(st.get_by_test_id(f"team-{loser.project_number}")).to_contain_text("终止")
    expect(st.get_by_test_id(f"team-{winner.project_number}")).to_contain_text(winner.project_number)
    no_blocking_violations(st, "the racehorse page")

    # The winning team passes its mid-term review (acceptance comes after it).
    st.goto(f"/task-books/projects/{winner.pk}/midterm/")
    st.get_by_label("继续支持").check()
    st.fill("#id_reason", "进展符合任务书，继续支持。")
    st.get_by_test_id("midterm-submit").click()
    expect(st.get_by_test_id("midterm-decision").first).to_contain_text("继续支持")

    # 5. The winning team applies for acceptance early, with its field-test values and reports.
    ld.goto(f"{hub}acceptance/apply/")
    ld.fill("#id_summary", "全部考核指标已完成，并在发榜企业产线完成实测。")
    for i, row in enumerate(winner.task_book.content["indicators"]):
        report = tmp_path / f"test-report-{i}.pdf"
        report.write_bytes(PDF + f"report{i}".encode())
        key = row["key"]
        ld.fill(f"#id_{key}__measured", row["target"].lstrip("≥≤<>= ") or "1")
        ld.fill(f"#id_{key}__method", "第三方检测")
        ld.fill(f"#id_{key}__place", "包头市发榜企业产线")
        ld.fill(f"#id_{key}__tested_on", timezone.localdate().isoformat())
        ld.set_input_files(f"#id_{key}__report", str(report))
    ld.check("#id_early")
    no_blocking_violations(ld, "the acceptance application")
    ld.get_by_test_id("apply-submit").click()
    expect(ld.get_by_test_id("acceptance-state")).to_contain_text("验收")

    # 6. The enterprise judges each indicator met; staff record 通过 and the certificate is issued.
    en.goto(f"{hub}acceptance/judge/")
    for row in winner.task_book.content["indicators"]:
        en.get_by_test_id(f"judge-{row['key']}").get_by_label("达到", exact=True).check()
        en.fill(f"#id_{row['key']}__comment", "实测值达到任务书目标。")
    en.get_by_test_id("judge-form").get_by_role("radio", name="达到", exact=True).last.check()
    en.fill("#id_comment", "实测结果满足企业生产需要。")
    en.get_by_test_id("judge-submit").click()
    expect(en.get_by_test_id("acceptance-section")).to_contain_text("达到")
    st.goto(f"{hub}acceptance/decide/")
    st.get_by_test_id("decide-form").get_by_label("通过", exact=True).check()
    st.fill("#id_reason", "发榜企业评价全部指标达到，验收通过。")
    st.get_by_test_id("decide-submit").click()
    expect(st.get_by_test_id("acceptance-outcome")).to_contain_text("通过")
    expect(st.get_by_test_id("certificate-link")).to_be_visible()

    # 7. The public statistics page counts the passed acceptance and the terminated team.
    pub = new_page(viewport=DESKTOP)
    pub.goto("/stats/")
    expect(pub.get_by_test_id("outcome-passed")).to_contain_text("1")
    expect(pub.get_by_test_id("outcome-terminated")).to_contain_text("1")
    no_blocking_violations(pub, "the statistics page")
