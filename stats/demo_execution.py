"""The 2021 first batch in execution (issue 13), recorded through the execution services so the
ledger, reports, mid-term and acceptance pages show real rows, with the past dates the services allow:

- the issuing enterprises' payments (2022 and 2023), confirmed by the lead units a few days later;
- the organiser's disbursements in 2023 and 2024, each what funds.subsidy_due allows on its date
  (30% of the previous year's confirmed arrivals, within the tranche plan);
- the stage reports due at the end of 2022 and 2023 filed and accepted (filed now, their due dates past);
- the mid-term review: the racehorse wind-power bang's second team (-014) terminated with its unspent
  subsidy to refund, the first team (-004) continuing, and the other teams here continuing too;
- acceptance: -002 passed and -003 failed with tolerance (容错), each with its signed certificate.

The batch's units have no accounts in the portal, so minimal ones are made (role granted, unusable
password: nobody signs in with them): `h2021_lead_<serial>` per lead unit, `h2021_issuer_<bang>` per
issuing enterprise. Called once, when load_demo_stats writes the batch.
"""

import datetime
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from accounts.models import RoleGrant, User
from contracts import acceptance as acceptance_services
from contracts import funds, midterm, reports
from contracts.enums import AcceptanceOutcome, MidtermOutcome, Verdict
from contracts.models import Project

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
_serial = itertools.count(1)

# serial -> the execution it gets. Every one of these has its payments, disbursements and first two reports.
IN_PROGRESS = (1, 4, 5, 13, 14)
PASSED, TOLERATED = 2, 3
TERMINATED, SURVIVOR = 14, 4  # the racehorse wind-power bang (bang 4): 大连理工大学 out, 哈尔滨工程大学 on

TERMINATE_REASON = ("中期评估专家组现场考核：该团队整机数字孪生路线的故障预警准确率实测值距考核指标差距较大，"
                    "剩余实施期内难以弥补；按赛马制择优支持另一团队继续攻关。")
CONTINUE_REASON = "中期评估：阶段目标按期完成，经费使用规范，继续支持。"


def _upload(name: str) -> SimpleUploadedFile:
    """A small PNG (distinct bytes each time: no two uploads share a fingerprint)."""
    return SimpleUploadedFile(name, PNG + f"demo-2021-{next(_serial)}".encode(), content_type="image/png")


def _user(username: str, org, role) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, full_name=f"{org.name}（演示）",
                                        organisation=org, email=f"{username}@example.com")
    RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _lead(project: Project) -> User:
    return _user(f"h2021_lead_{project.project_number[-3:]}", project.award.application.lead, Role.APPLICANT)


def _issuer(project: Project) -> User:
    bang = project.award.decision.bang
    return _user(f"h2021_issuer_{bang.number:02d}", bang.issuers.first(), Role.ENTERPRISE)


def _money(project: Project, staff: User, lead: User, issuer: User) -> None:
    """Two yearly enterprise payments (40% of its share each), confirmed; the subsidy due disbursed the year after."""
    share = project.award.investment - project.subsidy
    tranche = (share * Decimal("0.40")).quantize(Decimal("0.01"))
    for year in (2022, 2023):
        payment = funds.payment_record(project=project, by=issuer, amount=tranche, paid_on=datetime.date(year, 3, 15),
                                       receipt=_upload(f"银行回单{year}.png"))
        funds.payment_confirm(payment=payment, by=lead, arrived_on=datetime.date(year, 3, 18))
    for year in (2023, 2024):
        paid_on = datetime.date(year, 4, 20)
        due = funds.subsidy_due(project, on=paid_on).due
        if due > 0:
            funds.disbursement_record(project=project, by=staff, amount=due, paid_on=paid_on,
                                      document_number=f"内科发资〔{year}〕{project.project_number[-3:]}号")


def _reports(project: Project, staff: User, lead: User, issuer: User, stages: int) -> None:
    for report in project.reports.order_by("stage")[:stages]:
        progress = {row["key"]: f"{report.goal}：按计划完成，{row['name']}阶段实测结果已附。"
                    for row in reports.indicators_of(project)}
        spent = (project.award.investment * Decimal(report.stage) / Decimal(4)).quantize(Decimal("0.01"))
        reports.report_submit(report=report, by=lead, progress=progress, spending=spent,
                              problems="无重大问题。", files=[_upload(f"第{report.stage}阶段实测记录.png")])
        reports.report_comment(report=report, by=issuer, comment="同意报告所述进展，请按计划推进现场应用。")
        reports.report_accept(report=report, by=staff)


def _acceptance(project: Project, staff: User, lead: User, issuer: User, met: bool) -> None:
    end = acceptance_services.period_end(project)
    tested_on = datetime.date(2024, 12, 10)
    tests = {row["key"]: {"measured": "达到指标要求" if met else "达到指标要求的85%",
                          "method": row.get("test_method") or "第三方检测", "place": "发榜企业生产现场",
                          "tested_on": tested_on, "report": _upload(f"{row['name']}检测报告.png")}
             for row in acceptance_services.indicators(project)}
    applied = acceptance_services.acceptance_apply(
        project, lead, tests, summary="项目按任务书完成研究内容，现场实测数据附后，申请验收。",
        early=end is not None and end >= timezone.localdate())
    verdict = Verdict.MET if met else Verdict.NOT_MET
    verdicts = {key: {"verdict": verdict, "comment": "实测值达到考核指标。" if met else "实测值未达到考核指标。"}
                for key in tests}
    acceptance_services.acceptance_judge(
        applied, issuer, verdicts, verdict,
        "技术指标全部达到，已在我公司产线应用。" if met else "主要指标未达到，但团队探索路线对我公司后续攻关有参考价值。")
    if met:
        acceptance_services.acceptance_decide(applied, staff, AcceptanceOutcome.PASSED, "发榜企业评价全部指标达到，验收通过。")
    else:
        acceptance_services.acceptance_decide(
            applied, staff, AcceptanceOutcome.TOLERATED,
            "该项目属探索性、高风险研究，原始研究记录证明团队勤勉尽责，未达指标系技术路线本身的不确定性所致，依法予以容错。",
            evidence=_upload("原始研究记录.png"))


def load_demo_stats_execution(*, bang_list, staff: User) -> int:
    projects = {int(p.project_number[-3:]): p for p in
                Project.objects.filter(award__decision__bang__bang_list=bang_list)
                .select_related("award__application__lead", "award__decision__bang", "task_book")}
    done = 0
    for serial in (*IN_PROGRESS, PASSED, TOLERATED):
        project = projects[serial]
        lead, issuer = _lead(project), _issuer(project)
        _money(project, staff, lead, issuer)
        _reports(project, staff, lead, issuer, stages=3 if serial in (PASSED, TOLERATED) else 2)
        done += 1
    for serial in (*IN_PROGRESS, PASSED, TOLERATED):
        project = Project.objects.get(pk=projects[serial].pk)
        if serial == TERMINATED:
            spent = (funds.ledger(project).disbursed * Decimal("0.60")).quantize(Decimal("0.01"))
            midterm.midterm_decide(project, staff, MidtermOutcome.TERMINATE, TERMINATE_REASON, spent=spent)
        else:
            midterm.midterm_decide(project, staff, MidtermOutcome.CONTINUE, CONTINUE_REASON)
    for serial, met in ((PASSED, True), (TOLERATED, False)):
        project = Project.objects.get(pk=projects[serial].pk)
        _acceptance(project, staff, _lead(project), _issuer(project), met)
    return done
