"""The enterprise's and the screening staff's blocks of the workbench (see core.workbench)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.workbench import ITEM_LIMIT, Block, Count, Item, list_url

from .enums import DemandState
from .selectors import demand_screening_for_user, demand_state_counts, demand_todo_for_user


def _list_url(**params) -> str:
    return list_url("demands:list", **params)


def enterprise_demands_block(user) -> Block | None:
    """Drafts and returned demands of the user's unit. Two queries."""
    if not user.has_role(Role.ENTERPRISE) or not user.organisation_id:
        return None
    todo = demand_todo_for_user(user)
    counts = demand_state_counts(todo, [DemandState.RETURNED, DemandState.DRAFT])
    items = []
    for demand in todo[:ITEM_LIMIT] if any(counts.values()) else []:
        if demand.state == DemandState.RETURNED:
            note = _("退回修改：%(reason)s") % {"reason": demand.return_reason} if demand.return_reason else _("退回修改")
        else:
            note = _("草稿")
        items.append(Item(label=str(demand), url=reverse("demands:detail", args=[demand.pk]), note=note,
                          urgent=demand.state == DemandState.RETURNED))
    return Block(
        key="enterprise_demands",
        title=_("我的需求"),
        total=sum(counts.values()),
        items=items,
        all_url=_list_url(),
        counts=[
            Count(_("退回修改"), counts[DemandState.RETURNED], _list_url(state=DemandState.RETURNED)),
            Count(_("草稿"), counts[DemandState.DRAFT], _list_url(state=DemandState.DRAFT)),
        ],
        empty_text=_("没有待填报或待修改的需求。"),
    )


def screening_block(user) -> Block | None:
    """Demands waiting in the user's department's screening queue. Two queries."""
    # Organiser staff without a screening department have no queue: no block rather than an empty one.
    if not user.is_superuser and not (user.has_role(Role.STAFF) and user.department_id):
        return None
    queue = demand_screening_for_user(user)
    total = queue.count()
    items = [
        Item(label=str(demand), url=reverse("demands:detail", args=[demand.pk]),
             note=_("%(unit)s，提交于%(date)s") % {
                 "unit": demand.organisation, "date": f"{timezone.localtime(demand.submitted_at):%Y-%m-%d}" if demand.submitted_at else ""})
        for demand in (queue[:ITEM_LIMIT] if total else [])
    ]
    return Block(
        key="screening",
        title=_("待审核需求"),
        total=total,
        items=items,
        all_url=reverse("demands:queue"),
        counts=[Count(_("待审核"), total, reverse("demands:queue"))],
        empty_text=_("本处室暂无待审核的需求。"),
    )
