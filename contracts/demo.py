"""Demo task books (issue 12) for the racehorse motor bang of the 2023 rare-earth list, whose two
awards notices/demo.py confirms (NMKJ-JBGS-<year>-001 and -002; which team gets which number follows
the confirmation, so the leads are looked up from the awards):

- the first (-001): drafted, filled in by its lead, finalised by the organiser's staff (`staff_rare`),
  sealed by all three parties (the lead, 包头长安永磁电机 as issuer with login `enterprise`, and
  内蒙古稀土新材料技术创新中心 as organiser with `staff_rare`) and so in force;
- the second (-002): finalised and sealed by its lead only, waiting for the issuer and the organiser
  (the ceremony page shows 已签 1 / 共 3).

The leads sign with the demo logins of their units: `applicant` (哈尔滨工业大学) and `imun`
(内蒙古民族大学). Everything goes through the services; the sealed scans are small PDFs made here.
Idempotent: an award that has a task book is left alone."""

import copy
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from bangs.models import BangList
from reviews.demo import RARE_EARTH
from reviews.enums import DecisionState
from reviews.models import Award

from . import content as rules_of
from . import services
from .enums import PartyKind
from .models import TaskBook

MOTOR = "高推力密度永磁同步直线电机研制"

# Who seals for each party in the demo: the demo login, and the title written on the signature.
LEADS = {"hit": "applicant", "imun": "imun"}
TITLES = {PartyKind.LEAD: "项目负责人（受法定代表人委托）", PartyKind.ISSUER: "法定代表人、总经理",
          PartyKind.ORGANISER: "主任"}
SIGNERS = {PartyKind.ISSUER: "enterprise", PartyKind.ORGANISER: "staff_rare"}


def _content(task_book: TaskBook, objectives: str) -> dict:
    """The draft as its lead completes it: budget and disbursement matching the subsidy, stages
    inside the period, every indicator at least the bang's target and the team's commitment."""
    content = copy.deepcopy(task_book.content)
    subsidy = task_book.award.subsidy
    equipment = (subsidy * Decimal("0.6")).quantize(rules_of.CENT, rounding=ROUND_HALF_UP)
    content["budget"] = [
        {"category": "equipment", "subsidy": str(equipment), "enterprise": "300.00", "self_raised": "80.00",
         "other": "0.00"},
        {"category": "testing", "subsidy": str(subsidy - equipment), "enterprise": "120.00", "self_raised": "40.00",
         "other": "0.00"},
    ]
    content["disbursement"] = rules_of.default_tranches(subsidy)
    start = datetime.date.fromisoformat(content["project"]["start"])
    end = datetime.date.fromisoformat(content["project"]["end"])
    content["schedule"] = [
        {"due_date": (start + datetime.timedelta(days=180)).isoformat(), "goal": "完成电磁方案设计与仿真优化",
         "indicator": ""},
        {"due_date": (start + datetime.timedelta(days=540)).isoformat(), "goal": "完成样机试制与台架测试",
         "indicator": ""},
        {"due_date": end.isoformat(), "goal": "在发榜企业产线完成整机实测，第三方出具测试报告", "indicator": ""},
    ]
    for row in content["indicators"]:
        row["target"] = row.get("committed") or row.get("bang_target") or row["target"]
    if not (content.get("objectives") or "").strip():
        content["objectives"] = objectives
    if not (content.get("route") or "").strip():
        content["route"] = task_book.award.route_label or objectives
    return content


def _scan(party, signer_name: str) -> SimpleUploadedFile:
    """The signature page with the unit's seal, as a scanned PDF would come back."""
    from core.pdf import html_to_pdf

    html = (f"<html><body><h1>任务书签署页</h1><p>{party.task_book.project_number} {party.task_book.project_name}</p>"
            f"<p>{party.get_kind_display()}：{party.name}（盖章）</p><p>签署人：{signer_name}</p></body></html>")
    return SimpleUploadedFile(f"{party.task_book.project_number}-{party.kind}.pdf", html_to_pdf(html),
                              content_type="application/pdf")


def _prepare(award: Award, *, staff, lead) -> TaskBook:
    """Draft, complete, confirm the indicators staff must confirm, finalise."""
    task_book = services.task_book_draft(award=award, by=staff)
    version = services.task_book_save(task_book=task_book, by=lead, content=_content(task_book, award.decision.bang.objectives),
                                      seen_version=1, note="补充经费预算和进度安排")
    task_book.refresh_from_db()
    for row in task_book.content["indicators"]:
        if rules_of.needs_confirmation(row):
            services.indicator_confirm(task_book=task_book, by=staff, key=row["key"])
    task_book.refresh_from_db()
    return services.task_book_finalise(task_book=task_book, by=staff, seen_version=version.number if version else 1)


def _sign(task_book: TaskBook, kinds, *, users: dict, lead) -> None:
    for party in task_book.parties.filter(kind__in=kinds).order_by("order"):
        user = lead if party.kind == PartyKind.LEAD else users[SIGNERS[party.kind]]
        services.task_book_sign(party=party, by=user, scan=_scan(party, user.full_name), signer_name=user.full_name,
                                signer_title=TITLES[party.kind])


def load_demo_contracts(*, users: dict, units: dict) -> int:
    bang_list = BangList.objects.filter(title=RARE_EARTH).first()
    if bang_list is None:
        return 0
    awards = list(Award.objects.filter(
        decision__bang__bang_list=bang_list, decision__bang__title=MOTOR, decision__state=DecisionState.CONFIRMED,
        project_number__isnull=False).select_related("application", "decision__bang").order_by("project_number"))
    lead_users = {units[key].pk: users[username] for key, username in LEADS.items()}
    staff = users["staff_rare"]
    created = 0
    everyone = (PartyKind.LEAD, PartyKind.ISSUER, PartyKind.ORGANISER)
    for award, kinds in zip(awards, (everyone, (PartyKind.LEAD,))):
        lead = lead_users.get(award.application.lead_id)
        if lead is None or TaskBook.objects.filter(award=award).exists():
            continue
        task_book = _prepare(award, staff=staff, lead=lead)
        _sign(task_book, kinds, users=users, lead=lead)
        created += 1
    return created
