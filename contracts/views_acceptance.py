"""Mid-term review, racehorse view and acceptance pages (issue 13, sections 3 and 4).

Each page loads the project through `selectors.projects_for` (another unit's or another organiser's
project is a 404) and checks a `contracts.project_*` rule (403); each change is one call into
contracts/midterm.py or contracts/acceptance.py, which check everything again inside a transaction.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from bangs.models import Bang
from core.exceptions import DomainError
from core.files import file_response

from . import acceptance as acceptance_services
from . import midterm as midterm_services
from .enums import ProjectState, ReportState
from .forms_acceptance import ApplyForm, DecideForm, JudgeForm, MidtermForm
from .models import Acceptance, MidtermDecision, Project, ProjectFile, StageReport
from .rules import is_organiser_staff_of_list
from .projects import disbursed_total, project_url
from .selectors import projects_for


def _project(request, pk: int, perm: str = "contracts.project_view") -> Project:
    project = get_object_or_404(
        projects_for(request.user).select_related("award__decision__bang__bang_list__organiser"), pk=pk)
    if not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def _acceptance(project: Project) -> Acceptance | None:
    return Acceptance.objects.filter(project=project).select_related("applied_by", "judged_by", "decided_by").first()


def _midterm(project: Project) -> MidtermDecision | None:
    return (MidtermDecision.objects.filter(project=project)
            .select_related("decided_by", "merged_into").first())


def _apply_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _back(project: Project) -> str:
    return project_url(project)


# --- the hub's section ------------------------------------------------------------------------------


def section(request, project) -> dict:
    """What the project hub's section for this area needs (the hub includes contracts/project/_acceptance.html)."""
    user = request.user
    bang = project.award.decision.bang
    acceptance = _acceptance(project)
    decision = _midterm(project)
    is_staff = user.has_perm("contracts.project_manage", project)
    is_lead = user.has_perm("contracts.project_lead", project)
    is_issuer = user.has_perm("contracts.project_issuer", project)
    return {
        "acceptance_project": project,
        "acceptance_midterm": decision,
        "acceptance": acceptance,
        "acceptance_tests": list(acceptance.tests.select_related("report")) if acceptance else [],
        "acceptance_can_midterm": is_staff and decision is None and project.state == ProjectState.IN_PROGRESS,
        "acceptance_can_apply": is_lead and acceptance is None and project.state == ProjectState.IN_PROGRESS,
        "acceptance_can_judge": is_issuer and acceptance is not None and not acceptance.verdict
                                and project.state == ProjectState.ACCEPTANCE,
        "acceptance_can_decide": is_staff and acceptance is not None and bool(acceptance.verdict)
                                 and not acceptance.outcome,
        "acceptance_racehorse": bang.max_teams > 1 and (is_staff or is_issuer),
        "acceptance_bang": bang,
    }


@login_required
def project_section(request, pk: int):
    """The section alone, as a page (until the project hub lands, and for a direct link)."""
    project = _project(request, pk)
    return render(request, "contracts/acceptance/section.html",
                  {"project": project, "back_url": _back(project), **section(request, project)})


# --- mid-term ---------------------------------------------------------------------------------------


@login_required
def midterm_decide(request, pk: int):
    project = _project(request, pk, "contracts.project_manage")
    existing = _midterm(project)
    if existing is not None or project.state != ProjectState.IN_PROGRESS:
        if existing is not None:
            messages.info(request, _("该团队的中期评估结论已记录：%(outcome)s。") % {"outcome": existing.get_outcome_display()})
        else:
            messages.error(request, _("项目当前状态为“%(state)s”，不能记录中期评估结论。") % {
                "state": project.get_state_display()})
        if request.method == "POST":
            return redirect(_back(project))
        return redirect("contracts:acceptance_section", pk=project.pk)
    candidates = list(midterm_services.merge_candidates(project))
    form = MidtermForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = next((p for p in candidates if str(p.pk) == data["merged_into"]), None)
        try:
            decision = midterm_services.midterm_decide(
                project, request.user, data["outcome"], data["reason"], new_subsidy=data["new_subsidy"],
                merged_into=target if data["merged_into"] else None, spent=data["spent"])
        except ValidationError as error:
            _apply_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录中期评估结论：%(outcome)s。") % {"outcome": decision.get_outcome_display()})
            return redirect("contracts:acceptance_section", pk=project.pk)
    if request.method == "POST":
        messages.error(request, _("未能记录，请按提示修改。您填写的内容仍在页面上。"))
    disbursed = disbursed_total(project)
    return render(request, "contracts/acceptance/midterm.html", {
        "project": project, "form": form, "disbursed": disbursed, "back_url": _back(project)})


# --- acceptance -------------------------------------------------------------------------------------


@login_required
def acceptance_apply(request, pk: int):
    project = _project(request, pk, "contracts.project_lead")
    if _acceptance(project) is not None or project.state != ProjectState.IN_PROGRESS:
        messages.info(request, _("项目当前状态为“%(state)s”，不能申请验收。") % {"state": project.get_state_display()})
        return redirect("contracts:acceptance_section", pk=project.pk)
    rows = acceptance_services.indicators(project)
    form = ApplyForm(request.POST if request.method == "POST" else None, request.FILES or None, indicators=rows)
    if request.method == "POST" and form.is_valid():
        try:
            acceptance_services.acceptance_apply(project, request.user, form.tests(), form.cleaned_data["summary"],
                                                 early=form.cleaned_data["early"])
        except ValidationError as error:
            _apply_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已申请验收，等待发榜企业评价。"))
            return redirect("contracts:acceptance_section", pk=project.pk)
    if request.method == "POST":
        messages.error(request, _("未能提交，请按提示修改。填写的内容仍在页面上，测试报告需重新选择。"))
    end = acceptance_services.period_end(project)
    return render(request, "contracts/acceptance/apply.html", {
        "project": project, "form": form, "end": end, "ended": end is None or end < timezone.localdate(),
        "back_url": _back(project)})


def _acceptance_or_404(project: Project) -> Acceptance:
    acceptance = _acceptance(project)
    if acceptance is None:
        raise Http404("no acceptance")
    return acceptance


@login_required
def acceptance_judge(request, pk: int):
    project = _project(request, pk, "contracts.project_issuer")
    acceptance = _acceptance_or_404(project)
    if acceptance.verdict or project.state != ProjectState.ACCEPTANCE:
        messages.info(request, _("发榜企业已作出评价，不能更改。") if acceptance.verdict
                      else _("项目当前状态为“%(state)s”，不能评价。") % {"state": project.get_state_display()})
        return redirect("contracts:acceptance_section", pk=project.pk)
    tests = list(acceptance.tests.select_related("report"))
    form = JudgeForm(request.POST if request.method == "POST" else None, tests=tests)
    if request.method == "POST" and form.is_valid():
        try:
            acceptance_services.acceptance_judge(acceptance, request.user, form.verdicts(),
                                                 form.cleaned_data["verdict"], form.cleaned_data["comment"])
        except ValidationError as error:
            _apply_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("评价已提交。"))
            return redirect("contracts:acceptance_section", pk=project.pk)
    if request.method == "POST":
        messages.error(request, _("未能提交，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "contracts/acceptance/judge.html", {
        "project": project, "acceptance": acceptance, "form": form, "back_url": _back(project)})


@login_required
def acceptance_decide(request, pk: int):
    project = _project(request, pk, "contracts.project_manage")
    acceptance = _acceptance_or_404(project)
    if acceptance.outcome or not acceptance.verdict:
        messages.info(request, _("验收结论已记录，不能更改。") if acceptance.outcome
                      else _("发榜企业尚未评价，不能记录验收结论。"))
        return redirect("contracts:acceptance_section", pk=project.pk)
    form = DecideForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            acceptance_services.acceptance_decide(acceptance, request.user, data["outcome"], data["reason"],
                                                  evidence=data["evidence"], spent=data["spent"])
        except ValidationError as error:
            _apply_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录验收结论，验收结论书已签发。"))
            return redirect("contracts:acceptance_section", pk=project.pk)
    if request.method == "POST":
        messages.error(request, _("未能记录，请按提示修改。您填写的内容仍在页面上，附件需重新选择。"))
    return render(request, "contracts/acceptance/decide.html", {
        "project": project, "acceptance": acceptance, "tests": list(acceptance.tests.all()), "form": form,
        "disbursed": disbursed_total(project), "back_url": _back(project)})


@login_required
def acceptance_file(request, pk: int, file_pk: int):
    """A field-test report or the 容错 evidence, to the project's parties."""
    project = _project(request, pk)
    row = get_object_or_404(ProjectFile, project=project, pk=file_pk, purpose__in=("field_test", "tolerance"))
    return file_response(row.file, row.name)


@login_required
def acceptance_certificate(request, pk: int):
    project = _project(request, pk)
    acceptance = _acceptance_or_404(project)
    if not acceptance.pdf:
        raise Http404("no certificate")
    return file_response(acceptance.pdf, f"{project.project_number}-验收结论书.pdf")


# --- the racehorse view -----------------------------------------------------------------------------


def _can_see_racehorse(user, bang: Bang) -> bool:
    if is_organiser_staff_of_list(user, bang.bang_list):
        return True
    return (user.is_active and user.has_role(Role.ENTERPRISE) and user.organisation_id is not None
            and bang.issuers.filter(pk=user.organisation_id).exists())


@login_required
def racehorse(request, bang_pk: int):
    """One racehorse bang's teams side by side: route, indicator progress, spending, disbursed and
    the mid-term decision. For the bang's organiser staff and its issuing enterprise."""
    visible = projects_for(request.user).filter(award__decision__bang_id=bang_pk)
    if not visible.exists():
        raise Http404("no project of this bang for this user")
    bang = get_object_or_404(Bang.objects.select_related("bang_list"), pk=bang_pk)
    if not _can_see_racehorse(request.user, bang):
        raise PermissionDenied
    if bang.max_teams <= 1:
        raise Http404("not a racehorse bang")
    latest = (StageReport.objects.filter(state__in=(ReportState.ACCEPTED, ReportState.SUBMITTED))
              .order_by("-stage", "-pk").only("pk", "project_id", "stage", "state", "progress", "spending",
                                              "submitted_at"))
    teams = list(
        Project.objects.filter(award__decision__bang=bang)
        .select_related("award__application__lead", "task_book", "midterm__merged_into")
        .annotate(disbursed=Coalesce(Sum("disbursements__amount"),
                                     Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))))
        .prefetch_related(Prefetch("reports", queryset=latest, to_attr="filed_reports"))
        .order_by("project_number"))
    for team in teams:
        team.latest_report = team.filed_reports[0] if team.filed_reports else None
        team.route = (team.task_book.content.get("project", {}).get("route")
                      or team.award.route_label or team.award.application.route_label)
        try:
            team.midterm_decision = team.midterm
        except MidtermDecision.DoesNotExist:
            team.midterm_decision = None
    return render(request, "contracts/acceptance/racehorse.html", {"bang": bang, "teams": teams})
