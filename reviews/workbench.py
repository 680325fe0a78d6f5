"""The expert's review block of the workbench (see core.workbench)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.workbench import Block, Count, ITEM_LIMIT, Item, deadline_note

from .enums import AssignmentState
from .selectors import expert_seats


def expert_review_block(user) -> Block | None:
    """Invitations to answer and panels to score, nearest deadline first. Three queries."""
    if not user.has_role(Role.EXPERT):
        return None
    seats = expert_seats(user)
    invited = seats.filter(state=AssignmentState.INVITED).count()
    total = seats.count()
    items = []
    for seat in seats.order_by("-state", "respond_by")[:ITEM_LIMIT] if total else []:
        if seat.state == AssignmentState.INVITED:
            note, urgent = deadline_note(seat.respond_by, label=_("请确认，期限："))
        else:
            note, urgent = deadline_note(seat.bang.bang_list.review_plan.deadline, label=_("评审截止："))
        items.append(Item(label=f"{seat.bang.number}. {seat.bang.title}", url=reverse("reviews:assignment", args=[seat.pk]),
                          note=note, urgent=urgent))
    return Block(
        key="expert_reviews",
        title=_("评审任务"),
        total=total,
        items=items,
        all_url=reverse("reviews:dashboard"),
        counts=[Count(_("待确认邀请"), invited, reverse("reviews:dashboard")),
                Count(_("评审中"), total - invited, reverse("reviews:dashboard"))],
        empty_text=_("暂无评审任务。"),
    )
