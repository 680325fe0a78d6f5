"""Acceptance judged by the issuing enterprise (issue 13, section 4)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreditRecord
from applications import services as application_services
from contracts import acceptance as svc
from contracts.enums import AcceptanceOutcome, ProjectState
from contracts.models import (
    Acceptance,
    Disbursement,
    FieldTest,
    Project,
    ProjectFile,
    TaskBook,
)
from core.exceptions import DomainError

from ..factories import make_bang_list
from .execution_helpers import PNG, issuer_user, other_unit_applicant, pdf_upload
from .formpost import form_data
from .helpers import lead_user, project_in_force

pytestmark = pytest.mark.django_db


def passed_midterm(staff):
    """A project in progress whose mid-term review said continue (acceptance comes after it)."""
    from contracts import midterm
    from contracts.enums import MidtermOutcome

    project = project_in_force(staff)
    midterm.midterm_decide(project, staff, MidtermOutcome.CONTINUE, "进展符合任务书")
    project.refresh_from_db()
    return project


def test_acceptance_waits_for_the_midterm_review(organiser_staff):
    project = project_in_force(organiser_staff)
    with pytest.raises(DomainError, match="中期评估"):
        svc.acceptance_apply(project, lead_user(project.task_book), field_tests(project), "完成", early=True)
    from contracts.models import Acceptance
    assert not Acceptance.objects.filter(project=project).exists()


def field_tests(project, **override):
    today = timezone.localdate()
    return {row["key"]: {"measured": "5.3", "method": "第三方台架测试", "place": "包头检测中心", "tested_on": today,
                         "report": pdf_upload(salt=row["key"]), **override}
            for row in svc.indicators(project)}


def applied(staff, early=True):
    project = passed_midterm(staff)
    lead = lead_user(project.task_book)
    acceptance = svc.acceptance_apply(project, lead, field_tests(project), "全部指标完成", early=early)
    return project, acceptance


def judged(staff, verdict="met"):
    project, acceptance = applied(staff)
    issuer = issuer_user(project)
    verdicts = {t.key: {"verdict": verdict, "comment": "符合" if verdict == "met" else "差距较大"}
                for t in acceptance.tests.all()}
    svc.acceptance_judge(acceptance, issuer, verdicts, verdict, "总体意见")
    acceptance.refresh_from_db()
    return project, acceptance


def end_period(project, days_ago=1):
    content = project.task_book.content
    content["project"]["end"] = (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()
    TaskBook.objects.filter(pk=project.task_book_id).update(content=content)
    project.task_book.refresh_from_db()


# --- applying --------------------------------------------------------------------------------------


def test_lead_applies_early_with_a_field_test_per_indicator(organiser_staff):
    project, acceptance = applied(organiser_staff)
    project.refresh_from_db()
    assert project.state == ProjectState.ACCEPTANCE and acceptance.early
    rows = list(acceptance.tests.all())
    assert [r.key for r in rows] == [i["key"] for i in svc.indicators(project)]
    assert rows and all(r.report.purpose == "field_test" and r.measured == "5.3" for r in rows)


def test_before_the_end_applying_needs_early(organiser_staff):
    project = passed_midterm(organiser_staff)
    lead = lead_user(project.task_book)
    with pytest.raises(DomainError, match="提前申请"):
        svc.acceptance_apply(project, lead, field_tests(project), "完成")
    end_period(project)
    svc.acceptance_apply(project, lead, field_tests(project), "完成")
    assert Acceptance.objects.get(project=project).early is False


def test_field_tests_are_complete_and_reports_checked_by_content(organiser_staff):
    project = passed_midterm(organiser_staff)
    lead = lead_user(project.task_book)
    key = svc.indicators(project)[0]["key"]
    bad = field_tests(project, measured="", report=SimpleUploadedFile("fake.pdf", b"MZ not a pdf at all"))
    with pytest.raises(ValidationError) as error:
        svc.acceptance_apply(project, lead, bad, "", early=True)
    problems = error.value.message_dict
    assert {f"{key}__measured", f"{key}__report", "summary"} <= set(problems)
    assert "不是允许的格式" in problems[f"{key}__report"][0]
    future = field_tests(project, tested_on=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        svc.acceptance_apply(project, lead, future, "完成", early=True)
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS and not Acceptance.objects.exists()
    assert not ProjectFile.objects.exists()


def test_only_the_lead_applies_and_only_once(organiser_staff, other_organiser_staff):
    project = passed_midterm(organiser_staff)
    for user in (organiser_staff, issuer_user(project), other_unit_applicant()):
        with pytest.raises(DomainError, match="无权"):
            svc.acceptance_apply(project, user, field_tests(project), "完成", early=True)
    lead = lead_user(project.task_book)
    svc.acceptance_apply(project, lead, field_tests(project), "完成", early=True)
    with pytest.raises(DomainError, match="重复申请"):
        svc.acceptance_apply(project, lead, field_tests(project), "再来", early=True)
    assert FieldTest.objects.count() == len(svc.indicators(project))


# --- verdict and outcome ------------------------------------------------------------------------------


def test_the_enterprise_judges_once(organiser_staff):
    project, acceptance = applied(organiser_staff)
    issuer = issuer_user(project)
    with pytest.raises(ValidationError) as error:
        svc.acceptance_judge(acceptance, issuer, {}, "met", "")
    assert "comment" in error.value.message_dict
    with pytest.raises(DomainError, match="无权"):
        svc.acceptance_judge(acceptance, organiser_staff, {}, "met", "意见")
    verdicts = {t.key: {"verdict": "met", "comment": "达到"} for t in acceptance.tests.all()}
    svc.acceptance_judge(acceptance, issuer, verdicts, "met", "同意通过")
    with pytest.raises(DomainError, match="不能更改"):
        svc.acceptance_judge(acceptance, issuer, {k: {"verdict": "not_met", "comment": "x"} for k in verdicts},
                             "not_met", "反悔")
    acceptance.refresh_from_db()
    assert acceptance.verdict == "met" and set(acceptance.tests.values_list("verdict", flat=True)) == {"met"}


def test_staff_wait_for_the_verdict(organiser_staff):
    _project, acceptance = applied(organiser_staff)
    with pytest.raises(DomainError, match="尚未评价"):
        svc.acceptance_decide(acceptance, organiser_staff, "passed", "通过")


def test_passed_issues_a_certificate_that_verifies(client, organiser_staff):
    project, acceptance = judged(organiser_staff, "met")
    with pytest.raises(ValidationError, match="应为通过"):
        svc.acceptance_decide(acceptance, organiser_staff, "failed", "不行")
    svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.PASSED, "发榜企业评价达到")
    acceptance.refresh_from_db()
    project.refresh_from_db()
    assert project.state == ProjectState.PASSED and project.closed_at is not None
    assert not CreditRecord.objects.exists() and project.refund_due == 0
    assert acceptance.content["outcome"] == "passed"
    assert acceptance.content["indicators"][0]["measured"] == "5.3"
    data = acceptance.pdf.read()
    assert data.startswith(b"%PDF") and acceptance.fingerprint.encode() in data  # the metadata keywords
    from contracts.fingerprint import fingerprint

    assert fingerprint(acceptance.content) == acceptance.fingerprint
    page = client.get(reverse("verify:verify"), {"fp": acceptance.fingerprint}).content.decode()
    assert "这是本平台签发的项目验收结论书" in page and project.project_number in page and "通过" in page
    assert "5.3" not in page and "包头检测中心" not in page  # nothing confidential
    upload = SimpleUploadedFile("c.pdf", data, content_type="application/pdf")
    page = client.post(reverse("verify:verify"), {"file": upload}).content.decode()
    assert "完全一致" in page and project.project_number in page
    tampered = SimpleUploadedFile("c.pdf", data + b"\n% changed\n", content_type="application/pdf")
    page = client.post(reverse("verify:verify"), {"file": tampered}).content.decode()
    assert "不一致" in page and project.project_number in page


def test_the_certificate_text_carries_the_fingerprint(organiser_staff):
    import io

    from pypdf import PdfReader

    _project, acceptance = judged(organiser_staff, "met")
    svc.acceptance_decide(acceptance, organiser_staff, "passed", "通过")
    acceptance.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(acceptance.pdf.read())).pages)
    assert acceptance.fingerprint in re.sub(r"\s", "", text)


def test_passed_is_refused_against_a_not_met_verdict(organiser_staff):
    project, acceptance = judged(organiser_staff, "not_met")
    with pytest.raises(ValidationError, match="不能记录为通过"):
        svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.PASSED, "想通过")
    project.refresh_from_db()
    assert project.state == ProjectState.ACCEPTANCE and not Acceptance.objects.get(pk=acceptance.pk).outcome


def test_failed_records_refund_credit_and_bars_the_lead(client, organiser_staff):
    project, acceptance = judged(organiser_staff, "not_met")
    Disbursement.objects.create(project=project, amount=Decimal("90.00"), paid_on=timezone.localdate(),
                                document_number="拨1", recorded_by=organiser_staff)
    svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.FAILED, "指标未达到", spent="70.00")
    project.refresh_from_db()
    assert project.state == ProjectState.FAILED and project.refund_due == Decimal("20.00")
    record = CreditRecord.objects.get()
    years = project.task_book.content["order"]["bar_years"]
    assert record.organisation_id == project.award.application.lead_id
    assert record.source == project.project_number
    assert record.barred_until == timezone.localdate().replace(year=timezone.localdate().year + years)
    # The lead's user cannot lead an application on an open bang, and is told why.
    lead = lead_user(project.task_book)
    bang = make_bang_list(by=organiser_staff).bangs.get()
    refusal = application_services.application_start_refusal(bang=bang, user=lead)
    assert refusal and project.project_number in refusal and record.barred_until.isoformat() in refusal
    with pytest.raises(DomainError):
        application_services.application_start(bang=bang, by=lead)
    client.force_login(lead)
    page = client.post(reverse("applications:start", args=[bang.pk]), follow=True).content.decode()
    assert project.project_number in page and "不能牵头申报" in page
    # Staff see the record on the unit.
    from accounts.enums import Role

    from ..factories import UserFactory

    admin = UserFactory(organisation=organiser_staff.organisation, roles=[Role.STAFF], is_staff=True)
    client.force_login(admin)
    unit = client.get(reverse("accounts:unit_manage", args=[record.organisation_id]))
    assert unit.status_code == 200
    assert "信用记录" in unit.content.decode() and project.project_number in unit.content.decode()


def test_tolerance_needs_evidence_and_a_reason(organiser_staff):
    project, acceptance = judged(organiser_staff, "not_met")
    with pytest.raises(ValidationError) as error:
        svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.TOLERATED, "")
    assert {"evidence", "reason"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.TOLERATED, "探索性研究",
                              evidence=SimpleUploadedFile("r.pdf", b"not a pdf"))
    assert "evidence" in error.value.message_dict
    svc.acceptance_decide(acceptance, organiser_staff, AcceptanceOutcome.TOLERATED, "探索性研究，记录完整",
                          evidence=pdf_upload("records.pdf", "records"))
    project.refresh_from_db()
    assert project.state == ProjectState.TOLERATED and project.refund_due == 0
    assert not CreditRecord.objects.exists()
    assert ProjectFile.objects.filter(project=project, purpose="tolerance").count() == 1
    lead = lead_user(project.task_book)
    bang = make_bang_list(by=organiser_staff).bangs.get()
    assert application_services.application_start_refusal(bang=bang, user=lead) is None


def test_outcome_once_and_only_by_the_organisers_staff(organiser_staff, other_organiser_staff):
    project, acceptance = judged(organiser_staff, "met")
    for user in (other_organiser_staff, lead_user(project.task_book), issuer_user(project)):
        with pytest.raises(DomainError, match="无权"):
            svc.acceptance_decide(acceptance, user, "passed", "越权")
    svc.acceptance_decide(acceptance, organiser_staff, "passed", "通过")
    with pytest.raises(DomainError, match="不能更改"):
        svc.acceptance_decide(acceptance, organiser_staff, "failed", "重放")
    assert Project.objects.get(pk=project.pk).state == ProjectState.PASSED


# --- pages ----------------------------------------------------------------------------------------


def test_apply_judge_decide_through_the_pages(client, organiser_staff):
    project = passed_midterm(organiser_staff)
    lead, issuer = lead_user(project.task_book), issuer_user(project)
    client.force_login(lead)
    url = reverse("contracts:acceptance_apply", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), "apply-form")
    rows = svc.indicators(project)
    data.update(summary="全部完成", early="on")
    for row in rows:
        data.update({f"{row['key']}__measured": "5.3", f"{row['key']}__place": "检测中心", f"{row['key']}__method": "台架",
                     f"{row['key']}__tested_on": timezone.localdate().isoformat(),
                     f"{row['key']}__report": SimpleUploadedFile("r.png", PNG + row["key"].encode())})
    response = client.post(url, data, follow=True)
    assert "已申请验收" in response.content.decode()
    assert client.post(url, data).status_code == 302  # a replay: refused, nothing more
    assert Acceptance.objects.count() == 1 and FieldTest.objects.count() == len(rows)

    test = FieldTest.objects.select_related("report").first()
    file_url = reverse("contracts:acceptance_file", args=[project.pk, test.report_id])
    assert client.get(file_url).status_code == 200
    client.force_login(other_unit_applicant())
    assert client.get(file_url).status_code == 404

    client.force_login(issuer)
    url = reverse("contracts:acceptance_judge", args=[project.pk])
    data = form_data(client.get(url).content.decode(), "judge-form")
    data.update(verdict="met", comment="同意")
    for row in rows:
        data.update({f"{row['key']}__verdict": "met", f"{row['key']}__comment": "达到"})
    assert "评价已提交" in client.post(url, data, follow=True).content.decode()
    client.post(url, {**data, "verdict": "not_met"})
    assert Acceptance.objects.get().verdict == "met"

    client.force_login(organiser_staff)
    url = reverse("contracts:acceptance_decide", args=[project.pk])
    bad = client.post(url, {"outcome": "passed", "reason": ""})
    assert bad.status_code == 200 and "此项为必填项" in bad.content.decode()
    response = client.post(url, {"outcome": "passed", "reason": "企业评价达到"}, follow=True)
    html = response.content.decode()
    assert "验收结论书已签发" in html and "下载验收结论书" in html
    client.post(url, {"outcome": "failed", "reason": "重放"})
    assert Acceptance.objects.get().outcome == "passed"
    certificate = client.get(reverse("contracts:acceptance_certificate", args=[project.pk]))
    assert certificate.status_code == 200 and certificate["Content-Type"] == "application/pdf"


def test_pages_permission_matrix(client, organiser_staff, other_organiser_staff):
    project, acceptance = applied(organiser_staff)
    lead, issuer = lead_user(project.task_book), issuer_user(project)
    pages = {
        "acceptance_judge": issuer,
        "acceptance_decide": organiser_staff,
        "acceptance_apply": lead,
    }
    for name, allowed in pages.items():
        url = reverse(f"contracts:{name}", args=[project.pk])
        for user in (other_unit_applicant(), other_organiser_staff):
            client.force_login(user)
            assert client.get(url).status_code == 404
            assert client.post(url, {"outcome": "passed", "reason": "x", "verdict": "met"}).status_code == 404
        for user in (lead, issuer, organiser_staff):
            if user is allowed:
                continue
            client.force_login(user)
            assert client.get(url).status_code == 403, (name, user)
            assert client.post(url, {"outcome": "passed", "reason": "x", "verdict": "met"}).status_code == 403
    client.force_login(other_unit_applicant())
    assert client.get(reverse("contracts:acceptance_certificate", args=[project.pk])).status_code == 404
    acceptance.refresh_from_db()
    assert not acceptance.verdict and not acceptance.outcome


def test_section_shows_who_can_act(client, organiser_staff):
    project, _acceptance = applied(organiser_staff)
    url = reverse("contracts:acceptance_section", args=[project.pk])
    client.force_login(issuer_user(project))
    html = client.get(url).content.decode()
    assert 'data-testid="judge-link"' in html and 'data-testid="decide-link"' not in html
    client.force_login(organiser_staff)
    html = client.get(url).content.decode()
    assert 'data-testid="judge-link"' not in html and "待发榜企业评价" in html
