"""Project pages (issue 13): the project list, the project hub (funds, reports, acceptance sections),
and the money: the enterprise's payments and their 到账 confirmation, staff disbursements, the
ledger and its Excel export per list.

Each page loads the project through `selectors.projects_for` (another unit's or organiser's project
is a 404) and checks a `contracts.project_*` rule (403); each change is one call into contracts.funds."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bangs.models import BangList
from bangs.selectors import bang_list_for_organiser
from core.exceptions import DomainError
from core.files import file_response
from core.params import FilterParams
from core.views import paginate, querystring_without_page

from . import funds
from .enums import ProjectState
from .forms_funds import ConfirmForm, DisbursementForm, DisputeForm, PaymentForm
from .models import Payment, Project
from .selectors import projects_for


def _project(request, pk: int, perm: str = "contracts.project_view") -> Project:
    project = get_object_or_404(projects_for(request.user), pk=pk)
    if not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def _apply(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def project_list(request):
    """The projects the user's unit takes part in, or its organiser's: search, state, list."""
    params = FilterParams(request)
    projects = projects_for(request.user)
    lists = BangList.objects.filter(pk__in=projects.values("award__decision__bang__bang_list")).order_by("-pk")
    if state := params.choice("state", label=_("状态"), choices=ProjectState.choices):
        projects = projects.filter(state=state)
    export_list = None
    if list_id := params.integer("list", label=_("榜单")):
        projects = projects.filter(award__decision__bang__bang_list_id=list_id)
        chosen = bang_list_for_organiser(request.user).filter(pk=list_id).first()
        if chosen is not None and request.user.has_perm("contracts.ceremony", chosen):
            export_list = chosen
    if q := params.text("q", max_length=100):
        projects = projects.filter(Q(project_number__icontains=q) | Q(task_book__project_name__icontains=q)
                                   | Q(award__application__lead__name__icontains=q))
    page = paginate(request, projects.order_by("-started_at", "-pk"), 20,
                    rows=lambda qs: qs.select_related("award__application__lead", "award__decision__bang__bang_list",
                                                      "task_book"))
    return render(request, "contracts/project/list.html", {
        "page_obj": page, "states": ProjectState.choices, "lists": lists, "filters": request.GET, "export_list": export_list,
        "querystring": querystring_without_page(request)})


def section(request, project) -> dict:
    """The hub's funds section: the ledger, payments with receipts, disbursements, and the actions."""
    user = request.user
    return {
        "funds_ledger": funds.ledger(project),
        "funds_payments": list(project.payments.select_related("recorded_by", "answered_by").order_by("paid_on", "pk")),
        "funds_disbursements": list(project.disbursements.select_related("recorded_by").order_by("paid_on", "pk")),
        "funds_can_record": project.state in funds.RUNNING and user.has_perm("contracts.project_issuer", project),
        "funds_can_answer": user.has_perm("contracts.project_lead", project),
        "funds_can_disburse": (project.state in funds.DISBURSABLE
                               and user.has_perm("contracts.project_manage", project)),
    }


@login_required
def project_detail(request, pk: int):
    """The project hub: header, then the funds, reports and acceptance sections."""
    from . import views_acceptance, views_reports

    project = _project(request, pk)
    context = {"project": project, "task_book": project.task_book, "bang": project.award.decision.bang,
               "lead": project.award.application.lead}
    context.update(section(request, project))
    context.update(views_reports.section(request, project))
    context.update(views_acceptance.section(request, project))
    return render(request, "contracts/project/detail.html", context)


@login_required
def payment_new(request, pk: int):
    """The issuing enterprise records a payment with its bank receipt."""
    project = _project(request, pk, "contracts.project_issuer")
    posted = request.method == "POST"
    form = PaymentForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            funds.payment_record(project=project, by=request.user, amount=data["amount"], paid_on=data["paid_on"],
                                 receipt=data["receipt"])
        except ValidationError as error:
            _apply(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("付款已登记，已通知牵头单位确认到账。"))
            return redirect("contracts:project_detail", pk=project.pk)
    return render(request, "contracts/project/payment_form.html", {"project": project, "form": form})


def _payment(project: Project, payment_pk: int) -> Payment:
    return get_object_or_404(project.payments.select_related("recorded_by"), pk=payment_pk)


@login_required
def payment_answer(request, pk: int, payment_pk: int):
    """The lead unit confirms the arrival (到账确认) or disputes the payment, once."""
    project = _project(request, pk, "contracts.project_lead")
    payment = _payment(project, payment_pk)
    action = request.POST.get("action") if request.method == "POST" else None
    confirm_form = ConfirmForm(request.POST if action == "confirm" else None, prefix="confirm")
    dispute_form = DisputeForm(request.POST if action == "dispute" else None, prefix="dispute")
    if request.method == "POST":
        form = confirm_form if action == "confirm" else dispute_form if action == "dispute" else None
        if form is None:
            messages.error(request, _("请选择确认到账或提出异议。"))
        elif form.is_valid():
            try:
                if action == "confirm":
                    funds.payment_confirm(payment=payment, by=request.user, arrived_on=form.cleaned_data["arrived_on"])
                else:
                    funds.payment_dispute(payment=payment, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _apply(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已确认到账，已通知发榜企业。") if action == "confirm"
                                 else _("已提出异议，已通知发榜企业。"))
                return redirect("contracts:project_detail", pk=project.pk)
    return render(request, "contracts/project/payment_answer.html", {
        "project": project, "payment": payment, "confirm_form": confirm_form, "dispute_form": dispute_form})


@login_required
def payment_receipt(request, pk: int, payment_pk: int):
    project = _project(request, pk)
    payment = _payment(project, payment_pk)
    return file_response(payment.receipt, payment.receipt_name or "receipt")


@login_required
def disbursement_new(request, pk: int):
    """Staff record a disbursement; the page shows what is due and why."""
    project = _project(request, pk, "contracts.project_manage")
    form = DisbursementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            funds.disbursement_record(project=project, by=request.user, amount=data["amount"], paid_on=data["paid_on"],
                                      document_number=data["document_number"])
        except ValidationError as error:
            _apply(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("拨付已登记，已通知牵头单位。"))
            return redirect("contracts:project_detail", pk=project.pk)
    return render(request, "contracts/project/disbursement_form.html", {
        "project": project, "form": form, "due": funds.subsidy_due(project),
        "disbursable": project.state in funds.DISBURSABLE})


@login_required
def ledger_export(request, pk: int):
    """One row per project of the list with its ledger figures (Excel): staff of the list's organiser."""
    from .exports import ledger_workbook

    bang_list = get_object_or_404(bang_list_for_organiser(request.user), pk=pk)
    if not request.user.has_perm("contracts.ceremony", bang_list):
        raise PermissionDenied
    projects = (Project.objects.filter(award__decision__bang__bang_list=bang_list)
                .select_related("task_book", "award__application__lead", "award__decision__bang")
                .order_by("project_number"))
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it when the download ends
    ledger_workbook(bang_list, funds.ledgers(projects), out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"ledger-{bang_list.pk}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
