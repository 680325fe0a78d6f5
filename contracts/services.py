"""Task-book services (issue 12). Each state change locks the row, checks the state and the
permission, and writes the activity log through `core.services.state_transition`."""

import copy
import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Organisation, User
from core.exceptions import DomainError
from core.files import prepare_upload, upload_sha256
from core.services import activity_record, state_transition
from notifications.services import notification_send
from reviews.enums import DecisionState
from reviews.models import Award

from . import content as rules_of
from .enums import AWAITING_SIGNATURES, EDITABLE, TASK_BOOK_TRANSITIONS, PartyKind, TaskBookState
from .fingerprint import fingerprint
from .models import OrderTemplate, SigningParty, TaskBook, TaskBookComment, TaskBookVersion

LABELS = dict(TaskBookState.choices)
SCAN_TYPES = ("pdf", "jpg", "png")


def _require(user, perm: str, obj=None) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def _lock(task_book: TaskBook) -> TaskBook:
    return (TaskBook.objects.select_for_update(of=("self",))
            .select_related("award__decision__bang__bang_list__organiser", "award__application__lead")
            .get(pk=task_book.pk))


# --- the award must be confirmed ------------------------------------------------------------------


def award_refusal(award: Award) -> str | None:
    """Why no task book may be drafted or signed for this award now, or None.

    The stand-still is the public notice's own rule (`notices.services.confirmation_refusal`): while
    the notice runs, or an objection is pending or upheld, the award is not confirmed.
    """
    from notices.services import confirmation_refusal

    decision = award.decision
    if decision.state == DecisionState.CONFIRMED and award.project_number:
        return None
    if decision.state == DecisionState.NOTICED:
        entry = decision.notice_entries.select_related("notice").order_by("-pk").first()
        reason = confirmation_refusal(entry) if entry is not None else None
        return _("立项结果尚未确认：%(reason)s") % {"reason": reason or _("公示结果待确认。")}
    if decision.state == DecisionState.REVOKED:
        return _("立项结果因异议成立已撤销。")
    return _("立项结果尚未经公示确认（%(state)s）。") % {"state": decision.get_state_display()}


# --- drafting -----------------------------------------------------------------------------------


def _order_template(organiser: Organisation) -> tuple[str, int]:
    template = OrderTemplate.objects.filter(organiser=organiser).first()
    if template is None:
        return rules_of.DEFAULT_ORDER, settings.MILITARY_ORDER_BAR_YEARS
    return template.body, template.bar_years


def _refresh_order(content: dict, organiser: Organisation) -> None:
    body, years = _order_template(organiser)
    content["order"] = {"text": rules_of.order_text(body, content, years), "bar_years": years}


def _submitted(application) -> dict:
    version = application.decided_version or application.versions.order_by("-number").first()
    return version.data if version is not None else {}


def draft_content(award: Award, today: datetime.date | None = None) -> dict:
    """The first draft: filled from the bang, the winning team's submitted version and the award."""
    decision, application = award.decision, award.application
    bang = decision.bang
    data = _submitted(application)
    fields = data.get("fields", {})
    start = today or timezone.localdate()
    end = rules_of.add_months(start, bang.period_months) - datetime.timedelta(days=1)
    committed = {c.get("indicator"): c.get("value", "") for c in data.get("commitments", [])}
    indicators = [
        {"key": f"b{i.pk}", "name": i.name, "target": committed.get(i.name) or i.target, "unit": i.unit,
         "test_method": i.test_method, "bang_target": i.target, "committed": committed.get(i.name, ""), "confirmed": ""}
        for i in bang.indicators.order_by("order", "pk")
    ]
    issuers = list(bang.issuers.order_by("name"))
    demand_ip = "\n".join(d.ip_terms for d in bang.demands.all() if d.ip_terms.strip())
    staffing = [
        {"name": fields.get("chief_name", ""), "unit": fields.get("chief_unit", ""), "title": fields.get("chief_title", ""),
         "role": "chief", "months": 6},
        {"name": fields.get("lead_name", ""), "unit": fields.get("lead_unit", ""), "title": fields.get("lead_title", ""),
         "role": "lead", "months": int(fields.get("lead_months") or rules_of.MIN_LEAD_MONTHS)},
    ]
    budget = [{"category": line.get("category"), **{s: line.get(s, "0.00") for s in rules_of.SOURCES}}
              for line in data.get("budget", {}).get("lines", [])]
    content = {
        "schema": rules_of.SCHEMA,
        "project": {"number": award.project_number, "name": bang.title, "list": bang.bang_list.title,
                    "bang_number": bang.number, "bang_title": bang.title, "kind": bang.get_kind_display(),
                    "racehorse": bang.max_teams > 1, "route": award.route_label or application.route_label,
                    "start": start.isoformat(), "end": end.isoformat(), "period_months": bang.period_months},
        "parties": {
            "organiser": {"name": bang.bang_list.organiser.name, "credit_code": bang.bang_list.organiser.credit_code},
            "lead": {"name": application.lead.name, "credit_code": application.lead.credit_code,
                     "address": application.lead.address, "legal_rep": application.lead.legal_rep},
            "issuers": [{"name": o.name, "credit_code": o.credit_code} for o in issuers],
            "partners": [{"name": p.get("name", ""), "credit_code": p.get("credit_code", ""), "role": p.get("role", ""),
                          "work_share": p.get("work_share", "")} for p in data.get("partners", [])],
        },
        "objectives": fields.get("objectives", "") or bang.objectives,
        "route": fields.get("route_innovation", "") or fields.get("route_description", ""),
        "indicators": indicators,
        "field_test": bang.field_test,
        "schedule": [{"due_date": m.get("due_date", ""), "goal": m.get("deliverable", ""), "indicator": m.get("indicator", "")}
                     for m in data.get("milestones", [])],
        "staffing": staffing,
        "budget": budget,
        "subsidy": str(award.subsidy),
        "investment": str(award.investment),
        "disbursement": rules_of.default_tranches(award.subsidy),
        "ip": "\n".join(t for t in (bang.ip_terms.strip(), demand_ip.strip()) if t),
        "benefit": fields.get("ip_arrangements", ""),
    }
    _refresh_order(content, bang.bang_list.organiser)
    return content


@transaction.atomic
def task_book_draft(*, award: Award, by: User | None = None) -> TaskBook:
    """The first revision's draft for a confirmed award; the existing one if it was drafted already."""
    award = Award.objects.select_for_update().select_related(
        "decision__bang__bang_list__organiser", "application__lead").get(pk=award.pk)
    if by is not None and not by.has_perm("contracts.ceremony", award.decision.bang.bang_list):
        raise DomainError(_("您无权执行此操作。"))
    existing = TaskBook.objects.filter(award=award).order_by("revision").first()
    if existing is not None:
        return existing
    if refusal := award_refusal(award):
        raise DomainError(refusal)
    content = draft_content(award)
    task_book = TaskBook.objects.create(award=award, content=content, project_number=award.project_number,
                                        project_name=content["project"]["name"])
    TaskBookVersion.objects.create(task_book=task_book, number=1, content=content, saved_by=by,
                                   note=_("根据立项结果生成"))
    activity_record(target=task_book, by=by, action=_("生成任务书草稿"), to_state=TaskBookState.DRAFTING)
    notification_send(
        recipients=_applicants(award.application.lead_id),
        event_key=f"taskbook:{task_book.pk}:drafted",
        title=_("“%(name)s”的任务书草稿已生成，请核对填写") % {"name": task_book.project_name},
        url=reverse("contracts:detail", args=[task_book.pk]))
    return task_book


def drafts_create_due() -> int:
    """Draft a task book for every confirmed award that has none (beat; idempotent)."""
    made = 0
    awards = Award.objects.filter(decision__state=DecisionState.CONFIRMED, project_number__isnull=False,
                                  task_books__isnull=True)
    for award in awards:
        try:
            task_book_draft(award=award)
        except DomainError:
            continue
        made += 1
    return made


# --- negotiation --------------------------------------------------------------------------------

EDITABLE_PROJECT = ("start", "end")
EDITABLE_SECTIONS = ("objectives", "route", "schedule", "staffing", "budget", "disbursement", "ip", "benefit")
INDICATOR_FIELDS = ("target", "test_method")


def merge(stored: dict, submitted: dict) -> dict:
    """The stored content with what the lead may change taken from `submitted`. The parties, the
    project's number and name, the bang's indicators (names, units, targets, commitments) and the
    subsidy are the award's: a forged field for them is ignored."""
    content = copy.deepcopy(stored)
    for key in EDITABLE_PROJECT:
        if key in submitted.get("project", {}):
            content["project"][key] = str(submitted["project"][key])
    for key in EDITABLE_SECTIONS:
        if key in submitted:
            content[key] = submitted[key]
    by_key = {row["key"]: row for row in stored.get("indicators", []) if row.get("key", "").startswith("b")}
    rows, seen = [], set()
    for row in submitted.get("indicators", stored.get("indicators", [])):
        key = row.get("key", "")
        if key in by_key and key not in seen:
            kept = dict(by_key[key])
            kept.update({f: str(row.get(f, kept.get(f, ""))) for f in INDICATOR_FIELDS})
            rows.append(kept)
            seen.add(key)
        elif not key.startswith("b"):
            rows.append({"key": f"x{len(rows) + 1}", "name": str(row.get("name", "")), "target": str(row.get("target", "")),
                         "unit": str(row.get("unit", "")), "test_method": str(row.get("test_method", "")),
                         "bang_target": "", "committed": "", "confirmed": ""})
    # The bang's own indicators cannot be dropped.
    rows.extend(dict(row) for key, row in by_key.items() if key not in seen)
    for row in rows:
        if row.get("confirmed") and row["confirmed"] != row.get("target"):
            row["confirmed"] = ""
    content["indicators"] = rows
    return content


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check(task_book: TaskBook, content: dict, *, final: bool) -> None:
    bang = task_book.award.decision.bang
    _raise(rules_of.errors(content, subsidy=task_book.award.subsidy, period_months=bang.period_months, final=final))


def _latest_version(task_book: TaskBook) -> int:
    return task_book.versions.order_by("-number").values_list("number", flat=True).first() or 0


@transaction.atomic
def task_book_save(*, task_book: TaskBook, by: User, content: dict, seen_version: int, note: str = "") -> TaskBookVersion | None:
    """The lead saves the draft: a new kept version if anything changed. A returned draft goes back
    to drafting. Refused if someone saved since the version the lead was looking at."""
    task_book = _lock(task_book)
    _require(by, "contracts.edit", task_book)
    latest = _latest_version(task_book)
    if seen_version != latest:
        raise DomainError(_("任务书已有更新的版本（第%(n)d版），请刷新页面后再修改。") % {"n": latest})
    merged = merge(task_book.content, content)
    _refresh_order(merged, task_book.award.decision.bang.bang_list.organiser)
    _check(task_book, merged, final=False)
    if merged == task_book.content:
        return None
    version = TaskBookVersion.objects.create(task_book=task_book, number=latest + 1, content=merged, saved_by=by,
                                             note=note[:200])
    task_book.content = merged
    task_book.save(update_fields=["content", "updated_at"])
    if task_book.state == TaskBookState.RETURNED:
        state_transition(obj=task_book, to=TaskBookState.DRAFTING, by=by, table=TASK_BOOK_TRANSITIONS,
                         action=_("修改后重新提交"), note=note, labels=LABELS)
    else:
        activity_record(target=task_book, by=by, action=_("保存第%(n)d版") % {"n": version.number}, note=note)
    return version


@transaction.atomic
def task_book_comment(*, task_book: TaskBook, by: User, body: str, returned: bool = False) -> TaskBookComment:
    """The issuing enterprise or the organiser's staff comment; `returned` sends it back to the lead."""
    task_book = _lock(task_book)
    _require(by, "contracts.comment", task_book)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写意见。") if not returned else _("请填写退回理由。")})
    comment = TaskBookComment.objects.create(task_book=task_book, author=by, organisation_id=by.organisation_id,
                                             body=body, returned=returned, version_number=_latest_version(task_book))
    if returned:
        state_transition(obj=task_book, to=TaskBookState.RETURNED, by=by, table=TASK_BOOK_TRANSITIONS,
                         action=_("退回修改"), note=body, labels=LABELS)
    else:
        activity_record(target=task_book, by=by, action=_("提出意见"), note=body)
    notification_send(
        recipients=_applicants(task_book.award.application.lead_id),
        event_key=f"taskbook:{task_book.pk}:comment:{comment.pk}",
        title=(_("任务书“%(name)s”被退回修改") if returned else _("任务书“%(name)s”有新的意见")) % {"name": task_book.project_name},
        body=body, url=reverse("contracts:detail", args=[task_book.pk]))
    return comment


@transaction.atomic
def indicator_confirm(*, task_book: TaskBook, by: User, key: str) -> dict:
    """Staff confirm that an indicator which cannot be compared as numbers is not weaker than the
    bang's target and the team's commitment. Logged with the texts compared."""
    task_book = _lock(task_book)
    _require(by, "contracts.manage", task_book)
    if task_book.state not in EDITABLE:
        raise DomainError(_("任务书已定稿，不能再确认指标。"))
    content = copy.deepcopy(task_book.content)
    row = next((r for r in content.get("indicators", []) if r.get("key") == key), None)
    if row is None:
        raise DomainError(_("没有这项指标。"))
    if not rules_of.needs_confirmation(row):
        raise DomainError(_("该指标无需人工确认。"))
    row["confirmed"] = row["target"]
    task_book.content = content
    task_book.save(update_fields=["content", "updated_at"])
    activity_record(target=task_book, by=by, action=_("确认指标不低于要求"),
                    note=_("指标“%(name)s”：任务书“%(target)s”；榜单要求“%(bang)s”；承诺值“%(committed)s”") % {
                        "name": row["name"], "target": row["target"], "bang": row.get("bang_target", ""),
                        "committed": row.get("committed", "")})
    return row


def _party_rows(task_book: TaskBook) -> list[SigningParty]:
    """Who signs, from SIGNING_PARTIES (default: the lead, each issuing enterprise, the organiser)."""
    award = task_book.award
    bang = award.decision.bang
    order = {kind: i for i, kind in enumerate(settings.TASK_BOOK_SIGNING_PARTIES)}
    rows = []
    for kind in settings.TASK_BOOK_SIGNING_PARTIES:
        if kind == PartyKind.LEAD:
            units = [award.application.lead]
        elif kind == PartyKind.ISSUER:
            units = list(bang.issuers.order_by("name"))
        elif kind == PartyKind.ORGANISER:
            units = [bang.bang_list.organiser]
        elif kind == PartyKind.PARTNER:
            units = list(award.application.submitted_partners.filter(is_placeholder=False).order_by("name"))
        else:  # pragma: no cover - contracts.checks refuses an unknown party at start-up
            units = []
        rows.extend(SigningParty(task_book=task_book, kind=kind, organisation=unit, name=unit.name,
                                 order=order[kind] * 100 + i) for i, unit in enumerate(units))
    return rows


@transaction.atomic
def task_book_finalise(*, task_book: TaskBook, by: User, seen_version: int) -> TaskBook:
    """定稿: staff freeze the content, take its fingerprint and issue the platform-signed PDF."""
    from .pdf import render_task_book
    from .signing import sign_pdf

    task_book = _lock(task_book)
    _require(by, "contracts.manage", task_book)
    if task_book.state not in EDITABLE:
        raise DomainError(_("任务书已定稿。"))
    if refusal := award_refusal(task_book.award):
        raise DomainError(refusal)
    if seen_version != _latest_version(task_book):
        raise DomainError(_("任务书已有更新的版本，请核对后再定稿。"))
    _check(task_book, task_book.content, final=True)
    now = timezone.now()
    task_book.fingerprint = fingerprint(task_book.content)
    task_book.finalised_at, task_book.finalised_by = now, by
    parties = _party_rows(task_book)
    data = sign_pdf(render_task_book(task_book, parties))
    task_book.pdf.save(f"{task_book.project_number}.pdf", ContentFile(data), save=False)
    task_book.pdf_sha256 = hashlib.sha256(data).hexdigest()
    state_transition(obj=task_book, to=TaskBookState.FINALISED, by=by, table=TASK_BOOK_TRANSITIONS,
                     action=_("定稿并签发"), note=_("内容指纹：%(fp)s") % {"fp": task_book.fingerprint}, labels=LABELS,
                     fields={"fingerprint": task_book.fingerprint, "finalised_at": now, "finalised_by": by,
                             "pdf": task_book.pdf, "pdf_sha256": task_book.pdf_sha256})
    SigningParty.objects.bulk_create(parties)
    notification_send(
        recipients=_party_users(parties),
        event_key=f"taskbook:{task_book.pk}:finalised",
        title=_("任务书“%(name)s”已定稿，请下载、盖章并上传扫描件") % {"name": task_book.project_name},
        url=reverse("contracts:detail", args=[task_book.pk]))
    return task_book


# --- signing ------------------------------------------------------------------------------------


def _applicants(org_id) -> list[User]:
    return list(User.objects.filter(organisation_id=org_id, is_active=True, role_grants__role=Role.APPLICANT).distinct())


_ROLE = {PartyKind.LEAD: Role.APPLICANT, PartyKind.PARTNER: Role.APPLICANT, PartyKind.ISSUER: Role.ENTERPRISE,
         PartyKind.ORGANISER: Role.STAFF}


def _party_users(parties) -> list[User]:
    users = []
    for party in parties:
        users += list(User.objects.filter(organisation_id=party.organisation_id, is_active=True,
                                          role_grants__role=_ROLE[party.kind]).distinct())
    return users


@transaction.atomic
def task_book_sign(*, party: SigningParty, by: User, scan, signer_name: str, signer_title: str) -> SigningParty:
    """One party's signature: its sealed scan (PDF or image, checked by content), who signed, when.
    The last one puts the task book in force (and an amendment in place of the revision it amends)."""
    party = SigningParty.objects.select_related("task_book").get(pk=party.pk)
    task_book = _lock(party.task_book)
    party = SigningParty.objects.select_for_update().get(pk=party.pk)
    if not by.has_perm("contracts.sign", party):
        raise DomainError(_("您不能代表“%(name)s”签署。") % {"name": party.name})
    if refusal := award_refusal(task_book.award):
        raise DomainError(refusal)
    if task_book.state not in AWAITING_SIGNATURES:
        raise DomainError(_("任务书当前状态为“%(state)s”，不能签署。") % {"state": task_book.get_state_display()})
    if party.signed:
        raise DomainError(_("“%(name)s”已于%(when)s签署，不能重复签署。") % {
            "name": party.name, "when": timezone.localtime(party.signed_at).strftime("%Y-%m-%d %H:%M")})
    signer_name, signer_title = (signer_name or "").strip(), (signer_title or "").strip()
    problems = {}
    if not signer_name:
        problems["signer_name"] = [_("请填写签署人姓名。")]
    if not signer_title:
        problems["signer_title"] = [_("请填写签署人职务。")]
    if scan is None:
        problems["scan"] = [_("请上传盖章后的扫描件。")]
    else:
        try:
            original, _extension = prepare_upload(scan, allowed=SCAN_TYPES)
        except ValidationError as error:
            problems["scan"] = error.messages
    _raise(problems)
    digest = upload_sha256(scan)
    if digest == task_book.pdf_sha256:
        raise ValidationError({"scan": _("上传的是平台签发的原始文件，没有盖章。请上传加盖公章并签字后的扫描件。")})
    if other := task_book.parties.filter(scan_sha256=digest).exclude(pk=party.pk).first():
        raise ValidationError({"scan": _("该文件与“%(name)s”上传的盖章件完全相同，请上传本单位盖章后的扫描件。")
                                       % {"name": other.name}})
    now = timezone.now()
    party.scan.save(scan.name, scan, save=False)
    party.scan_name, party.scan_sha256 = original, digest
    party.signer_name, party.signer_title = signer_name[:64], signer_title[:64]
    party.confirmed_by, party.signed_at = by, now
    party.save()
    activity_record(target=task_book, by=by, action=_("%(party)s签署") % {"party": party.name},
                    note=_("签署人：%(name)s（%(title)s）；扫描件 SHA-256：%(sha)s") % {
                        "name": party.signer_name, "title": party.signer_title, "sha": digest})
    remaining = task_book.parties.filter(signed_at__isnull=True).exists()
    if task_book.state == TaskBookState.FINALISED and remaining:
        state_transition(obj=task_book, to=TaskBookState.SIGNING, by=by, table=TASK_BOOK_TRANSITIONS,
                         action=_("开始签署"), labels=LABELS)
    if not remaining:
        _in_force(task_book, by, now)
    return party


def _in_force(task_book: TaskBook, by: User, now) -> None:
    state_transition(obj=task_book, to=TaskBookState.IN_FORCE, by=by, table=TASK_BOOK_TRANSITIONS,
                     action=_("各方签署完毕，任务书生效"), labels=LABELS, fields={"in_force_at": now})
    if task_book.amends_id:
        previous = TaskBook.objects.select_for_update().get(pk=task_book.amends_id)
        state_transition(obj=previous, to=TaskBookState.SUPERSEDED, by=by, table=TASK_BOOK_TRANSITIONS,
                         action=_("变更生效，本版停止执行"), note=_("由第%(n)d版取代") % {"n": task_book.revision},
                         labels=LABELS)
    from .projects import project_open

    project_open(task_book)
    parties = list(task_book.parties.all())
    notification_send(
        recipients=_party_users(parties) + _applicants(task_book.award.application.lead_id),
        event_key=f"taskbook:{task_book.pk}:in_force",
        title=_("任务书“%(name)s”已生效") % {"name": task_book.project_name},
        body=_("各方已签署完毕。内容指纹：%(fp)s") % {"fp": task_book.fingerprint},
        url=reverse("contracts:detail", args=[task_book.pk]))


@transaction.atomic
def task_book_amend(*, task_book: TaskBook, by: User, reason: str) -> TaskBook:
    """变更: a new revision drafted from the one in force. The old one stays in force until all
    parties have signed the new one, and both are kept."""
    task_book = _lock(task_book)
    _require(by, "contracts.manage", task_book)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更理由。")})
    if task_book.state != TaskBookState.IN_FORCE:
        raise DomainError(_("只有已生效的任务书可以变更。"))
    if TaskBook.objects.filter(amends=task_book).exists():
        raise DomainError(_("该任务书已有进行中的变更。"))
    content = copy.deepcopy(task_book.content)
    amendment = TaskBook.objects.create(
        award=task_book.award, revision=task_book.revision + 1, amends=task_book, amendment_reason=reason,
        content=content, project_number=task_book.project_number, project_name=task_book.project_name)
    TaskBookVersion.objects.create(task_book=amendment, number=1, content=content, saved_by=by,
                                   note=_("变更自第%(n)d版") % {"n": task_book.revision})
    activity_record(target=task_book, by=by, action=_("发起变更"), note=reason)
    activity_record(target=amendment, by=by, action=_("发起变更"), to_state=TaskBookState.DRAFTING, note=reason)
    notification_send(
        recipients=_applicants(task_book.award.application.lead_id),
        event_key=f"taskbook:{amendment.pk}:drafted",
        title=_("任务书“%(name)s”发起变更，请修改后由各方重新签署") % {"name": task_book.project_name},
        body=reason, url=reverse("contracts:detail", args=[amendment.pk]))
    return amendment


# --- the ceremony and the template ---------------------------------------------------------------


def _remind(pending, now) -> int:
    """Remind each party in `pending` that nobody reminded yet. Each reminder is claimed on the
    party's row by a conditional update, so two workers, or the beat and a click, never both send."""
    sent = 0
    for party in pending:
        with transaction.atomic():
            if not SigningParty.objects.filter(pk=party.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            notification_send(
                recipients=_party_users([party]),
                event_key=f"taskbook:{party.task_book_id}:remind:{party.pk}",
                title=_("请尽快签署任务书“%(name)s”") % {"name": party.task_book.project_name},
                body=_("贵单位（%(party)s）尚未上传盖章扫描件。") % {"party": party.name},
                url=reverse("contracts:detail", args=[party.task_book_id]))
            sent += 1
    return sent


def _unreminded():
    return (SigningParty.objects.filter(signed_at__isnull=True, reminded_at__isnull=True,
                                        task_book__state__in=AWAITING_SIGNATURES)
            .select_related("task_book").order_by("task_book__project_number", "order", "pk"))


def signing_reminders_send(now=None) -> int:
    """Remind each party that has not signed an issued task book, once per party (beat)."""
    return _remind(_unreminded(), now or timezone.now())


def signing_reminders_for_list(*, bang_list, by: User, now=None) -> int:
    """Staff remind the unsigned parties of one list's task books from its ceremony page: the same
    claim and event key as the beat, so a party is reminded once in all. Logged on the list."""
    if not by.has_perm("contracts.ceremony", bang_list):
        raise DomainError(_("您无权执行此操作。"))
    sent = _remind(_unreminded().filter(task_book__award__decision__bang__bang_list=bang_list), now or timezone.now())
    activity_record(target=bang_list, by=by, action=_("提醒未签署单位签署任务书"), note=_("发出提醒%(n)d条") % {"n": sent})
    return sent


@dataclass
class DraftResult:
    made: list[TaskBook] = field(default_factory=list)
    refused: list[tuple[Award, str]] = field(default_factory=list)


def task_books_draft_for_list(*, bang_list, by: User) -> DraftResult:
    """A draft for each confirmed award of the list that has none yet (each through `task_book_draft`,
    which returns the existing one if another click got there first)."""
    result = DraftResult()
    awards = (Award.objects.filter(decision__bang__bang_list=bang_list, decision__state=DecisionState.CONFIRMED,
                                   project_number__isnull=False, task_books__isnull=True)
              .order_by("project_number"))
    for award in awards:
        try:
            result.made.append(task_book_draft(award=award, by=by))
        except DomainError as error:
            result.refused.append((award, error.message))
    return result


@transaction.atomic
def order_template_save(*, organiser: Organisation, by: User, body: str, bar_years: int) -> OrderTemplate:
    """The organiser's military-order wording; drafts pick it up on their next save, issued ones keep theirs."""
    _require(by, "contracts.order_template")
    if by.organisation_id != organiser.pk and not by.is_superuser:
        raise DomainError(_("您无权执行此操作。"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写军令状文本。")})
    if not isinstance(bar_years, int) or not 1 <= bar_years <= 10:
        raise ValidationError({"bar_years": _("限制年限须为1至10年。")})
    if problem := rules_of.template_problem(body):
        raise ValidationError({"body": problem})
    template, _created = OrderTemplate.objects.update_or_create(
        organiser=organiser, defaults={"body": body, "bar_years": bar_years, "updated_by": by})
    activity_record(target=template, by=by, action=_("修改军令状模板"), note=_("限制牵头申报%(n)d年") % {"n": bar_years})
    return template
