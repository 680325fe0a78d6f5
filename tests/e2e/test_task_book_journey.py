"""The task book (issue 12), through the pages, in Chromium: the lead edits the draft, the issuing
enterprise returns it once with a comment, the lead revises it, staff finalise it, the three parties
upload their sealed scans and it is in force; then a visitor who is not signed in verifies it by the
QR code's link and by uploading the PDF, and a one-byte change is reported as not the issued file.

axe-core runs at 390 px on the task book, the draft form, the signing page and the verify page."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from contracts import services
from contracts.enums import TaskBookState
from contracts.models import TaskBook

from ..contracts.helpers import confirmed_award
from .conftest import DESKTOP, PASSWORD, journey_user, login, no_blocking_violations, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OBJECTIVES = "研制推力密度不低于1.2的永磁同步直线电机样机，并在发榜企业产线完成实测。"
RETURN_REASON = "请写明中试规模和实测地点。"
ROUTE = "采用分段斜极和Halbach阵列降低推力波动，在包头产线完成1000小时实测。"


def sign(page, task_book, folder, signer, title):
    """One party's sealed page: a scan of its own (the same file twice is refused)."""
    scan = folder / f"seal-{signer}.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + signer.encode() + b"\x00" * 128)
    page.goto(f"/task-books/{task_book.pk}/")
    page.get_by_test_id("sign-link").click()
    expect(page.get_by_test_id("sign-form")).to_be_visible()
    page.set_input_files("#id_scan", str(scan))
    page.fill("#id_signer_name", signer)
    page.fill("#id_signer_title", title)
    page.check("#id_confirm")
    page.get_by_test_id("sign-button").click()
    expect(page.get_by_text("已签署。")).to_be_visible()


def test_task_book_from_draft_to_public_verification(new_page, live_server, organiser_staff, tmp_path):
    staff = with_password(organiser_staff)
    award = confirmed_award(staff)
    task_book = services.task_book_draft(award=award, by=staff)
    lead = with_password(award.application.created_by)
    issuer = journey_user(username="issuer-journey", organisation=award.decision.bang.issuers.first(),
                          roles=[Role.ENTERPRISE])
    url = f"/task-books/{task_book.pk}/"

    # 1. The lead opens its task book from 任务书 and edits the draft within the rules.
    ld = new_page(viewport=DESKTOP)
    login(ld, lead.username, PASSWORD)
    ld.goto("/task-books/")
    ld.get_by_role("link", name=award.project_number).click()
    expect(ld).to_have_url(f"{live_server.url}{url}")
    expect(ld.get_by_test_id("tb-state")).to_have_text("起草中")
    # The draft came with the budget as applied for: the subsidy must still be brought to the award's.
    expect(ld.get_by_test_id("tb-problems")).to_contain_text("须等于立项补助")
    no_blocking_violations(ld, "the draft task book")
    ld.get_by_test_id("edit-task-book").click()
    no_blocking_violations(ld, "the draft form")
    # A weaker indicator is refused next to the indicators, and what was typed stays.
    key = task_book.content["indicators"][0]["key"]
    ld.fill(f"#id_t_{key}", "≥0.1")
    ld.fill("#id_objectives", OBJECTIVES)
    ld.get_by_test_id("save-task-book").click()
    expect(ld.get_by_test_id("errors-indicators")).to_contain_text("不能降低")
    expect(ld.locator("#id_objectives")).to_have_value(OBJECTIVES)
    ld.fill(f"#id_t_{key}", task_book.content["indicators"][0]["target"])
    ld.fill("#id_equipment__subsidy", str(award.subsidy))
    ld.get_by_test_id("save-task-book").click()
    expect(ld.get_by_text("已保存为第2版。")).to_be_visible()
    expect(ld.get_by_test_id("tb-objectives")).to_contain_text(OBJECTIVES)

    # 2. The issuing enterprise reads it and returns it once with a comment.
    en = new_page(viewport=DESKTOP)
    login(en, issuer.username, PASSWORD)
    en.goto(url)
    expect(en.get_by_test_id("tb-objectives")).to_contain_text(OBJECTIVES)
    expect(en.get_by_test_id("edit-task-book")).to_have_count(0)
    en.fill("#id_body", RETURN_REASON)
    en.get_by_test_id("return-button").click()
    expect(en.get_by_text("已退回牵头单位修改。")).to_be_visible()
    expect(en.get_by_test_id("tb-state")).to_have_text("已退回修改")

    # The lead sees why, revises, and the comparison shows the change.
    ld.goto(f"{url}edit/")
    expect(ld.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    ld.fill("#id_route", ROUTE)
    ld.get_by_test_id("save-task-book").click()
    expect(ld.get_by_text("已保存为第3版。")).to_be_visible()
    expect(ld.get_by_test_id("tb-state")).to_have_text("起草中")
    ld.get_by_role("link", name="与上一版对比").first.click()
    expect(ld.get_by_test_id("compare").locator("[data-testid=changed]")).to_contain_text(ROUTE)

    # 3. Staff finalise it: the content is frozen and the PDF issued.
    st = new_page(viewport=DESKTOP)
    login(st, staff.username, PASSWORD)
    st.goto(url)
    st.get_by_test_id("finalise-link").click()
    expect(st.get_by_test_id("finalise-problems")).to_have_count(0)
    st.get_by_test_id("finalise-button").click()
    expect(st.get_by_text("任务书已定稿并签发")).to_be_visible()
    expect(st.get_by_test_id("tb-state")).to_have_text("已定稿，待签署")
    task_book.refresh_from_db()
    fingerprint = task_book.fingerprint
    expect(st.get_by_test_id("tb-fingerprint")).to_have_text(fingerprint)
    ld.goto(url)
    expect(ld.get_by_test_id("edit-task-book")).to_have_count(0)

    # 4. Each party seals and uploads its scan; after the third the task book is in force.
    ld.goto(url)
    ld.get_by_test_id("sign-link").click()
    no_blocking_violations(ld, "the signing page")
    sign(ld, task_book, tmp_path, "张三", "校长")
    expect(ld.get_by_test_id("tb-state")).to_have_text("签署中")
    sign(en, task_book, tmp_path, "李四", "董事长")
    sign(st, task_book, tmp_path, "王五", "处长")
    expect(st.get_by_test_id("tb-state")).to_have_text("已生效")
    assert TaskBook.objects.get(pk=task_book.pk).state == TaskBookState.IN_FORCE
    # The lead's application shows it.
    ld.goto(f"/applications/{award.application_id}/")
    expect(ld.get_by_test_id("task-book-state")).to_have_text("已生效")

    # The lead downloads the issued PDF.
    ld.goto(url)
    with ld.expect_download() as download:
        ld.get_by_test_id("download-pdf").click()
    issued = tmp_path / "issued.pdf"
    download.value.save_as(issued)

    # 5. A visitor, not signed in, follows the QR code's link, then uploads the PDF.
    pub = new_page(viewport=DESKTOP)
    pub.goto(f"/verify/?fp={fingerprint}")
    expect(pub.get_by_test_id("verify-result")).to_contain_text("这是本平台签发的任务书")
    expect(pub.get_by_test_id("verify-task-book")).to_contain_text(award.project_number)
    expect(pub.get_by_test_id("verify-state")).to_contain_text("已生效")
    assert str(award.subsidy) not in pub.get_by_test_id("verify-task-book").inner_text()
    no_blocking_violations(pub, "the verify page")
    pub.set_input_files("#id_file", str(issued))
    pub.get_by_test_id("verify-upload-form").get_by_role("button", name="上传并核验").click()
    expect(pub.get_by_test_id("verify-result")).to_contain_text("完全一致")
    # One byte changed (in the middle of the file): not the issued one.
    data = bytearray(issued.read_bytes())
    data[len(data) // 2] ^= 0x01
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))
    pub.set_input_files("#id_file", str(forged))
    pub.get_by_test_id("verify-upload-form").get_by_role("button", name="上传并核验").click()
    expect(pub.get_by_text("该文件与平台签发的任务书不一致。")).to_be_visible()
