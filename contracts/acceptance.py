"""Acceptance (验收), judged by the issuing enterprise (issue 13, section 4).

1. The lead applies when the task book's period has ended, or early (explicitly), with a field test
   (实测) per indicator of the task book in force: measured value, method, place, date and a
   third-party test report (PDF/JPG/PNG, checked by content).
2. The issuing enterprise judges each indicator (met / not met, with a comment) and gives the
   overall verdict, once. Its verdict decides ("以成败论英雄").
3. Staff record the outcome: passed (only on a met verdict), failed, or failed with tolerance (容错:
   the team's original research records as evidence of diligence and a reasoned decision, under the
   tolerance clause of the Science and Technology Progress Law). Failed without tolerance records the
   refund due and a credit record on the lead unit that bars it from leading new applications for the
   military order's years.
4. The outcome is issued as an acceptance certificate (验收结论书): content JSON, fingerprint, signed
   PDF, verifiable on /verify/ like the task book.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CreditRecord, User
from core.exceptions import DomainError
from core.files import prepare_upload, upload_sha256
from core.services import activity_record, state_transition
from notifications.services import notification_send

from . import subsidy as money_rules
from .enums import PROJECT_TRANSITIONS, AcceptanceOutcome, ProjectState, Verdict
from .fingerprint import fingerprint
from .midterm import LABELS, add_years, amount
from .models import Acceptance, FieldTest, Project, ProjectFile
from .projects import (
    disbursed_total,
    issuer_users,
    lead_users,
    lock_project,
    project_url,
    raise_problems,
    require,
    staff_users,
)

REPORT_TYPES = ("pdf", "jpg", "png")
EVIDENCE_TYPES = ("pdf", "jpg", "png")
SCHEMA = "jiebang-acceptance-certificate/1"
OUTCOME_STATES = {AcceptanceOutcome.PASSED: ProjectState.PASSED, AcceptanceOutcome.FAILED: ProjectState.FAILED,
                  AcceptanceOutcome.TOLERATED: ProjectState.TOLERATED}


def indicators(project: Project) -> list[dict]:
    """The indicators of the task book in force, each with a usable key."""
    rows = []
    for i, row in enumerate(project.task_book.content.get("indicators", [])):
        rows.append({"key": str(row.get("key") or f"i{i + 1}"), "name": row.get("name", ""),
                     "target": str(row.get("target", "")), "unit": row.get("unit", ""),
                     "test_method": row.get("test_method", "")})
    return rows


def period_end(project: Project) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(project.task_book.content.get("project", {}).get("end", ""))
    except (TypeError, ValueError):
        return None




def _store(upload, allowed, field: str, problems: dict):
    """Check an upload by content; returns (upload, shown name) or records the problem."""
    if upload is None:
        problems[field] = [_("请上传文件。")]
        return None
    try:
        name, _extension = prepare_upload(upload, allowed=allowed)
    except ValidationError as error:
        problems[field] = error.messages
        return None
    return upload, name


def _save_file(project: Project, prepared, purpose: str, by: User) -> ProjectFile:
    upload, name = prepared
    digest = upload_sha256(upload)
    row = ProjectFile(project=project, purpose=purpose, name=name[:200], sha256=digest, uploaded_by=by)
    row.file.save(upload.name, upload, save=False)
    row.save()
    return row


# --- 1. applying ----------------------------------------------------------------------------------


@transaction.atomic
def acceptance_apply(project: Project, by: User, tests: dict, summary: str, early: bool = False) -> Acceptance:
    """The lead applies, with one field test per indicator: tests = {key: {"measured", "method",
    "place", "tested_on" (date), "report" (upload)}}. Errors are keyed "<key>__<field>"."""
    project = lock_project(project)
    require(by, "contracts.project_lead", project)
    if Acceptance.objects.filter(project=project).exists():
        raise DomainError(_("已申请验收，不能重复申请。"))
    if project.state != ProjectState.IN_PROGRESS:
        raise DomainError(_("项目当前状态为“%(state)s”，不能申请验收。") % {"state": project.get_state_display()})
    if project.midterm_passed_at is None:
        # Every project has a mid-term review; applying first would lock its tranche for good.
        raise DomainError(_("项目尚未通过中期评估，不能申请验收。"))
    today = timezone.localdate()
    from .funds import project_start

    start = project_start(project)
    end = period_end(project)
    if not early and end is not None and today <= end:
        raise DomainError(_("实施期至%(end)s结束，尚未期满。如需提前验收，请勾选“提前申请验收”。") % {"end": end.isoformat()})
    problems: dict = {}
    summary = (summary or "").strip()
    if not summary:
        problems["summary"] = [_("请填写项目完成情况。")]
    rows = indicators(project)
    if not rows:
        raise DomainError(_("现行任务书没有考核指标，无法申请验收。"))
    tests = tests or {}
    prepared = {}
    for row in rows:
        data = tests.get(row["key"]) or {}
        key = row["key"]
        for field, message in (("measured", _("请填写实测值。")), ("method", _("请填写测试方法。")),
                               ("place", _("请填写测试地点。"))):
            if not str(data.get(field) or "").strip():
                problems[f"{key}__{field}"] = [message]
        tested_on = data.get("tested_on")
        if not isinstance(tested_on, datetime.date):
            problems[f"{key}__tested_on"] = [_("请填写测试日期。")]
        elif tested_on > today:
            problems[f"{key}__tested_on"] = [_("测试日期不能晚于今天。")]
        elif tested_on < start:
            problems[f"{key}__tested_on"] = [_("测试日期不能早于项目开始日期（%(date)s）。") % {"date": start.isoformat()}]
        prepared[key] = _store(data.get("report"), REPORT_TYPES, f"{key}__report", problems)
    raise_problems(problems)
    acceptance = Acceptance.objects.create(project=project, applied_by=by, applied_at=timezone.now(),
                                           early=bool(early), summary=summary)
    for order, row in enumerate(rows):
        data = tests[row["key"]]
        report = _save_file(project, prepared[row["key"]], "field_test", by)
        FieldTest.objects.create(
            acceptance=acceptance, key=row["key"][:20], name=row["name"][:200], target=row["target"][:100],
            measured=str(data["measured"]).strip()[:100], method=str(data["method"]).strip()[:300],
            place=str(data["place"]).strip()[:200], tested_on=data["tested_on"], report=report, order=order)
    state_transition(obj=project, to=ProjectState.ACCEPTANCE, by=by, table=PROJECT_TRANSITIONS,
                     action=_("申请提前验收") if early else _("申请验收"), labels=LABELS,
                     note=_("实测指标%(n)d项。") % {"n": len(rows)})
    notification_send(
        recipients=issuer_users(project) + staff_users(project),
        event_key=f"project:{project.pk}:acceptance:applied",
        title=_("项目%(number)s已申请验收，请发榜企业评价") % {"number": project.project_number},
        body=summary[:500], url=project_url(project))
    return acceptance


def _lock_acceptance(acceptance: Acceptance) -> tuple[Acceptance, Project]:
    acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    project = lock_project(acceptance.project)
    acceptance.project = project
    return acceptance, project


# --- 2. the issuing enterprise's verdict ------------------------------------------------------------


@transaction.atomic
def acceptance_judge(acceptance: Acceptance, by: User, verdicts: dict, verdict: str, comment: str) -> Acceptance:
    """verdicts = {key: {"verdict": "met"|"not_met", "comment": str}} for every field test, and the
    overall verdict with its comment. Once."""
    acceptance, project = _lock_acceptance(acceptance)
    require(by, "contracts.project_issuer", project)
    if acceptance.verdict:
        raise DomainError(_("发榜企业已于%(when)s作出评价，不能更改。") % {
            "when": timezone.localtime(acceptance.judged_at).strftime("%Y-%m-%d %H:%M")})
    if project.state != ProjectState.ACCEPTANCE:
        raise DomainError(_("项目当前状态为“%(state)s”，不能评价。") % {"state": project.get_state_display()})
    problems: dict = {}
    tests = list(acceptance.tests.all())
    verdicts = verdicts or {}
    for test in tests:
        data = verdicts.get(test.key) or {}
        if data.get("verdict") not in Verdict.values:
            problems[f"{test.key}__verdict"] = [_("请选择是否达到。")]
        if not str(data.get("comment") or "").strip():
            problems[f"{test.key}__comment"] = [_("请填写评价意见。")]
    if verdict not in Verdict.values:
        problems["verdict"] = [_("请选择总体评价。")]
    comment = (comment or "").strip()
    if not comment:
        problems["comment"] = [_("请填写总体评价意见。")]
    raise_problems(problems)
    for test in tests:
        test.verdict = verdicts[test.key]["verdict"]
        test.comment = str(verdicts[test.key]["comment"]).strip()
        test.save(update_fields=["verdict", "comment"])
    acceptance.verdict, acceptance.verdict_comment = verdict, comment
    acceptance.judged_by, acceptance.judged_at = by, timezone.now()
    acceptance.save(update_fields=["verdict", "verdict_comment", "judged_by", "judged_at"])
    label = Verdict(verdict).label
    activity_record(target=project, by=by, action=_("发榜企业验收评价：%(verdict)s") % {"verdict": label}, note=comment)
    notification_send(
        recipients=staff_users(project) + lead_users(project),
        event_key=f"project:{project.pk}:acceptance:judged",
        title=_("发榜企业已评价项目%(number)s：%(verdict)s") % {"number": project.project_number, "verdict": label},
        body=comment[:500], url=project_url(project))
    return acceptance


# --- 3. the outcome -------------------------------------------------------------------------------


def _bar_years(project: Project) -> int:
    try:
        years = int(project.task_book.content.get("order", {}).get("bar_years"))
    except (TypeError, ValueError):
        years = settings.MILITARY_ORDER_BAR_YEARS
    return years if years > 0 else settings.MILITARY_ORDER_BAR_YEARS


@transaction.atomic
def acceptance_decide(acceptance: Acceptance, by: User, outcome: str, reason: str, evidence=None,
                      spent=None) -> Acceptance:
    """Staff record the outcome after the enterprise's verdict, and issue the certificate."""
    acceptance, project = _lock_acceptance(acceptance)
    require(by, "contracts.project_manage", project)
    if acceptance.outcome:
        raise DomainError(_("验收结论已记录，不能更改。"))
    if project.state != ProjectState.ACCEPTANCE:
        raise DomainError(_("项目当前状态为“%(state)s”，不能记录验收结论。") % {"state": project.get_state_display()})
    if not acceptance.verdict:
        raise DomainError(_("发榜企业尚未评价，不能记录验收结论。"))
    if outcome not in AcceptanceOutcome.values:
        raise ValidationError({"outcome": [_("请选择验收结论。")]})
    if outcome == AcceptanceOutcome.PASSED and acceptance.verdict != Verdict.MET:
        raise ValidationError({"outcome": [_("发榜企业的总体评价为“未达到”，不能记录为通过。")]})
    if outcome != AcceptanceOutcome.PASSED and acceptance.verdict == Verdict.MET:
        raise ValidationError({"outcome": [_("发榜企业的总体评价为“达到”，验收结论应为通过。")]})
    problems: dict = {}
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = [_("请填写结论说明。") if outcome != AcceptanceOutcome.TOLERATED
                              else _("容错认定须说明理由：探索性、高风险的研究，原始记录证明已尽责。")]
    prepared = None
    if outcome == AcceptanceOutcome.TOLERATED:
        if evidence is None:
            problems["evidence"] = [_("容错认定须上传团队的原始研究记录，证明已勤勉尽责。")]
        else:
            prepared = _store(evidence, EVIDENCE_TYPES, "evidence", problems)
    spent_value = amount(spent, "spent", required=False) if outcome == AcceptanceOutcome.FAILED else None
    raise_problems(problems)
    now = timezone.now()
    today = timezone.localdate(now)
    fields = {"closed_at": now}
    note = reason
    if prepared is not None:
        evidence_row = _save_file(project, prepared, "tolerance", by)
        note += _("（原始研究记录：%(name)s，SHA-256：%(sha)s）") % {"name": evidence_row.name, "sha": evidence_row.sha256}
    if outcome == AcceptanceOutcome.FAILED:
        refund = money_rules.refund_due(disbursed_total=disbursed_total(project), spent=spent_value)
        fields["refund_due"] = refund
        years = _bar_years(project)
        record = CreditRecord.objects.create(
            organisation_id=project.award.application.lead_id,
            reason=_("“揭榜挂帅”项目验收未通过（未予容错，军令状约定限制牵头申报%(years)d年）") % {"years": years},
            source=project.project_number, barred_until=add_years(today, years), created_by=by, created_at=now)
        note += _("；应退回财政资金%(refund)s万元；限制牵头申报至%(until)s。") % {
            "refund": refund, "until": record.barred_until.isoformat()}
    acceptance.outcome, acceptance.outcome_reason = outcome, reason
    acceptance.decided_by, acceptance.decided_at = by, now
    label = AcceptanceOutcome(outcome).label
    state_transition(obj=project, to=OUTCOME_STATES[outcome], by=by, table=PROJECT_TRANSITIONS,
                     action=_("验收结论：%(outcome)s") % {"outcome": label}, note=note, labels=LABELS, fields=fields)
    _certificate(acceptance, project)
    acceptance.save()
    notification_send(
        recipients=lead_users(project) + issuer_users(project),
        event_key=f"project:{project.pk}:acceptance:decided",
        title=_("项目%(number)s验收结论：%(outcome)s") % {"number": project.project_number, "outcome": label},
        body=reason[:500], url=project_url(project))
    return acceptance


# --- 4. the certificate ----------------------------------------------------------------------------


def certificate_content(acceptance: Acceptance, project: Project) -> dict:
    content = project.task_book.content
    info = content.get("project", {})
    parties = content.get("parties", {})
    tests = list(acceptance.tests.all())
    return {
        "schema": SCHEMA,
        "project": {"number": project.project_number, "name": info.get("name", ""), "list": info.get("list", ""),
                    "bang_number": info.get("bang_number", ""), "bang_title": info.get("bang_title", ""),
                    "route": info.get("route", ""), "start": info.get("start", ""), "end": info.get("end", "")},
        "task_book": {"revision": project.task_book.revision, "fingerprint": project.task_book.fingerprint},
        "parties": {"organiser": {"name": parties.get("organiser", {}).get("name", ""),
                                  "credit_code": parties.get("organiser", {}).get("credit_code", "")},
                    "lead": {"name": parties.get("lead", {}).get("name", ""),
                             "credit_code": parties.get("lead", {}).get("credit_code", "")},
                    "issuers": [{"name": o.get("name", ""), "credit_code": o.get("credit_code", "")}
                                for o in parties.get("issuers", [])]},
        "indicators": [{"key": t.key, "name": t.name, "target": t.target, "measured": t.measured, "method": t.method,
                        "place": t.place, "tested_on": t.tested_on.isoformat(), "verdict": t.verdict,
                        "comment": t.comment} for t in tests],
        "early": acceptance.early,
        "verdict": {"verdict": acceptance.verdict, "comment": acceptance.verdict_comment,
                    "date": timezone.localdate(acceptance.judged_at).isoformat() if acceptance.judged_at else ""},
        "outcome": acceptance.outcome,
        "reason": acceptance.outcome_reason,
        "dates": {"applied": timezone.localdate(acceptance.applied_at).isoformat(),
                  "decided": timezone.localdate(acceptance.decided_at).isoformat()},
    }


def _certificate(acceptance: Acceptance, project: Project) -> None:
    from .certificate import render_certificate
    from .signing import sign_pdf

    acceptance.content = certificate_content(acceptance, project)
    acceptance.fingerprint = fingerprint(acceptance.content)
    data = sign_pdf(render_certificate(acceptance))
    acceptance.pdf.save(f"{project.project_number}-acceptance.pdf", ContentFile(data), save=False)
    acceptance.pdf_sha256 = hashlib.sha256(data).hexdigest()
