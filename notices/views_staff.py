"""The staff side of the public notice (issue 11): publish and correct a notice, handle objections,
record a paper objection; and the lead unit's written response. Each page loads its object through
a scoped selector (another organiser's objection is a 404) and checks a rules permission; each
change is one call into notices.services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.rules import is_portal_staff
from bangs.models import BangList
from bangs.selectors import bang_list_for_organiser
from core.exceptions import DomainError
from core.files import file_response
from core.params import FilterParams
from core.selectors import activity_list_for
from core.services import activity_record
from core.views import paginate, perform, querystring_without_page
from reviews.enums import DecisionState
from reviews.models import BangDecision, ReviewPlan

from . import services
from .enums import NoticeBangState, ObjectionSource, ObjectionState
from .forms_staff import (
    AmendForm,
    AnswerForm,
    AskForm,
    DecideForm,
    NoteForm,
    PublishForm,
    RecordForm,
    RefuseForm,
)
from .models import Notice, Objection, ObjectionFile, ResponseRequest
from .selectors import (
    HANDLING,
    approval_awards_for,
    notices_for_organiser,
    objections_for_organiser,
    overdue_q,
    response_requests_for_lead,
)


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


# --- publishing --------------------------------------------------------------------------------


def _staff_list(request, pk: int) -> BangList:
    bang_list = get_object_or_404(bang_list_for_organiser(request.user), pk=pk)
    if not request.user.has_perm("notices.publish", bang_list):
        raise PermissionDenied
    return bang_list


def default_texts(bang_list: BangList) -> dict:
    """What the publish form starts with: the title, the basis and process, how to object."""
    plan = ReviewPlan.objects.filter(bang_list=bang_list).first()
    basis = _("根据《%(title)s》的揭榜要求和揭榜流程，经申报、形式审查、推荐，") % {"title": bang_list.title}
    if plan is not None:
        basis += _("每个技术榜随机抽取%(n)d名专家独立评审%(blind)s，并听取发榜企业合作意见，") % {
            "n": plan.panel_size, "blind": _("（匿名评审）") if plan.blind else ""}
    basis += _("拟定揭榜结果如下，现予公示。")
    if bang_list.process.strip():
        basis += "\n\n" + _("揭榜流程：") + bang_list.process.strip()
    unit = _("自然日") if bang_list.notice_in_calendar_days else _("工作日")
    lines = [
        _("公示期为%(days)d个%(unit)s。对公示结果有异议的，请于公示期内以书面形式实名提出，写明异议理由并附证明材料。")
        % {"days": bang_list.notice_days, "unit": unit},
        _("个人须提供真实姓名、身份证号码和联系电话；单位须提供法定代表人签字并加盖公章的异议函及联系人、联系电话。"),
        _("匿名、冒名或逾期提出的异议不予受理。异议人身份予以保密。"),
        _("可在本平台“公示公告”页面在线提交，或将书面材料寄送至组织单位。"),
    ]
    organiser = bang_list.organiser
    contacts = [c for c in bang_list.contacts.all()]
    for contact in contacts:
        lines.append(_("联系人：%(dept)s%(name)s，电话：%(phone)s") % {
            "dept": f"{contact.department} " if contact.department else "", "name": contact.name, "phone": contact.phone})
    if organiser.address:
        lines.append(_("通讯地址：%(name)s，%(address)s%(postcode)s") % {
            "name": organiser.name, "address": organiser.address,
            "postcode": _("，邮编%(p)s") % {"p": organiser.postcode} if organiser.postcode else ""})
    return {"title": _("%(title)s揭榜结果公示") % {"title": bang_list.title}, "basis": basis,
            "how_to_object": "\n".join(lines)}


@login_required
def publish(request, pk: int):
    """Staff publish the list's proposed results (all or a batch), with a preview of the period."""
    bang_list = _staff_list(request, pk)
    decisions = list(BangDecision.objects.filter(bang__bang_list=bang_list, state=DecisionState.PROPOSED)
                     .select_related("bang").order_by("bang__number"))
    choices = [(str(d.bang_id), f"{d.bang.number}. {d.bang.title}（{d.get_outcome_display()}）") for d in decisions]
    initial = {**default_texts(bang_list), "bangs": [c[0] for c in choices]}
    form = PublishForm(request.POST if request.method == "POST" else None, initial=initial, choices=choices)
    unit, end = services.notice_period(bang_list, timezone.now().replace(microsecond=0))
    warnings = end.warnings
    if request.method == "POST" and not decisions:
        messages.error(request, _("没有待公示的拟定结果。"))
        return redirect("notices:publish", pk=pk)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_publish(
                    bang_list=bang_list, by=request.user, title=data["title"], basis=data["basis"],
                    how_to_object=data["how_to_object"], bang_ids=[int(b) for b in data["bangs"]],
                    confirm_warnings=data["confirm_warnings"])
            except services.NeedsConfirmation as error:
                warnings = error.warnings
                form.add_error("confirm_warnings", _("公示期跨入尚无节假日数据的年份，请确认后再发布。"))
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("公示已发布，截止%(end)s。") % {"end": _when(notice.ends_at)})
                return redirect("notices:detail", pk=notice.pk)
        messages.error(request, _("未能发布，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "notices/staff/publish.html", {
        "bang_list": bang_list, "form": form, "decisions": decisions, "unit": unit,
        "ends_at": end.end_of_day(), "warnings": warnings,
        "notices": Notice.objects.filter(bang_list=bang_list).order_by("-published_at"),
    })


def _staff_notice(request, pk: int) -> Notice:
    notice = get_object_or_404(notices_for_organiser(request.user), pk=pk)
    if not request.user.has_perm("notices.amend", notice):
        raise PermissionDenied
    return notice


@login_required
def amend(request, pk: int):
    """A dated correction (更正) to a published notice."""
    notice = _staff_notice(request, pk)
    form = AmendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notice_amend(notice=notice, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("更正已发布。"))
                return redirect("notices:detail", pk=notice.pk)
        messages.error(request, _("未能发布更正，请按提示修改。"))
    return render(request, "notices/staff/amend.html", {
        "notice": notice, "form": form, "amendments": notice.amendments.order_by("published_at", "pk")})


# --- handling ------------------------------------------------------------------------------------


@login_required
def queue(request):
    """The objections on the notices of the user's organiser, with their handling deadlines."""
    if not is_portal_staff(request.user):
        raise PermissionDenied
    params = FilterParams(request)
    objections = objections_for_organiser(request.user)
    now = timezone.now()
    if state := params.choice("state", label=_("状态"), choices=ObjectionState.choices):
        objections = objections.filter(state=state)
    if notice_id := params.integer("notice", label=_("公示")):
        objections = objections.filter(entry__notice_id=notice_id)
    if params.raw("overdue") == "1":
        objections = objections.filter(overdue_q(now))
    if q := params.text("q", max_length=32):
        objections = objections.filter(number__icontains=q)
    page = paginate(request, objections.order_by("-filed_at", "-pk"), 20,
                    rows=lambda qs: qs.select_related("entry__bang", "entry__notice"))
    rows = list(page)
    for row in rows:
        row.overdue = row.state in HANDLING and row.handling_deadline is not None and row.handling_deadline < now
    return render(request, "notices/staff/queue.html", {
        "page_obj": page, "objections": rows, "states": ObjectionState.choices,
        "notices": notices_for_organiser(request.user).order_by("-published_at")[:50],
        "querystring": querystring_without_page(request), "filters": request.GET,
    })


def _handled(request, pk: int) -> Objection:
    objection = get_object_or_404(objections_for_organiser(request.user).select_related(
        "entry__notice__bang_list", "entry__bang", "entry__decision", "recorded_by"), pk=pk)
    if not request.user.has_perm("notices.handle", objection):
        raise PermissionDenied
    return objection


@login_required
def objection(request, pk: int):
    """One objection for its handlers: who filed it, the grounds and files, notes, the lead unit's
    responses, the log, and the actions its state allows."""
    return _objection_page(request, _handled(request, pk))


def _objection_page(request, objection: Objection, **bound):
    """The objection's page; a refused action form comes back bound, with its errors next to its
    fields and what was typed kept (status 200, not a redirect)."""
    now = timezone.now()
    state = objection.state
    forms = {
        "refuse_form": RefuseForm(),
        "ask_form": AskForm(initial={"deadline": (timezone.localtime(now) + datetime.timedelta(days=5)).replace(
            hour=17, minute=0, second=0, microsecond=0)}),
        "decide_form": DecideForm(), "note_form": NoteForm(), **bound,
    }
    return render(request, "notices/staff/objection.html", {
        "objection": objection, "entry": objection.entry, "notice": objection.entry.notice,
        "files": objection.files.all(),
        "requests": objection.response_requests.select_related("asked_by", "answered_by").order_by("asked_at"),
        "activity": activity_list_for(objection).order_by("created_at", "pk"), "show_internal": True,
        "state_choices": ObjectionState.choices,
        "can_accept": state == ObjectionState.FILED, "can_ask": state in HANDLING,
        "can_decide": state in HANDLING, "overdue": state in HANDLING and objection.handling_deadline is not None
        and objection.handling_deadline < now,
        "upheld": state == ObjectionState.UPHELD, **forms,
    })


FORM_NAMES = {RefuseForm: "refuse_form", AskForm: "ask_form", DecideForm: "decide_form", NoteForm: "note_form"}


@login_required
@require_POST
def objection_accept(request, pk: int):
    objection = _handled(request, pk)
    perform(request, lambda: services.objection_accept(objection=objection, by=request.user),
            success=_("已受理，办理期限已起算。"))
    return redirect("notices:objection", pk=pk)


def _act(request, pk: int, form_class, act):
    """One action of the objection page: a valid form calls `act(objection, cleaned_data)`, which
    returns the service call and its success message; a refused form comes back bound on the page,
    with its errors next to its fields and the text kept."""
    objection = _handled(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("未能办理，请按提示修改。"))
        return _objection_page(request, objection, **{FORM_NAMES[form_class]: form})
    call, success = act(objection, form.cleaned_data)
    perform(request, call, success=success)
    return redirect("notices:objection", pk=pk)


@login_required
@require_POST
def objection_refuse(request, pk: int):
    return _act(request, pk, RefuseForm, lambda objection, data: (
        lambda: services.objection_refuse(objection=objection, by=request.user, **data),
        _("已决定不予受理，书面答复已发送。")))


@login_required
@require_POST
def objection_ask(request, pk: int):
    return _act(request, pk, AskForm, lambda objection, data: (
        lambda: services.response_request(objection=objection, by=request.user, **data),
        _("已请牵头单位作出书面说明。")))


@login_required
@require_POST
def objection_decide(request, pk: int):
    def act(objection, data):
        upheld = data["outcome"] == DecideForm.UPHELD
        return (lambda: services.objection_decide(objection=objection, by=request.user, upheld=upheld,
                                                  reply=data["reply"]),
                _("异议成立，公示结果已撤销；可重新拟定揭榜团队并另行公示。") if upheld
                else _("已认定异议不成立，书面答复已发送。"))
    return _act(request, pk, DecideForm, act)


@transaction.atomic
def objection_note(*, objection: Objection, by, text: str) -> None:
    """An internal note, in the objection's log (shown only on its handlers' page)."""
    objection = Objection.objects.select_for_update().select_related("entry__notice__bang_list").get(pk=objection.pk)
    if not by.has_perm("notices.handle", objection):
        raise DomainError(_("您无权执行此操作。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写备注内容。")})
    activity_record(target=objection, by=by, action=_("内部备注"), internal_note=text)


@login_required
@require_POST
def objection_add_note(request, pk: int):
    return _act(request, pk, NoteForm, lambda objection, data: (
        lambda: objection_note(objection=objection, by=request.user, text=data["text"]), _("备注已保存。")))


@login_required
def objection_file(request, pk: int, file_pk: int):
    """Evidence, a sealed letter or a scan: the handlers only."""
    objection = _handled(request, pk)
    stored = get_object_or_404(ObjectionFile.objects.filter(objection=objection), pk=file_pk)
    return file_response(stored.file, stored.original_name)


@login_required
def record(request, pk: int):
    """录入: staff type in an objection that arrived by letter, with the scan."""
    notice = _staff_notice(request, pk)
    entries = list(notice.entries.select_related("bang").filter(state=NoticeBangState.NOTICED).order_by("bang__number"))
    choices = [(str(e.pk), f"{e.bang.number}. {e.bang.title}") for e in entries]
    form = RecordForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None, entries=choices)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            entry = next(e for e in entries if str(e.pk) == data.pop("entry"))
            kind, grounds, scan = data.pop("kind"), data.pop("grounds"), data.pop("scan")
            received_at = data.pop("received_at")
            try:
                created = services.objection_file(entry=entry, kind=kind, data=data, grounds=grounds,
                                                  evidence=request.FILES.getlist("evidence"),
                                                  source=ObjectionSource.PAPER, scan=scan, by=request.user,
                                                  received_at=received_at)
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("书面异议已录入，编号%(number)s。") % {"number": created.number})
                return redirect("notices:objection", pk=created.pk)
        messages.error(request, _("未能录入，请按提示修改。您填写的内容仍在页面上（扫描件须重新选择）。"))
    return render(request, "notices/staff/record.html", {"notice": notice, "form": form, "entries": entries,
                                                          "running": notice.published_at <= timezone.now()})


# --- the lead unit's response --------------------------------------------------------------------


@login_required
def responses(request):
    """The lead unit's requests for a written response, pending first."""
    if not request.user.has_role(Role.APPLICANT):
        raise PermissionDenied
    rows = list(response_requests_for_lead(request.user).select_related("objection__entry__bang")
                .order_by("answered_at", "deadline", "pk")[:100])
    return render(request, "notices/staff/responses.html", {"rows": rows, "now": timezone.now()})


def _lead_request(request, pk: int) -> ResponseRequest:
    found = get_object_or_404(response_requests_for_lead(request.user).select_related(
        "objection__entry__bang__bang_list", "objection__entry__decision"), pk=pk)
    if not request.user.has_perm("notices.answer", found):
        raise PermissionDenied
    return found


@login_required
def response(request, pk: int):
    """The question, the grounds and the deadline; never who objected. Answered once."""
    found = _lead_request(request, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None)
    if request.method == "POST" and found.answered_at is not None:
        messages.error(request, _("已于%(when)s提交说明，不能修改。") % {"when": _when(found.answered_at)})
        return redirect("notices:response", pk=pk)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.response_answer(request=found, by=request.user, answer=form.cleaned_data["answer"],
                                         upload=form.cleaned_data["upload"])
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("notices:response", pk=pk)
            else:
                messages.success(request, _("书面说明已提交。"))
                return redirect("notices:response", pk=pk)
        messages.error(request, _("未能提交，请按提示修改。"))
    return render(request, "notices/staff/response.html", {
        "req": found, "bang": found.objection.entry.bang, "grounds": found.objection.grounds, "form": form,
        "late": found.answered_at is None and timezone.now() > found.deadline,
    })


@login_required
def response_file(request, pk: int):
    """The lead unit's upload: its own users, and the handlers of the objection."""
    found = ResponseRequest.objects.select_related("objection__entry__notice__bang_list").filter(pk=pk).first()
    if found is not None and request.user.has_perm("notices.handle", found.objection):
        return file_response(found.answer_file, found.answer_file_name)
    found = _lead_request(request, pk)
    return file_response(found.answer_file, found.answer_file_name)


# --- 立项通知 ----------------------------------------------------------------------------------


@login_required
def approval_pdf(request, pk: int):
    """The project approval notice of one confirmed award, as PDF with the CJK font embedded."""
    from core.pdf import html_to_pdf

    award = get_object_or_404(approval_awards_for(request.user).select_related(
        "application__lead", "decision__bang__bang_list__organiser").prefetch_related(
        Prefetch("decision__bang__issuers")), pk=pk)
    if not request.user.has_perm("notices.approval", award):
        raise PermissionDenied
    application = award.application
    summary = application.submitted_summary or {}
    partners = [p.get("name", "") for p in summary.get("partners", [])]
    bang = award.decision.bang
    entry = bang.notice_entries.filter(decision=award.decision).select_related("notice").first()
    html = render_to_string("pdf/approval_notice.html", {
        "award": award, "bang": bang, "bang_list": bang.bang_list, "organiser": bang.bang_list.organiser,
        "lead": application.lead, "partners": partners, "issuers": list(bang.issuers.order_by("name")),
        "chief": summary.get("fields", {}).get("chief_name", ""), "entry": entry, "now": timezone.now(),
    })
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="approval-{award.project_number}.pdf"'
    return response

