import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.selectors import unit_flags
from bangs.models import Bang
from bangs.selectors import bang_list_for_user, bang_list_list_for_user
from core.exceptions import DomainError
from core.files import file_response
from core.forms import formset_rows, upload_error
from core.params import FilterParams, parse_int
from core.pdf import html_to_pdf
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page

from . import services
from .enums import ApplicationState
from .exports import summary_workbook
from .forms import (
    ApplicationForm,
    AttachmentForm,
    AvoidedFormSet,
    BudgetForm,
    CommitmentsForm,
    DecisionForm,
    MilestoneFormSet,
    PartnerFormSet,
)
from .models import MAX_AVOIDED, Application, ApplicationVersion, Attachment
from .compare import compare_snapshots
from .selectors import (
    application_list_for_user, application_rows, application_precheck_q, application_return_reason, submitted_attachment_ids,
)



def _get(request, pk: int, perm: str | None = None, *, lean: bool = False) -> Application:
    """The application, if the user may see it (and has `perm` on it). `lean` loads only what the
    permission reads, for a POST whose service loads and locks the row itself."""
    queryset = application_list_for_user(request.user)
    if lean:
        queryset = queryset.select_related(None).only("lead_id", "state", "bang_id")
    application = get_object_or_404(queryset, pk=pk)
    if perm and not request.user.has_perm(perm, application):
        raise PermissionDenied
    return application


@login_required
@require_POST
def start(request, bang_pk: int):
    bang = get_object_or_404(bang_list_for_user(request.user), pk=bang_pk)
    try:
        application = services.application_start(bang=bang, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("bangs:bang_detail", pk=bang.pk)
    messages.success(request, _("已创建申报草稿，可随时保存。"))
    return redirect("applications:edit", pk=application.pk)


@login_required
def my_applications(request):
    """The unit's applications as lead, and those it is a partner in."""
    qs = application_list_for_user(request.user).filter(
        Q(lead_id=request.user.organisation_id)
        | Q(pk__in=Application.submitted_partners.through.objects.filter(
            organisation_id=request.user.organisation_id).values("application_id"))
    )
    params = FilterParams(request)
    if q := params.text("q"):
        qs = qs.filter(Q(bang__title__icontains=q) | Q(number__icontains=q))
    if state := params.choice("state", label=_("状态"), choices=ApplicationState.choices):
        qs = qs.filter(state=state)
    page = paginate(request, qs.order_by("-updated_at"), 20)
    return render(
        request, "applications/application_list.html",
        {"page_obj": page, "querystring": querystring_without_page(request), "states": ApplicationState.choices,
         "filters": request.GET},
    )


def _edit_forms(request, application):
    data = request.POST if request.method == "POST" else None
    partners_initial = [
        {"credit_code": p.organisation.credit_code, "name": p.shown_name, "role": p.role,
         "work_share": p.work_share,
         **({"kind": p.typed_kind or p.organisation.kind, "region": p.shown_region.pk}
            if p.organisation.is_placeholder else {})}
        for p in application.partners.select_related("organisation__region", "typed_region")
    ]
    milestones_initial = [
        {"due_date": m.due_date, "deliverable": m.deliverable, "indicator": m.indicator}
        for m in application.milestones.all()
    ]
    commitments = list(application.commitments.select_related("indicator"))
    avoided_initial = [{"name": a.name, "unit": a.unit, "reason": a.reason} for a in application.avoided_experts.all()]
    return {
        "form": ApplicationForm(data, instance=application),
        "partners": PartnerFormSet(data, initial=partners_initial, prefix="partners"),
        "milestones": MilestoneFormSet(data, initial=milestones_initial, prefix="milestones"),
        "budget": BudgetForm(data, lines=application.budget_lines.all()),
        "commitments": CommitmentsForm(data, commitments=commitments),
        # A POST without this table (a page from before it existed) leaves the avoid list as it is.
        "avoided": AvoidedFormSet(data if data is not None and "avoided-TOTAL_FORMS" in data else None,
                                  initial=avoided_initial, prefix="avoided"),
    }


@login_required
def edit(request, pk: int):
    application = _get(request, pk, "applications.own_application")
    if refusal := application.content_refusal():
        messages.info(request, refusal)
        return redirect("applications:detail", pk=pk)
    forms = _edit_forms(request, application)
    if request.method == "POST":
        if all(f.is_valid() for f in forms.values() if f.is_bound):
            try:
                services.application_save_draft(
                    application=application,
                    data=forms["form"].cleaned_data,
                    partners=formset_rows(forms["partners"]),
                    milestones=formset_rows(forms["milestones"]),
                    budget=forms["budget"].grid(),
                    commitments=forms["commitments"].values(),
                    avoided=formset_rows(forms["avoided"]) if forms["avoided"].is_bound else None,
                    by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    target = forms["form"] if field in forms["form"].fields else None
                    if target is not None:
                        target.add_error(field, errors)
                    else:
                        forms["form"].add_error(None, errors)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                if "confirm" in request.POST:
                    return redirect("applications:confirm", pk=pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("applications:edit", pk=pk)
        messages.error(request, _("保存未成功，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "applications/application_form.html", {
        "application": application, **forms, **_attachment_context(application),
        "totals": services.budget_totals(application),
        "upload_limit_mb": settings.UPLOAD_MAX_BYTES // 1024 // 1024,
        "max_avoided": MAX_AVOIDED,
        "return_reason": application_return_reason(application) if application.state == ApplicationState.RETURNED else "",
    })


def _attachment_context(application):
    current = {a.item_id: a for a in application.attachments.filter(superseded=False)}
    required = services.required_checklist(application)
    return {
        "checklist_rows": [(item, current.get(item.pk)) for item in required],
        "attachment_form": AttachmentForm(),
    }


@login_required
@require_POST
def upload(request, pk: int, item_pk: int):
    application = _get(request, pk, "applications.own_application")
    form = AttachmentForm(request.POST, request.FILES)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    error = attachment = None
    if not form.is_valid():
        error = upload_error(form)
    else:
        try:
            attachment = services.application_attachment_add(
                application=application, item_id=item_pk, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except DomainError as exc:
            error = exc.message
    if wants_json:
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        # The page puts this in the item's row, so nothing typed elsewhere on it is lost.
        html = render_to_string("applications/_attachment_current.html", {"current": attachment}, request=request)
        return JsonResponse({"ok": True, "message": _("附件已上传。"), "name": attachment.original_name, "html": html})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect(f"{reverse('applications:edit', args=[application.pk])}#attachments")


@login_required
def confirm(request, pk: int):
    """What will be submitted, with anything missing; POST submits."""
    application = _get(request, pk, "applications.own_application", lean=request.method == "POST")
    if request.method == "GET" and (refusal := application.content_refusal()):
        messages.info(request, refusal)
        return redirect("applications:detail", pk=pk)
    if request.method == "POST":
        try:
            version = services.application_submit(
                application=application, by=request.user,
                expected_versions=parse_int(request.POST.get("versions"), min_value=0),
            )
        except ValidationError:
            messages.error(request, _("申报内容不完整，请按提示补充后再提交。"))
            application = _get(request, pk)  # the whole of it, for the page that lists what is missing
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("applications:detail", pk=pk)
        else:
            messages.success(request, _("提交成功，回执编号 %(receipt)s。") % {"receipt": version.receipt})
            return redirect("applications:receipt", pk=version.pk)
    errors = services.application_submission_errors(application)
    return render(request, "applications/confirm.html", {
        "application": application, "errors": errors, "snapshot": services.application_snapshot(application),
        "versions": application.versions.count(), "totals": services.budget_totals(application),
        "show_avoid": True,  # the lead's own page (own_application above)
    })


@login_required
def detail(request, pk: int):
    """Everyone sees what was submitted (the latest version); the lead also sees its working copy."""
    application = _get(request, pk)
    can_decide = request.user.has_perm("applications.decide_application", application)
    is_owner = request.user.has_perm("applications.own_application", application)
    show_internal = request.user.has_perm("applications.view_internal", application)
    versions = list(application.versions.select_related("submitted_by").order_by("number"))
    latest = versions[-1] if versions else None
    working = services.application_snapshot(application) if is_owner else None
    if latest is not None:
        snapshot = latest.data
        attachment_ids = submitted_attachment_ids(application, [latest])
        attachments = application.attachments.filter(pk__in=attachment_ids)
    else:
        snapshot = working
        attachments = application.attachments.filter(superseded=False)
    return render(request, "applications/application_detail.html", {
        "application": application,
        "snapshot": snapshot,
        "latest": latest,
        "working_differs": bool(latest and is_owner and compare_snapshots(latest.data, working, changed_only=True,
                                                                          avoid=True)),
        "versions": versions,
        "attachments": attachments.select_related("item").order_by("item__order", "-uploaded_at"),
        "totals": services.budget_totals(application),
        "activity": activity_list_for(application),
        "state_choices": ApplicationState.choices,
        "show_internal": show_internal,
        # 申请回避: the lead's users and those who pre-check it; not partners, never experts.
        "show_avoid": is_owner or show_internal,
        "is_owner": is_owner,
        "can_decide": can_decide and application.state == ApplicationState.SUBMITTED,
        "decision_form": DecisionForm(),
        "return_reason": application_return_reason(application)
        if application.state == ApplicationState.RETURNED else "",
    })


@login_required
@require_POST
def withdraw(request, pk: int):
    application = _get(request, pk, "applications.own_application")
    perform(request, lambda: services.application_withdraw(application=application, by=request.user),
            success=_("申报已撤回。截止前可修改后重新提交。"))
    return redirect("applications:detail", pk=pk)


@login_required
@require_POST
def revise(request, pk: int):
    application = _get(request, pk, "applications.own_application")
    if perform(request, lambda: services.application_revise(application=application, by=request.user),
               success=_("已进入修改。已提交的版本在重新提交前继续有效，修改后请在截止前重新提交。")):
        return redirect("applications:edit", pk=pk)
    return redirect("applications:detail", pk=pk)


@login_required
def compare(request, pk: int):
    """Field by field, what changed between two submitted versions (or, for the lead, between the
    latest version and its unsubmitted working copy)."""
    application = _get(request, pk)
    is_owner = request.user.has_perm("applications.own_application", application)
    # 申请回避 is compared only for those who may read it (as on the detail page).
    avoid = is_owner or request.user.has_perm("applications.view_internal", application)
    versions = {v.number: v for v in application.versions.select_related("submitted_by").order_by("number")}
    choices = [(str(n), _("第%(n)d版（%(receipt)s）") % {"n": n, "receipt": v.receipt}) for n, v in versions.items()]
    working = services.application_snapshot(application) if is_owner else None
    if is_owner:
        choices.append(("draft", _("当前未提交的修改")))
    valid = {value for value, _label in choices}
    # By default: the lead's unsubmitted changes against the latest version if there are any,
    # else the last two versions.
    if versions and working is not None and compare_snapshots(versions[max(versions)].data, working,
                                                              changed_only=True, avoid=True):
        default_a, default_b = str(max(versions)), "draft"
    else:
        numbered = [value for value, _label in choices if value != "draft"]
        if len(numbered) > 1:
            default_a, default_b = numbered[-2], numbered[-1]
        elif numbered and working is not None:
            default_a, default_b = numbered[-1], "draft"
        else:
            default_a = default_b = ""
    side = {}
    for key, default in (("a", default_a), ("b", default_b)):
        value = request.GET.get(key, default)
        side[key] = value if value in valid else default
    if any(key in request.GET and request.GET[key] not in valid for key in ("a", "b")):
        messages.warning(request, _("所选版本不存在，已显示默认比较。"))

    def data_for(value):
        if value == "draft":
            return working
        return versions[int(value)].data if value else {}

    changed_only = request.GET.get("changed") == "1"
    rows = compare_snapshots(data_for(side["a"]), data_for(side["b"]), changed_only=changed_only, avoid=avoid) \
        if side["a"] and side["b"] else []
    return render(request, "applications/compare.html", {
        "application": application, "choices": choices, "a": side["a"], "b": side["b"], "rows": rows,
        "changed_only": changed_only, "changes": sum(1 for r in rows if r["changed"]),
    })


@login_required
@require_POST
def decide(request, pk: int):
    application = _get(request, pk, "applications.decide_application")
    form = DecisionForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    action = request.POST.get("action")
    try:
        if action == "recommend":
            services.application_recommend(application=application, by=request.user, note=reason)
            messages.success(request, _("已推荐。"))
        elif action == "reject":
            services.application_reject(application=application, by=request.user, reason=reason)
            messages.success(request, _("已作不予推荐处理。"))
        elif action == "return":
            application, warnings = services.application_return(application=application, by=request.user, reason=reason)
            messages.success(request, _("已退回补正，补正截止：%(when)s。") % {
                "when": timezone.localtime(application.correction_deadline).strftime("%Y-%m-%d %H:%M:%S")})
            for warning in warnings:
                messages.warning(request, warning)
        else:
            messages.error(request, _("未知的操作。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("applications:detail", pk=pk)


@login_required
def review_queue(request):
    """Applications routed to the user's unit (recommender), or to its lists (organiser staff)."""
    user = request.user
    if not (user.has_role(Role.RECOMMENDER) or user.has_role(Role.STAFF) or user.is_superuser):
        raise PermissionDenied
    qs = application_list_for_user(user).exclude(lead_id=user.organisation_id)
    params = FilterParams(request)
    # Submitted ones unless another state (or "all": empty) is chosen.
    state = ApplicationState.SUBMITTED
    if "state" in request.GET:
        state = params.choice("state", label=_("状态"), choices=ApplicationState.choices) or ""
    if state:
        qs = qs.filter(state=state)
    if q := params.text("q"):
        qs = qs.filter(Q(lead__name__icontains=q) | Q(bang__title__icontains=q) | Q(number__icontains=q))
    if params.choice("mine", label=_("只看待我审查"), choices=["1"]):  # only what waits for this user's pre-check (the workbench's link)
        qs = qs.filter(application_precheck_q(user))
    page = paginate(request, application_rows(qs, region=True).order_by("submitted_at", "pk"), 20)
    _attach_submitted_partners(page)
    return render(request, "applications/review_queue.html", {
        "page_obj": page, "querystring": querystring_without_page(request), "states": ApplicationState.choices,
        "filters": request.GET, "effective_state": state,
    })


def _summary_queryset(bang_list):
    """The list's applications past draft. Every one has been submitted, and the 汇总表 shows what
    was (`submitted_summary`), never a working copy."""
    return (
        Application.objects.filter(bang__bang_list=bang_list)
        .exclude(state=ApplicationState.DRAFT)
        .select_related("bang", "lead__region", "recommender")
        .order_by("bang__number", "submitted_at")
    )


def _attach_submitted_partners(applications) -> list:
    """Give each application `partner_rows`: its submitted partners with their unit's standing now
    (placeholder / unverified), looked up in one query for the whole page."""
    applications = list(applications)
    flags = unit_flags(p.get("credit_code") for a in applications for p in a.submitted_summary.get("partners", []))
    for application in applications:
        application.partner_rows = [
            (partner, "placeholder" if partner.get("is_placeholder") else flags.get(partner.get("credit_code"), ""))
            for partner in application.submitted_summary.get("partners", [])
        ]
    return applications


@login_required
def list_summary(request, pk: int):
    # The page shows the list's title; the permission reads its organiser.
    bang_list = get_object_or_404(bang_list_list_for_user(request.user).select_related(None).only("title", "organiser"),
                                  pk=pk)
    if not request.user.has_perm("bangs.manage_banglist", bang_list):
        raise PermissionDenied
    page = paginate(request, application_rows(_summary_queryset(bang_list)), 20)
    _attach_submitted_partners(page)
    return render(request, "applications/list_summary.html", {
        "bang_list": bang_list, "page_obj": page, "querystring": querystring_without_page(request),
    })


@login_required
def list_summary_export(request, pk: int):
    bang_list = get_object_or_404(bang_list_list_for_user(request.user), pk=pk)
    if not request.user.has_perm("bangs.manage_banglist", bang_list):
        raise PermissionDenied
    out = tempfile.TemporaryFile()
    summary_workbook(_summary_rows(_summary_queryset(bang_list)), out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"summary-{bang_list.pk}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _summary_rows(queryset, chunk: int = 500):
    """The applications in chunks, each with its partners' standing, so memory stays flat."""
    batch = []
    for application in queryset.iterator(chunk_size=chunk):
        batch.append(application)
        if len(batch) == chunk:
            yield from _attach_submitted_partners(batch)
            batch = []
    if batch:
        yield from _attach_submitted_partners(batch)


def _get_version(request, pk: int) -> ApplicationVersion:
    version = get_object_or_404(ApplicationVersion.objects.select_related("application", "submitted_by"), pk=pk)
    _get(request, version.application_id)  # 404 unless the user may see the application
    return version


@login_required
def receipt(request, pk: int):
    version = _get_version(request, pk)
    return render(request, "pdf/receipt.html", {"version": version, "application": version.application,
                                                "for_browser": True})


@login_required
def receipt_pdf(request, pk: int):
    version = _get_version(request, pk)
    html = render_to_string("pdf/receipt.html", {"version": version, "application": version.application,
                                                 "for_browser": False})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{version.receipt}.pdf"'
    return response


@login_required
def attachment_download(request, pk: int):
    """The lead may download any of its files; everyone else only files that were submitted."""
    attachment = get_object_or_404(Attachment.objects.select_related("application"), pk=pk)
    application = _get(request, attachment.application_id)
    if not request.user.has_perm("applications.own_application", application):
        if attachment.pk not in submitted_attachment_ids(application, application.versions.all()):
            raise Http404
    return file_response(attachment.file, attachment.original_name)


def bang_apply_context(request, bang: Bang) -> dict:
    """For the bang page: what this visitor can do next about `bang`.

    An applicant may start an application, or is told why not, or is led back to the unit's own one;
    an anonymous visitor is offered to sign in (and come back here) or to register a unit.
    """
    user = request.user
    if not user.is_authenticated:
        return {"login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"}
    if not user.has_role(Role.APPLICANT):
        return {}
    existing = Application.objects.filter(bang=bang, lead_id=user.organisation_id).exclude(
        state=ApplicationState.WITHDRAWN
    ).first()
    return {
        "apply_refusal": services.application_start_refusal(bang=bang, user=user),
        "my_application": existing,
        # A draft before the deadline, or a returned application (its own correction window), is still
        # the unit's to fill in; anything else is to look at.
        "my_application_fillable": existing is not None and (
            existing.state == ApplicationState.RETURNED
            or (existing.state == ApplicationState.DRAFT and bang.bang_list.is_open())
        ),
        "is_applicant": True,
    }


@login_required
def routes(request):
    """Staff map regions to recommending bodies (推荐单位)."""
    from .forms import RecommenderRouteForm
    from .models import RecommenderRoute

    if not request.user.has_perm("accounts.manage_units"):
        raise PermissionDenied
    form = RecommenderRouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.recommender_route_set(by=request.user, **form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect("applications:routes")
    qs = RecommenderRoute.objects.select_related("region", "recommender").order_by("region__code")
    page = paginate(request, qs, 50)
    return render(request, "applications/routes.html", {"form": form, "page_obj": page, "querystring": ""})
