"""Table forms: rows are added and removed in the page before saving; without JavaScript the blank
rows and the 删除 boxes still do the same through the server."""

import datetime

import pytest
from playwright.sync_api import expect

from applications import services
from applications.models import Milestone

from ..applications.helpers import make_applicant
from ..factories import make_bang_list, make_staff
from .conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft_with_one_milestone(username):
    bang = make_bang_list(by=make_staff()).bangs.get()
    applicant = make_applicant(username=username)
    applicant.set_password(PASSWORD)
    applicant.save()
    application = services.application_start(bang=bang, by=applicant)
    services.application_save_draft(
        application=application, data={}, by=applicant,
        milestones=[{"due_date": datetime.date(2027, 6, 30), "deliverable": "完成中试", "indicator": ""}],
    )
    return application


def _deliverables(application):
    return list(Milestone.objects.filter(application=application).order_by("order").values_list("deliverable", flat=True))


def test_rows_are_added_and_removed_in_the_page_and_saved_together(new_page):
    application = _draft_with_one_milestone("rows_js")
    page = new_page()
    login(page, "rows_js", PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    table = page.get_by_test_id("formset-milestones")
    rows = table.locator("tbody tr:visible")
    expect(rows).to_have_count(3)  # the saved row and two blank ones
    expect(page.get_by_text("需要更多行时先保存")).to_have_count(0)  # the no-script hint is replaced

    box = page.locator("[data-formset='milestones']")
    for _ in range(2):
        box.get_by_role("button", name="增加一行").click()
    expect(rows).to_have_count(5)
    expect(page.locator("#id_milestones-4-due_date")).to_be_focused()  # the new row's first field
    page.fill("#id_milestones-4-due_date", "2028-06-30")
    page.fill("#id_milestones-4-deliverable", "完成验收")

    # Remove the saved row, then remove a blank one and undo that.
    rows.first.get_by_role("button", name="删除此行").click()
    expect(rows).to_have_count(4)
    expect(box.get_by_role("status")).to_contain_text("已删除一行，保存后生效")
    rows.first.get_by_role("button", name="删除此行").click()
    expect(rows).to_have_count(3)
    box.get_by_role("button", name="撤销").click()
    expect(rows).to_have_count(4)
    assert _deliverables(application) == ["完成中试"]  # nothing saved yet

    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    assert _deliverables(application) == ["完成验收"]


def test_without_javascript_the_blank_rows_and_delete_boxes_work(new_page):
    application = _draft_with_one_milestone("rows_nojs")
    page = new_page(java_script_enabled=False)
    login(page, "rows_nojs", PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    expect(page.get_by_role("button", name="增加一行")).to_have_count(0)  # hidden: not in the accessibility tree
    expect(page.get_by_text("需要更多行时先保存").first).to_be_visible()
    page.check("#id_milestones-0-DELETE")
    page.fill("#id_milestones-1-due_date", "2028-06-30")
    page.fill("#id_milestones-1-deliverable", "完成验收")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    assert _deliverables(application) == ["完成验收"]


def test_a_removed_row_stays_removed_after_a_refused_save_and_can_be_undone(new_page):
    application = _draft_with_one_milestone("rows_refused")
    page = new_page()
    login(page, "rows_refused", PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    rows = page.get_by_test_id("formset-milestones").locator("tbody tr:visible")
    box = page.locator("[data-formset='milestones']")
    rows.first.get_by_role("button", name="删除此行").click()
    page.fill("#id_milestones-1-due_date", "2028-06-30")  # a date but no 阶段成果: refused
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_text("保存未成功")).to_be_visible()
    expect(page.locator("#id_milestones-0-deliverable")).to_be_hidden()  # still removed
    expect(rows).to_have_count(2)
    expect(box.get_by_role("status")).to_contain_text("已删除一行，保存后生效")
    box.get_by_role("button", name="撤销").click()
    expect(page.locator("#id_milestones-0-deliverable")).to_be_visible()
    expect(page.locator("#id_milestones-0-deliverable")).to_have_value("完成中试")
    expect(rows).to_have_count(3)
    assert _deliverables(application) == ["完成中试"]
