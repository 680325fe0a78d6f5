"""Uploading a file updates its row in place: nothing typed elsewhere on the page is lost."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from applications import services

from ..applications.test_uploads import png_bytes
from ..factories import OrganisationFactory, make_bang_list, make_staff
from .conftest import PASSWORD, login
from .conftest import journey_user as _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_attachment_upload_keeps_unsaved_plan_text(new_page):
    bang = make_bang_list(by=make_staff()).bangs.get()
    lead = _user(username="imun", organisation=OrganisationFactory(kind="university"), roles=[Role.APPLICANT])
    application = services.application_start(bang=bang, by=lead)

    page = new_page()
    login(page, "imun", PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    page.fill("#id_objectives", "尚未保存的目标与主要内容")
    row = page.get_by_test_id("attachments").locator("tbody tr").first

    # An empty file is refused next to the field.
    row.locator("input[type=file]").set_input_files({"name": "空.pdf", "mimeType": "application/pdf", "buffer": b""})
    row.get_by_role("button", name="上传").click()
    expect(row.locator(".upload-error")).to_have_text("文件为空。")

    # A PNG sent as .pdf is stored and listed as .png; the typed text is still there, unsaved.
    row.locator("input[type=file]").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": png_bytes()})
    row.get_by_role("button", name="上传").click()
    expect(row.get_by_test_id("attachment-current")).to_contain_text("scan.png")
    expect(row.locator(".upload-status")).to_have_text("附件已上传。")
    expect(row.locator(".upload-error")).to_have_text("")
    expect(page.locator("#id_objectives")).to_have_value("尚未保存的目标与主要内容")
    assert application.attachments.get().original_name == "scan.png"

    # Saving afterwards keeps both the text and the file.
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.locator("#id_objectives")).to_have_value("尚未保存的目标与主要内容")
    expect(page.get_by_test_id("attachments").locator("tbody tr").first).to_contain_text("scan.png")


def test_list_file_upload_keeps_what_was_typed_on_the_page(new_page):
    organiser = make_staff(username="fabang")
    organiser.set_password(PASSWORD)
    organiser.save()
    bang_list = make_bang_list(by=organiser, title="鄂尔多斯市“揭榜挂帅”科技项目榜单")

    page = new_page()
    login(page, "fabang", PASSWORD)
    page.goto(f"/bangs/lists/{bang_list.pk}/")
    page.fill("input[name=reason]", "尚未提交的撤回原因")
    upload = page.locator("form[data-upload-progress]")
    upload.locator("input[name=title]").fill("正式通知")
    upload.locator("input[type=file]").set_input_files(
        {"name": "通知.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"})
    upload.get_by_role("button", name="上传附件").click()
    expect(page.get_by_test_id("list-files")).to_contain_text("正式通知")
    expect(upload.locator(".upload-status")).to_have_text("附件已上传。")
    expect(upload.locator("input[name=title]")).to_have_value("")
    expect(page.locator("input[name=reason]")).to_have_value("尚未提交的撤回原因")
