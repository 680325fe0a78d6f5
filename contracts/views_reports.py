"""Stage reports and self-management pages (issue 13 section 2): the project hub's section, the
report page (the lead's form, or the filed report with the enterprise's comment and staff's
decision), attachments, recording a self-management change, and staff's list of overdue reports.

Each page loads the project through `selectors.projects_for` (another unit's or organiser's project
is a 404), then checks a `contracts.project_*` rule (403); each change is one call into
`contracts.reports`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import is_portal_staff
from applications.enums import CostCategory
from core.exceptions import DomainError
from core.files import ALLOWED_LABEL, file_response
from core.params import FilterParams
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page

from . import reports
from .enums import RUNNING, ReportState
from .forms_reports import ChangeForm, CommentForm, ReportForm, ReturnForm
from .models import Project, StageReport
from .projects import project_url
from .selectors import projects_for


def _project(request, pk: int, perm: str = "contracts.project_view") -> Project:
    project = get_object_or_404(projects_for(request.user), pk=pk)
    if not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def _report(project: Project, stage: int) -> StageReport:
    report = get_object_or_404(StageReport.objects.select_related("submitted_by", "decided_by"),
                               project=project, stage=stage)
    report.project = project
    return report


def section(request, project) -> dict:
    """The project hub's reports section: each stage report with its state, whether it is overdue
    and where to open it; the self-management log; what the user may do here."""
    user = request.user
    today = timezone.localdate()
    rows = [{"report": r, "overdue": reports.is_overdue(r, today),
             "url": reverse("contracts:report_detail", args=[project.pk, r.stage])}
            for r in project.reports.order_by("stage")]
    can_lead = user.has_perm("contracts.project_lead", project)
    categories = dict(CostCategory.choices)
    changes = []
    for change in project.changes.select_related("recorded_by").order_by("-recorded_at", "-pk"):
        change.rows = [{"label": categories.get(r.get("category"), r.get("category")), **r} for r in change.details]
        changes.append(change)
    return {
        "reports_rows": rows,
        "reports_overdue_count": sum(1 for row in rows if row["overdue"]),
        "reports_changes": changes,
        "reports_can_lead": can_lead,
        "reports_can_change": can_lead and project.state in RUNNING,
        "reports_change_url": reverse("contracts:change_new", args=[project.pk]),
        "reports_overdue_url": reverse("contracts:reports_overdue")
        if user.has_perm("contracts.project_manage", project) else "",
    }


def _context(request, project: Project, report: StageReport, **extra) -> dict:
    user = request.user
    running = project.state in RUNNING
    can_lead = user.has_perm("contracts.project_lead", project)
    can_issuer = user.has_perm("contracts.project_issuer", project)
    can_manage = user.has_perm("contracts.project_manage", project)
    context = {
        "project": project, "report": report, "hub_url": project_url(project),
        "overdue": reports.is_overdue(report),
        "can_submit": can_lead and running and report.state in reports.OPEN,
        "can_comment": can_issuer and report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED),
        "can_decide": can_manage and report.state == ReportState.SUBMITTED,
        "can_return": can_manage and report.state == ReportState.SUBMITTED and running,
        "files": list(report.files.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        "activity": activity_list_for(report), "state_choices": dict(ReportState.choices),
        "allowed_label": ALLOWED_LABEL, "max_files": reports.MAX_ATTACHMENTS,
        "comment_entries": [e for e in report.enterprise_comment.split("\n\n") if e.strip()],
    }
    if context["can_submit"] and "form" not in extra:
        initial = {}
        if report.state == ReportState.RETURNED:
            # Sent back: start from what was filed, so the lead corrects rather than retypes.
            initial = {f"progress_{row['key']}": row.get("progress", "") for row in report.progress}
            initial.update({"spending": report.spending, "problems": report.problems})
        context["form"] = ReportForm(indicators=reports.indicators_of(project), initial=initial)
    context.setdefault("comment_form", CommentForm())
    context.setdefault("return_form", ReturnForm())
    context.update(extra)
    return context


@login_required
def report_detail(request, pk: int, stage: int):
    """The report page; the lead's submission posts here, so a refused form keeps what was typed."""
    project = _project(request, pk)
    report = _report(project, stage)
    if request.method != "POST":
        return render(request, "contracts/report_detail.html", _context(request, project, report))
    if not request.user.has_perm("contracts.project_lead", project):
        raise PermissionDenied
    if refusal := reports.submit_refusal(report):
        # A replayed or stale form: say why before looking at what it carries.
        messages.error(request, refusal)
        return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
    form = ReportForm(request.POST, indicators=reports.indicators_of(project))
    files = request.FILES.getlist("files")
    file_errors = []
    if form.is_valid():
        try:
            reports.report_submit(report=report, by=request.user, progress=form.progress(),
                                  spending=form.cleaned_data["spending"], problems=form.cleaned_data["problems"],
                                  files=files)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                if field == "files":
                    file_errors.extend(errors)
                else:
                    form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
        else:
            messages.success(request, _("第%(n)d阶段报告已提交，已通知发榜企业和管理人员。") % {"n": report.stage})
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
    if files and not file_errors:
        file_errors.append(_("附件未保存：请在改正上面的内容后重新选择附件。"))
    messages.error(request, _("未能提交，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "contracts/report_detail.html",
                  _context(request, project, report, form=form, file_errors=file_errors))


@login_required
@require_POST
def report_comment(request, pk: int, stage: int):
    project = _project(request, pk, "contracts.project_issuer")
    report = _report(project, stage)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            reports.report_comment(report=report, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            form.add_error("comment", error.messages)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
        else:
            messages.success(request, _("意见已发送。"))
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
    messages.error(request, _("未能发送意见，请按提示修改。"))
    return render(request, "contracts/report_detail.html", _context(request, project, report, comment_form=form))


@login_required
@require_POST
def report_accept(request, pk: int, stage: int):
    project = _project(request, pk, "contracts.project_manage")
    report = _report(project, stage)
    perform(request, lambda: reports.report_accept(report=report, by=request.user),
            success=_("阶段报告已通过，已通知牵头单位。"))
    return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)


@login_required
@require_POST
def report_return(request, pk: int, stage: int):
    project = _project(request, pk, "contracts.project_manage")
    report = _report(project, stage)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            reports.report_return(report=report, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
        else:
            messages.success(request, _("阶段报告已退回，已通知牵头单位修改后重新提交。"))
            return redirect("contracts:report_detail", pk=project.pk, stage=report.stage)
    messages.error(request, _("未能退回，请按提示修改。"))
    return render(request, "contracts/report_detail.html", _context(request, project, report, return_form=form))


@login_required
def report_file(request, pk: int, stage: int, file_pk: int):
    """An attachment of a filed report, for the parties of the project."""
    project = _project(request, pk)
    report = _report(project, stage)
    attachment = get_object_or_404(report.files.filter(purpose="report"), pk=file_pk)
    return file_response(attachment.file, attachment.name)


@login_required
def change_new(request, pk: int):
    """The lead records a route adjustment or a budget reallocation; nobody approves it."""
    project = _project(request, pk, "contracts.project_lead")
    hub_url = project_url(project)
    if project.state not in RUNNING:
        messages.error(request, _("项目当前状态为“%(state)s”，不能记录自主调整。") % {"state": project.get_state_display()})
        return redirect(hub_url)
    current = reports.budget_now(project)
    form = ChangeForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reports.change_record(project=project, by=request.user, kind=data["kind"], description=data["description"],
                                  details=form.details())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录，并通知发榜企业和管理人员。"))
            return redirect(hub_url)
    if request.method == "POST":
        messages.error(request, _("未能记录，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "contracts/change_form.html", {
        "project": project, "form": form, "hub_url": hub_url, "current_total": sum(current.values()),
    })


@login_required
def reports_overdue(request):
    """Staff: the overdue stage reports of their organiser's running projects; search, paginated."""
    if not is_portal_staff(request.user):
        raise PermissionDenied
    params = FilterParams(request)
    today = timezone.localdate()
    qs = reports.reports_overdue_for_staff(request.user, today)
    if q := params.text("q", max_length=100):
        qs = qs.filter(Q(project__project_number__icontains=q) | Q(project__task_book__project_name__icontains=q)
                       | Q(project__award__application__lead__name__icontains=q))
    page = paginate(request, qs.order_by("due_date", "project__project_number", "stage"), 20,
                    rows=lambda rows: rows.select_related("project__task_book", "project__award__application__lead"))
    for report in page:
        report.days_overdue = (today - report.due_date).days
    return render(request, "contracts/reports_overdue.html", {
        "page_obj": page, "filters": request.GET, "querystring": querystring_without_page(request)})
