"""Stage reports, their reminders and self-management (issue 13 section 2)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contracts import reports, tasks, views_reports
from contracts.enums import ProjectState, ReportState
from contracts.models import Project, ProjectFile, SelfChange, StageReport
from core.exceptions import DomainError
from core.models import ActivityLog
from notifications.models import Notification

from ..factories import OrganisationFactory, UserFactory
from .formpost import form_data
from .helpers import lead_user, project_in_force

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="进展.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(organiser_staff, other_organiser_staff):
    project = project_in_force(organiser_staff, start=timezone.localdate())  # reports fall due from now on
    issuer = UserFactory(username="issuer", organisation=project.award.decision.bang.issuers.first(),
                         roles=[Role.ENTERPRISE])
    return {
        "project": project,
        "report": project.reports.get(stage=1),
        "lead": lead_user(project.task_book),
        "issuer": issuer,
        "staff": organiser_staff,
        "other_staff": other_organiser_staff,
        "stranger": UserFactory(username="stranger", organisation=OrganisationFactory(), roles=[Role.APPLICANT]),
    }


def progress_for(project, text="完成样机"):
    return {row["key"]: f"{text}{i}" for i, row in enumerate(project.task_book.content["indicators"])}


def submit(world, **kwargs):
    values = {"progress": progress_for(world["project"]), "spending": Decimal("12.50"), "problems": "无", "files": []}
    values.update(kwargs)
    return reports.report_submit(report=world["report"], by=world["lead"], **values)


def notified(user, key_part) -> list[str]:
    return list(Notification.objects.filter(recipient=user, event_key__contains=key_part).values_list("title", flat=True))


# --- the flow -----------------------------------------------------------------------------------


def test_the_lead_submits_and_staff_accept(world):
    project = world["project"]
    assert world["report"].state == ReportState.DUE
    report = submit(world, files=[pdf()])
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    keys = [row["key"] for row in project.task_book.content["indicators"]]
    assert [row["key"] for row in report.progress] == keys and report.progress[0]["progress"] == "完成样机0"
    assert report.spending == Decimal("12.50") and report.submitted_by == world["lead"]
    attachment = ProjectFile.objects.get(report=report)
    assert (attachment.purpose, attachment.name, attachment.project_id) == ("report", "进展.pdf", project.pk)
    assert notified(world["issuer"], ":submitted:") and notified(world["staff"], ":submitted:")

    reports.report_accept(report=report, by=world["staff"])
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED and report.decided_by == world["staff"]
    assert notified(world["lead"], ":accepted") == [f"项目“{project.project_number}”第1阶段报告已通过"]


def test_staff_return_needs_a_reason_and_the_lead_files_again(world):
    report = submit(world)
    with pytest.raises(ValidationError) as refused:
        reports.report_return(report=report, by=world["staff"], reason="  ")
    assert refused.value.message_dict == {"reason": ["请填写退回理由。"]}
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    reports.report_return(report=report, by=world["staff"], reason="进展描述过于笼统")
    report.refresh_from_db()
    assert (report.state, report.return_reason) == (ReportState.RETURNED, "进展描述过于笼统")
    assert Notification.objects.get(recipient=world["lead"], event_key__contains=":returned:").body == "进展描述过于笼统"

    reports.report_submit(report=report, by=world["lead"], progress=progress_for(world["project"], "已补充"),
                          spending="20", problems="")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.progress[0]["progress"] == "已补充0"
    assert report.spending == Decimal("20.00")


def test_a_submitted_report_is_frozen(world):
    report = submit(world)
    with pytest.raises(DomainError, match="不能重复提交或修改"):
        reports.report_submit(report=report, by=world["lead"], progress=progress_for(world["project"], "改过"),
                              spending="99", problems="改过")
    reports.report_accept(report=report, by=world["staff"])
    with pytest.raises(DomainError, match="不能重复提交或修改"):
        reports.report_submit(report=report, by=world["lead"], progress=progress_for(world["project"], "改过"),
                              spending="99", problems="改过")
    with pytest.raises(DomainError, match="已通过"):
        reports.report_return(report=report, by=world["staff"], reason="再退回")
    report.refresh_from_db()
    assert (report.state, report.spending, report.progress[0]["progress"]) == (
        ReportState.ACCEPTED, Decimal("12.50"), "完成样机0")


def test_a_report_missing_progress_or_with_bad_input_is_refused_and_nothing_is_stored(world):
    progress = progress_for(world["project"])
    first = next(iter(progress))
    progress[first] = " "
    with pytest.raises(ValidationError) as refused:
        submit(world, progress=progress, spending="-1",
               files=[SimpleUploadedFile("进展.pdf", b"<html>not a pdf</html>")])
    errors = refused.value.message_dict
    assert errors[f"progress_{first}"] == ["请填写该指标的进展。"]
    assert errors["spending"] == ["金额不能为负数。"]
    assert "PDF、DOC、DOCX、XLS、XLSX、JPG、PNG" in errors["files"][0]
    world["report"].refresh_from_db()
    assert world["report"].state == ReportState.DUE and not ProjectFile.objects.exists()
    with pytest.raises(ValidationError) as refused:
        submit(world, spending="1.234")
    assert refused.value.message_dict == {"spending": ["金额最多保留两位小数（万元）。"]}


def test_no_report_while_the_project_is_not_running(world):
    Project.objects.filter(pk=world["project"].pk).update(state=ProjectState.TERMINATED)
    with pytest.raises(DomainError, match="已终止"):
        submit(world)
    assert StageReport.objects.get(pk=world["report"].pk).state == ReportState.DUE


def test_the_enterprise_comments_once_submitted_and_a_second_comment_is_appended(world):
    with pytest.raises(DomainError, match="提交后才能发表意见"):
        reports.report_comment(report=world["report"], by=world["issuer"], comment="太早")
    report = submit(world)
    with pytest.raises(DomainError, match="无权"):
        reports.report_comment(report=report, by=world["lead"], comment="自评")
    reports.report_comment(report=report, by=world["issuer"], comment="样机性能符合预期")
    reports.report_comment(report=report, by=world["issuer"], comment="请补充测试数据")
    report.refresh_from_db()
    first, second = report.enterprise_comment.split("\n\n")
    issuer_name = world["issuer"].organisation.name
    assert first.endswith(f"{issuer_name}】样机性能符合预期") and second.endswith(f"{issuer_name}】请补充测试数据")
    assert len(notified(world["lead"], ":comment:")) == 2


# --- reminders ----------------------------------------------------------------------------------


def _at(report, days_before: int) -> datetime.datetime:
    """A moment `days_before` the report's due date (negative: after it), at noon local time."""
    day = report.due_date - datetime.timedelta(days=days_before)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def remind_keys(report) -> list[str]:
    return sorted(Notification.objects.filter(event_key__startswith=f"report:{report.pk}:remind:")
                  .values_list("event_key", flat=True).distinct())


def test_each_reminder_goes_once(world):
    report, lead = world["report"], world["lead"]
    assert reports.reports_remind(now=_at(report, 20)) == 0
    assert reports.reports_remind(now=_at(report, 14)) == 1
    assert reports.reports_remind(now=_at(report, 10)) == 0
    assert reports.reports_remind(now=_at(report, 3)) == 1
    assert reports.reports_remind(now=_at(report, 0)) == 0
    assert reports.reports_remind(now=_at(report, -1)) == 1
    assert reports.reports_remind(now=_at(report, -30)) == 0
    assert remind_keys(report) == [f"report:{report.pk}:remind:{slot}"
                                   for slot in ("reminded_14_at", "reminded_3_at", "reminded_overdue_at")]
    titles = notified(lead, ":remind:")
    assert len(titles) == 3 and any("已逾期" in t for t in titles) and any("还有3天" in t for t in titles)


def test_only_the_tightest_window_is_sent(world):
    report = world["report"]
    assert reports.reports_remind(now=_at(report, 2)) == 1
    report.refresh_from_db()
    assert report.reminded_14_at is not None and report.reminded_3_at is not None
    assert report.reminded_overdue_at is None
    assert remind_keys(report) == [f"report:{report.pk}:remind:reminded_3_at"]
    # Found only once overdue: the overdue reminder alone.
    other = StageReport.objects.create(project=world["project"], stage=2, goal="完成验证", due_date=report.due_date)
    assert reports.reports_remind(now=_at(report, -5)) == 2  # the first one's overdue, the second's overdue
    assert remind_keys(other) == [f"report:{other.pk}:remind:reminded_overdue_at"]
    assert reports.reports_remind(now=_at(report, -6)) == 0


def test_no_reminder_after_submission_or_for_a_stopped_project(world):
    report = submit(world)
    assert reports.reports_remind(now=_at(report, 3)) == 0
    assert reports.reports_remind(now=_at(report, -1)) == 0
    other = StageReport.objects.create(project=world["project"], stage=2, goal="完成验证", due_date=report.due_date)
    Project.objects.filter(pk=world["project"].pk).update(state=ProjectState.TERMINATED)
    assert reports.reports_remind(now=_at(other, -1)) == 0
    assert not Notification.objects.filter(event_key__contains=":remind:").exists()


def test_the_beat_task_is_scheduled_and_idempotent(world):
    assert {"task": "contracts.remind_reports", "schedule": 86400.0} in settings.CELERY_BEAT_SCHEDULE.values()
    StageReport.objects.filter(pk=world["report"].pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    assert tasks.remind_reports.delay().get() == 1
    assert tasks.remind_reports() == 0
    assert Notification.objects.filter(recipient=world["lead"], event_key__contains=":remind:").count() == 1


# --- self-management ----------------------------------------------------------------------------


def test_a_route_adjustment_is_recorded_told_and_kept(world):
    project = world["project"]
    change = reports.change_record(project=project, by=world["lead"], kind="route", description="改用干法工艺")
    assert SelfChange.objects.get().description == "改用干法工艺" and change.details == []
    assert notified(world["issuer"], ":change:") == [f"项目“{project.project_number}”记录了一项技术路线调整"]
    assert notified(world["staff"], ":change:")
    assert ActivityLog.objects.filter(object_id=project.pk, action="自主调整：技术路线调整").count() == 1


def test_a_budget_reallocation_keeps_the_total(world):
    project = world["project"]
    subsidy = project.task_book.content["budget"][0]["subsidy"]  # all on equipment (helpers.valid_content)
    assert reports.budget_now(project) == {"equipment": Decimal(subsidy)}
    moved = Decimal(subsidy) - Decimal(30)
    reports.change_record(project=project, by=world["lead"], kind="budget", description="增加测试",
                          details=[{"category": "equipment", "from": subsidy, "to": str(moved)},
                                   {"category": "testing", "from": "0", "to": "30"}])
    assert reports.budget_now(project) == {"equipment": moved, "testing": Decimal("30.00")}
    assert notified(world["issuer"], ":change:") and notified(world["staff"], ":change:")


def test_a_budget_reallocation_that_changes_the_total_is_refused(world):
    project = world["project"]
    subsidy = project.task_book.content["budget"][0]["subsidy"]
    with pytest.raises(ValidationError) as refused:
        reports.change_record(project=project, by=world["lead"], kind="budget", description="多列支",
                              details=[{"category": "equipment", "from": subsidy, "to": subsidy},
                                       {"category": "testing", "from": "0", "to": "30"}])
    assert "不能改变财政补助总额" in refused.value.message_dict["details"][0]
    with pytest.raises(ValidationError) as refused:
        reports.change_record(project=project, by=world["lead"], kind="budget", description="前值不符",
                              details=[{"category": "equipment", "from": "1", "to": "0"},
                                       {"category": "testing", "from": "0", "to": "1"}])
    assert "from_equipment" in refused.value.message_dict
    assert not SelfChange.objects.exists() and not Notification.objects.filter(event_key__contains=":change:").exists()


def test_only_the_lead_records_changes(world):
    for who in ("issuer", "staff", "stranger"):
        with pytest.raises(DomainError):
            reports.change_record(project=world["project"], by=world[who], kind="route", description="越权")
    assert not SelfChange.objects.exists()


# --- pages --------------------------------------------------------------------------------------


def report_url(world, suffix=""):
    return reverse("contracts:report_detail", args=[world["project"].pk, 1]) + suffix


def test_the_lead_files_through_the_page(client, world):
    client.force_login(world["lead"])
    page = client.get(report_url(world))
    assert b'data-testid="report-form"' in page.content
    data = form_data(page.content.decode(), "report-form")
    key = next(iter(progress_for(world["project"])))
    data.update({f"progress_{key}": "", "spending": "8.5"})
    refused = client.post(report_url(world), data)
    assert refused.status_code == 200 and "请填写该指标的进展。" in refused.content.decode()
    assert 'value="8.5"' in refused.content.decode()  # what was typed is still there
    data[f"progress_{key}"] = "完成中试线"
    data["files"] = pdf()
    done = client.post(report_url(world), data, follow=True)
    assert "第1阶段报告已提交" in done.content.decode()
    report = StageReport.objects.get(pk=world["report"].pk)
    assert report.state == ReportState.SUBMITTED and report.spending == Decimal("8.50")
    assert b'data-testid="report-form"' not in done.content and "完成中试线" in done.content.decode()
    attachment = report.files.get()
    download = client.get(reverse("contracts:report_file", args=[world["project"].pk, 1, attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.force_login(world["stranger"])
    assert client.get(reverse("contracts:report_file", args=[world["project"].pk, 1, attachment.pk])).status_code == 404


def test_the_issuer_comments_and_staff_return_through_the_page(client, world):
    submit(world)
    client.force_login(world["issuer"])
    page = client.get(report_url(world)).content.decode()
    assert 'data-testid="comment-form"' in page and 'data-testid="accept-form"' not in page
    client.post(report_url(world, "comment/"), {"comment": "数据可信"})
    client.force_login(world["staff"])
    page = client.get(report_url(world)).content.decode()
    assert "数据可信" in page and 'data-testid="accept-form"' in page
    refused = client.post(report_url(world, "return/"), {"reason": ""})
    assert "请填写退回理由。" in refused.content.decode()
    client.post(report_url(world, "return/"), {"reason": "请补充数据"})
    assert StageReport.objects.get(pk=world["report"].pk).state == ReportState.RETURNED
    client.force_login(world["lead"])
    page = client.get(report_url(world)).content.decode()
    assert "请补充数据" in page and 'data-testid="report-form"' in page and "完成样机0" in page


def test_the_hub_section_lists_reports_with_overdue_flags_and_changes(world):
    project = world["project"]
    StageReport.objects.create(project=project, stage=2, goal="完成验证", due_date=timezone.localdate()
                               - datetime.timedelta(days=2))
    reports.change_record(project=project, by=world["lead"], kind="route", description="改用干法工艺")
    request = RequestFactory().get("/")
    request.user = world["lead"]
    context = views_reports.section(request, project)
    assert [(row["report"].stage, row["overdue"]) for row in context["reports_rows"]] == [(1, False), (2, True)]
    assert context["reports_overdue_count"] == 1 and context["reports_can_change"]
    html = render_to_string("contracts/project/_reports.html", context)
    assert "已逾期" in html and "改用干法工艺" in html and context["reports_change_url"] in html
    assert not context["reports_overdue_url"]
    request.user = world["issuer"]
    assert not views_reports.section(request, project)["reports_can_change"]
    request.user = world["staff"]
    staff_context = views_reports.section(request, project)
    assert staff_context["reports_overdue_url"] in render_to_string("contracts/project/_reports.html", staff_context)


def test_recording_a_change_through_the_page_keeps_what_was_typed_when_refused(client, world):
    project = world["project"]
    client.force_login(world["lead"])
    url = reverse("contracts:change_new", args=[project.pk])
    data = form_data(client.get(url).content.decode(), "change-form")
    data.update({"kind": "budget", "description": "增加测试费", "to_testing": "30"})
    refused = client.post(url, data).content.decode()
    assert "不能改变财政补助总额" in refused and "增加测试费" in refused
    assert not SelfChange.objects.exists()
    data["to_equipment"] = str(Decimal(data["from_equipment"]) - 30)
    client.post(url, data)
    assert SelfChange.objects.get().details[1] == {"category": "testing", "from": "0.00", "to": "30.00"}


# --- permissions --------------------------------------------------------------------------------


def test_outsiders_get_404_and_parties_without_the_right_403(client, world):
    submit(world)
    project = world["project"]
    pages = [report_url(world), reverse("contracts:change_new", args=[project.pk])]
    for who in ("stranger", "other_staff"):
        client.force_login(world[who])
        for url in pages:
            assert client.get(url).status_code == 404
        assert client.post(report_url(world, "accept/")).status_code == 404
    client.force_login(world["issuer"])
    assert client.get(reverse("contracts:change_new", args=[project.pk])).status_code == 403
    client.logout()
    assert client.get(report_url(world)).status_code == 302


def test_the_issuer_cannot_submit_and_the_lead_cannot_accept(client, world):
    client.force_login(world["issuer"])
    data = {f"progress_{k}": v for k, v in progress_for(world["project"]).items()} | {"spending": "1"}
    assert client.post(report_url(world), data).status_code == 403
    assert StageReport.objects.get(pk=world["report"].pk).state == ReportState.DUE
    submit(world)
    client.force_login(world["lead"])
    assert client.post(report_url(world, "accept/")).status_code == 403
    assert client.post(report_url(world, "return/"), {"reason": "x"}).status_code == 403
    assert client.post(report_url(world, "comment/"), {"comment": "x"}).status_code == 403
    report = StageReport.objects.get(pk=world["report"].pk)
    assert report.state == ReportState.SUBMITTED and report.enterprise_comment == ""
    for action in ("accept/", "return/", "comment/"):
        assert client.get(report_url(world, action)).status_code == 405


def test_a_replayed_post_is_refused_and_changes_nothing(client, world):
    submit(world)
    client.force_login(world["staff"])
    client.post(report_url(world, "accept/"))
    before = StageReport.objects.get(pk=world["report"].pk)
    logged = ActivityLog.objects.count()
    again = client.post(report_url(world, "accept/"), follow=True)
    assert "该阶段报告已通过，不能再审核。" in again.content.decode()
    after = StageReport.objects.get(pk=world["report"].pk)
    assert (after.state, after.decided_at) == (ReportState.ACCEPTED, before.decided_at)
    assert ActivityLog.objects.count() == logged
    client.force_login(world["lead"])
    data = {f"progress_{k}": "重放" for k in progress_for(world["project"])} | {"spending": "99"}
    replay = client.post(report_url(world), data, follow=True)
    assert "不能重复提交或修改" in replay.content.decode()
    assert StageReport.objects.get(pk=world["report"].pk).spending == Decimal("12.50")


# --- the overdue page ---------------------------------------------------------------------------


def _overdue(project, count):
    past = timezone.localdate() - datetime.timedelta(days=3)
    StageReport.objects.filter(project=project).update(due_date=past)
    for stage in range(2, count + 1):
        StageReport.objects.create(project=project, stage=stage, goal=f"目标{stage}", due_date=past)


def test_the_overdue_page_lists_the_organisers_overdue_reports(client, world):
    _overdue(world["project"], 2)
    url = reverse("contracts:reports_overdue")
    client.force_login(world["staff"])
    page = client.get(url).content.decode()
    assert page.count('data-testid="overdue-') == 3  # the table and its two rows
    assert "3天" in page and world["project"].project_number in page
    assert "目标2" not in client.get(url, {"q": "无此项目"}).content.decode()
    client.force_login(world["other_staff"])
    assert "暂无逾期报告" in client.get(url).content.decode()
    client.force_login(world["lead"])
    assert client.get(url).status_code == 403


def test_the_overdue_page_query_count_does_not_grow_with_its_rows(client, world):
    url = reverse("contracts:reports_overdue")
    client.force_login(world["staff"])
    counts = []
    for size in (1, 5):
        _overdue(world["project"], size)
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.content.decode().count('data-testid="overdue-') == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("junk", ["99999999999999999999999", "-1", "abc", "1\x00", "<script>alert(1)</script>"])
def test_the_overdue_page_takes_junk_parameters(client, world, junk):
    client.force_login(world["staff"])
    page = client.get(reverse("contracts:reports_overdue"), {"q": junk, "page": junk})
    assert page.status_code == 200 and "<script>alert(1)" not in page.content.decode()


def test_impossible_ids_in_the_address_are_404(client, world):
    client.force_login(world["lead"])
    huge = 99999999999999999999
    for url in (f"/task-books/projects/{huge}/reports/1/", f"/task-books/projects/{world['project'].pk}/reports/{huge}/",
                f"/task-books/projects/{world['project'].pk}/reports/1/files/{huge}/"):
        assert client.get(url).status_code == 404
