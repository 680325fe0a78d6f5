"""Task-book pages (issue 12): the list, the task book itself, the lead's draft, the version
comparison, comments and returns, 定稿, the issued PDF, signing and its scans, 变更.

Each page loads the task book through `selectors.task_books_for` (another unit's task book is a 404)
and checks a `contracts.*` rule; each change is one call into `contracts.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.enums import CostCategory, FundingSource
from core.exceptions import DomainError
from core.files import file_response
from core.params import FilterParams, parse_int
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page

from . import compare as compare_content
from . import content as rules_of
from . import services
from .enums import AWAITING_SIGNATURES, EDITABLE, ISSUED, StaffRole, TaskBookState
from .forms import CommentForm, DraftForms, ReasonForm, SignForm
from .models import SigningParty, TaskBook
from .selectors import task_books_for

LABELS = {"sources": FundingSource.choices, "categories": CostCategory.choices, "staff_roles": StaffRole.choices}
SECTIONS = ("project", "objectives", "route", "indicators", "schedule", "staffing", "budget", "disbursement")


def _task_book(request, pk: int, perm: str = "contracts.view") -> TaskBook:
    task_book = get_object_or_404(
        task_books_for(request.user).select_related("award__decision__bang__bang_list__organiser", "finalised_by")
        .prefetch_related("award__decision__bang__issuers"), pk=pk)
    if not request.user.has_perm(perm, task_book):
        raise PermissionDenied
    return task_book


@login_required
def task_book_list(request):
    """The task books the user's unit is party to, or its organiser's; search and filter by state."""
    params = FilterParams(request)
    task_books = task_books_for(request.user)
    if state := params.choice("state", label=_("状态"), choices=TaskBookState.choices):
        task_books = task_books.filter(state=state)
    if q := params.text("q", max_length=100):
        task_books = task_books.filter(Q(project_number__icontains=q) | Q(project_name__icontains=q)
                                       | Q(award__application__lead__name__icontains=q))
    page = paginate(request, task_books.order_by("-updated_at", "-pk"), 20,
                    rows=lambda qs: qs.select_related("award__application__lead", "award__decision__bang__bang_list"))
    return render(request, "contracts/list.html", {
        "page_obj": page, "states": TaskBookState.choices, "filters": request.GET,
        "querystring": querystring_without_page(request)})


def _indicator_rows(content: dict) -> list[dict]:
    return [{**row, "verdict": rules_of.indicator_verdict(row), "needs_confirmation": rules_of.needs_confirmation(row)}
            for row in content.get("indicators", [])]


def _context(request, task_book: TaskBook, **extra) -> dict:
    user = request.user
    content = task_book.content
    parties = list(task_book.parties.select_related("confirmed_by"))
    for party in parties:
        party.mine = user.has_perm("contracts.sign", party)
    versions = list(task_book.versions.select_related("saved_by").order_by("-number"))
    context = {
        "task_book": task_book, "content": content, "award": task_book.award, "bang": task_book.award.decision.bang,
        "indicators": _indicator_rows(content), "totals": rules_of.totals(content), "parties": parties,
        "versions": versions, "latest_version": versions[0].number if versions else 0,
        "comments": task_book.comments.select_related("author", "organisation"),
        "revisions": TaskBook.objects.filter(award=task_book.award).exclude(pk=task_book.pk).order_by("revision"),
        "can_edit": user.has_perm("contracts.edit", task_book),
        "can_comment": user.has_perm("contracts.comment", task_book),
        "can_manage": user.has_perm("contracts.manage", task_book),
        "issued": task_book.state in ISSUED, "editable": task_book.state in EDITABLE,
        "problems": rules_of.errors(content, subsidy=task_book.award.subsidy,
                                    period_months=task_book.award.decision.bang.period_months, final=True)
        if task_book.state in EDITABLE else {},
        "activity": activity_list_for(task_book), "state_choices": dict(TaskBookState.choices),
        "conditions": dict(rules_of.Condition.choices()),
        "comment_form": CommentForm(), "show_checks": task_book.state in EDITABLE,
        **LABELS,
    }
    context.update(extra)
    return context


@login_required
def detail(request, pk: int):
    """The task book; its comment form posts here, so a refused comment stays on this address."""
    if request.method == "POST":
        return comment(request, pk)
    task_book = _task_book(request, pk)
    return render(request, "contracts/detail.html", _context(request, task_book))


def _section_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by section of the form; anything not a section goes to the top."""
    if not hasattr(error, "error_dict"):
        return {"general": error.messages}
    found: dict[str, list[str]] = {}
    for key, messages_ in error.message_dict.items():
        found.setdefault(key if key in SECTIONS or key in SignForm.base_fields else "general", []).extend(messages_)
    return found


@login_required
def edit(request, pk: int):
    """The lead edits the draft within the rules; every save is a kept version."""
    task_book = _task_book(request, pk, "contracts.edit")
    latest = task_book.versions.order_by("-number").values_list("number", flat=True).first() or 0
    forms = DraftForms(task_book.content, request.POST if request.method == "POST" else None)
    section_errors = {}
    shown_version = latest
    if request.method == "POST":
        seen = parse_int(request.POST.get("seen_version", ""))
        # A refused form is shown again based on the version it was typed against, not the latest:
        # otherwise a second click would save the stale fields over someone else's version.
        shown_version = seen if seen is not None else -1
        if forms.is_valid():
            try:
                version = services.task_book_save(task_book=task_book, by=request.user, content=forms.content(),
                                                  seen_version=seen if seen is not None else -1,
                                                  note=forms.project.cleaned_data.get("note", ""))
            except ValidationError as error:
                section_errors = _section_errors(error)
            except DomainError as error:
                section_errors = {"general": [error.message]}
                if seen != latest:
                    section_errors["general"].append(
                        _("请在新窗口打开任务书查看最新版本，将本页需要保留的内容复制后刷新本页重新填写。"))
            else:
                if version is None:
                    messages.info(request, _("内容没有变化，未生成新版本。"))
                else:
                    messages.success(request, _("已保存为第%(n)d版。") % {"n": version.number})
                return redirect("contracts:detail", pk=task_book.pk)
        messages.error(request, _("未能保存，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "contracts/edit.html", {
        "task_book": task_book, "forms": forms, "content": task_book.content, "latest_version": shown_version,
        "section_errors": section_errors, "subsidy": task_book.award.subsidy,
        "period_months": task_book.award.decision.bang.period_months,
        "comments": task_book.comments.filter(returned=True).select_related("organisation").order_by("-created_at")[:1]
        if task_book.state == TaskBookState.RETURNED else [],
        "totals": _safe_totals(task_book.content),
    })


def _safe_totals(content: dict) -> dict:
    try:
        return rules_of.totals(content)
    except ValueError:
        return {}


@login_required
def version_compare(request, pk: int, number: int):
    """Version `number` beside the one before it, field by field."""
    task_book = _task_book(request, pk)
    version = get_object_or_404(task_book.versions.select_related("saved_by"), number=number)
    previous = task_book.versions.filter(number__lt=number).order_by("-number").first()
    rows = compare_content.compare(previous.content if previous else {}, version.content)
    return render(request, "contracts/compare.html", {
        "task_book": task_book, "version": version, "previous": previous, "rows": rows,
        "changed": sum(1 for r in rows if r["changed"])})


@login_required
@require_POST
def comment(request, pk: int):
    """The issuing enterprise or the organiser's staff comment, or return the draft with a reason."""
    task_book = _task_book(request, pk, "contracts.comment")
    form = CommentForm(request.POST)
    returned = request.POST.get("action") == "return"
    if form.is_valid():
        try:
            services.task_book_comment(task_book=task_book, by=request.user, body=form.cleaned_data["body"],
                                       returned=returned)
        except ValidationError as error:
            form.add_error("body", error.messages)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已退回牵头单位修改。") if returned else _("意见已发送。"))
            return redirect("contracts:detail", pk=task_book.pk)
    messages.error(request, _("未能提交意见，请按提示修改。"))
    return render(request, "contracts/detail.html", _context(request, task_book, comment_form=form), status=200)


@login_required
@require_POST
def indicator_confirm(request, pk: int, key: str):
    task_book = _task_book(request, pk, "contracts.manage")
    perform(request, lambda: services.indicator_confirm(task_book=task_book, by=request.user, key=key[:20]),
            success=_("已确认该指标不低于榜单要求和承诺值，并记入办理记录。"))
    return redirect("contracts:detail", pk=task_book.pk)


@login_required
def finalise(request, pk: int):
    """定稿: a confirmation page listing what is still wrong; the POST freezes and issues."""
    task_book = _task_book(request, pk, "contracts.manage")
    if request.method == "POST":
        seen = parse_int(request.POST.get("seen_version", ""))
        done = perform(request, lambda: services.task_book_finalise(task_book=task_book, by=request.user,
                                                                    seen_version=seen if seen is not None else -1),
                       success=_("任务书已定稿并签发，已通知各方下载盖章。"))
        if done is not None:
            return redirect("contracts:detail", pk=task_book.pk)
        return redirect("contracts:finalise", pk=task_book.pk)
    return render(request, "contracts/finalise.html", _context(request, task_book))


@login_required
def amend(request, pk: int):
    """变更 after the task book is in force: a new revision, signed again by all; both are kept."""
    task_book = _task_book(request, pk, "contracts.manage")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.task_book_amend(task_book=task_book, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已发起变更（第%(n)d版），请牵头单位修改后定稿、重新签署。") % {"n": amendment.revision})
            return redirect("contracts:detail", pk=amendment.pk)
    return render(request, "contracts/amend.html", {"task_book": task_book, "form": form})


@login_required
def pdf(request, pk: int):
    """The issued PDF, signed by the platform, as the parties download it to seal."""
    task_book = _task_book(request, pk)
    if task_book.state not in ISSUED or not task_book.pdf:
        messages.error(request, _("任务书尚未定稿签发。"))
        return redirect("contracts:detail", pk=task_book.pk)
    name = f"{task_book.project_number}-任务书"
    if task_book.revision > 1:
        name += f"-第{task_book.revision}版"
    return file_response(task_book.pdf, f"{name}.pdf")


def _party(request, task_book: TaskBook, party_pk: int) -> SigningParty:
    return get_object_or_404(SigningParty.objects.select_related("confirmed_by"), task_book=task_book, pk=party_pk)


@login_required
def sign(request, pk: int, party_pk: int):
    """One party uploads its sealed scan and confirms who signed."""
    task_book = _task_book(request, pk)
    party = _party(request, task_book, party_pk)
    if not request.user.has_perm("contracts.sign", party):
        raise PermissionDenied
    if party.signed or task_book.state not in AWAITING_SIGNATURES:
        # Nothing to upload: say so before anyone scans and uploads a file for nothing.
        if party.signed:
            messages.info(request, _("“%(name)s”已签署。") % {"name": party.name})
        else:
            messages.error(request, _("任务书当前状态为“%(state)s”，不能签署。") % {"state": task_book.get_state_display()})
        return redirect("contracts:detail", pk=task_book.pk)
    form = SignForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_book_sign(party=party, by=request.user, scan=data["scan"], signer_name=data["signer_name"],
                                    signer_title=data["signer_title"])
        except ValidationError as error:
            for field, errors in _section_errors(error).items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            task_book.refresh_from_db()
            messages.success(request, _("已签署。") + (_("各方均已签署，任务书已生效。")
                                                     if task_book.state == TaskBookState.IN_FORCE else ""))
            return redirect("contracts:detail", pk=task_book.pk)
    if request.method == "POST":
        messages.error(request, _("未能签署，请按提示修改后重新上传。"))
    return render(request, "contracts/sign.html", {"task_book": task_book, "party": party, "form": form})


@login_required
def scan(request, pk: int, party_pk: int):
    task_book = _task_book(request, pk)
    party = _party(request, task_book, party_pk)
    if not party.signed:
        raise PermissionDenied
    return file_response(party.scan, party.scan_name or "scan")


