"""The task-book blocks of the workbench (see core.workbench): the organiser staff's lists whose task
books await signatures, and the task books waiting for the user's unit (to fill in, or to sign)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from bangs.selectors import bang_list_for_organiser
from core.workbench import ITEM_LIMIT, Block, Item
from core.workbench import Count as Figure

from .enums import AWAITING_SIGNATURES, EDITABLE, PartyKind, TaskBookState
from .models import TaskBook


def signing_lists_block(user) -> Block | None:
    """The organiser's lists with task books in progress, those awaiting signatures first. One query."""
    if not (user.is_superuser or (user.has_role(Role.STAFF) and user.organisation_id)):
        return None
    list_key = "award__decision__bang__bang_list"
    rows = list(
        TaskBook.objects.filter(amendment__isnull=True, state__in=(*EDITABLE, *AWAITING_SIGNATURES),
                                **{f"{list_key}__in": bang_list_for_organiser(user).values("pk")})
        .values(list_key, f"{list_key}__title")
        .annotate(awaiting=Count("pk", filter=Q(state__in=AWAITING_SIGNATURES)),
                  editing=Count("pk", filter=Q(state__in=EDITABLE)))
        .order_by("-awaiting", list_key))
    awaiting = sum(row["awaiting"] for row in rows)
    editing = sum(row["editing"] for row in rows)
    items = [
        Item(label=row[f"{list_key}__title"], url=reverse("contracts:ceremony", args=[row[list_key]]),
             note=_("待签署%(awaiting)d份，起草中%(editing)d份") % row)
        for row in rows[:ITEM_LIMIT]
    ]
    return Block(
        key="task_book_signing",
        title=_("任务书签约"),
        total=awaiting,
        items=items,
        all_url=reverse("contracts:list"),
        counts=[Figure(_("待签署"), awaiting, ""), Figure(_("起草中"), editing, "")],
        links=[],
        empty_text=_("暂无进行中的任务书。"),
    )


def my_task_books_block(user) -> Block | None:
    """The task books waiting for the user's unit: drafts for the lead's applicants to fill in, and
    issued ones the unit has still to seal (as lead or partner for applicants, as issuer for
    enterprises). Two queries; shown only when something waits."""
    org = user.organisation_id
    roles = [role for role in (Role.APPLICANT, Role.ENTERPRISE) if user.has_role(role)]
    if not org or not roles:
        return None
    unsigned = {"parties__organisation_id": org, "parties__signed_at__isnull": True,
                "state__in": AWAITING_SIGNATURES}
    q = Q(pk__in=[])
    if Role.APPLICANT in roles:
        q |= Q(award__application__lead_id=org, state__in=EDITABLE)
        q |= Q(parties__kind__in=[PartyKind.LEAD, PartyKind.PARTNER], **unsigned)
    if Role.ENTERPRISE in roles:
        q |= Q(parties__kind=PartyKind.ISSUER, **unsigned)
    # The parties join can repeat a row: select the ids first.
    waiting = TaskBook.objects.filter(pk__in=TaskBook.objects.filter(q, amendment__isnull=True).values("pk"))
    counts = waiting.aggregate(edit=Count("pk", filter=Q(state__in=EDITABLE)),
                               sign=Count("pk", filter=Q(state__in=AWAITING_SIGNATURES)))
    total = counts["edit"] + counts["sign"]
    if not total:
        return None
    items = []
    for task_book in waiting.order_by("-updated_at", "pk")[:ITEM_LIMIT]:
        if task_book.state == TaskBookState.RETURNED:
            note, urgent = _("已退回修改，请按意见修改后保存"), True
        elif task_book.state == TaskBookState.DRAFTING:
            note, urgent = _("请核对填写任务书"), False
        else:
            note, urgent = _("请下载任务书，盖章后上传扫描件"), True
        items.append(Item(label=f"{task_book}：{task_book.project_name}",
                          url=reverse("contracts:detail", args=[task_book.pk]), note=note, urgent=urgent))
    return Block(
        key="my_task_books",
        title=_("我的任务书"),
        total=total,
        items=items,
        all_url=reverse("contracts:list"),
        counts=[Figure(_("待填写"), counts["edit"], ""), Figure(_("待盖章签署"), counts["sign"], "")],
        empty_text=_("暂无待办的任务书。"),
    )
