"""The issuing enterprise's, the expert's and the organiser staff's blocks of the workbench
(see core.workbench)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.workbench import Block, Count, ITEM_LIMIT, Item, deadline_note, list_url

from .enums import BangListState
from .selectors import (
    bang_list_for_issuer,
    bang_list_for_organiser,
    bang_list_stage_counts,
    bang_list_stage_q,
    demand_opinion_todo_for_user,
)



def issued_bangs_block(user) -> Block | None:
    """Published bangs made from the unit's demands (or naming it as issuer). Two queries."""
    if not user.has_role(Role.ENTERPRISE) or not user.organisation_id:
        return None
    bangs = bang_list_for_issuer(user)
    total = bangs.count()
    items = [
        Item(label=str(bang), url=reverse("bangs:bang_detail", args=[bang.pk]),
             note=_("%(list)s，%(status)s") % {"list": bang.bang_list, "status": bang.bang_list.status_label()})
        for bang in (bangs[:ITEM_LIMIT] if total else [])
    ]
    return Block(
        key="issued_bangs",
        title=_("我的需求已发榜"),
        total=total,
        items=items,
        all_url=list_url("bangs:browse", issuer=user.organisation_id),
        counts=[Count(_("已发榜技术榜"), total, list_url("bangs:browse", issuer=user.organisation_id))],
        empty_text=_("您单位的需求尚未发榜。"),
    )


def expert_opinions_block(user) -> Block | None:
    """Screening opinions the expert has still to give. Two queries."""
    if not user.has_role(Role.EXPERT):
        return None
    opinions = demand_opinion_todo_for_user(user)
    total = opinions.count()
    items = [
        Item(label=str(opinion.demand), url=reverse("bangs:opinion", args=[opinion.pk]),
             note=_("%(unit)s，指派于%(date)s") % {
                 "unit": opinion.demand.organisation, "date": f"{timezone.localtime(opinion.assigned_at):%Y-%m-%d}"})
        for opinion in (opinions[:ITEM_LIMIT] if total else [])
    ]
    return Block(
        key="expert_opinions",
        title=_("待提交的专家意见"),
        total=total,
        items=items,
        all_url=list_url("bangs:expert_dashboard", pending="1"),
        counts=[Count(_("待提交"), total, list_url("bangs:expert_dashboard", pending="1"))],
        empty_text=_("暂无待提交的筛选意见。"),
    )


def organiser_lists_block(user) -> Block | None:
    """The organiser's lists by stage, and those still in progress, nearest deadline first. Two queries."""
    if not (user.is_superuser or (user.has_role(Role.STAFF) and user.organisation_id)):
        return None
    now = timezone.now()
    lists = bang_list_for_organiser(user)
    counts = bang_list_stage_counts(lists, now)
    stages = bang_list_stage_q(now)
    in_progress = lists.filter(stages["draft"] | stages["open"] | stages["closed"]).order_by("deadline", "pk")
    items = []
    for bang_list in in_progress[:ITEM_LIMIT] if any(counts.values()) else []:
        note, urgent = deadline_note(bang_list.deadline, label=_("申报截止："))
        items.append(Item(label=str(bang_list), url=reverse("bangs:list_detail", args=[bang_list.pk]),
                          note=f"{bang_list.status_label()} · {note}",
                          urgent=urgent and bang_list.state == BangListState.PUBLISHED))
    return Block(
        key="organiser_lists",
        title=_("我的榜单"),
        total=sum(counts.values()),
        items=items,
        all_url=reverse("bangs:manage"),
        counts=[
            Count(_("草稿"), counts["draft"], list_url("bangs:manage", stage="draft")),
            Count(_("已发布未截止"), counts["open"], list_url("bangs:manage", stage="open")),
            Count(_("已截止待评审"), counts["closed"], list_url("bangs:manage", stage="closed")),
        ],
        empty_text=_("暂无进行中的榜单。"),
    )
