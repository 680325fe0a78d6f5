"""The join-request and user-management block of the workbench (see core.workbench)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workbench import ITEM_LIMIT, Block, Count, Item, Link

from .enums import JoinRequestState
from .selectors import join_request_list_for_user


def join_requests_block(user) -> Block | None:
    """Pending join requests the user may decide: every one for a platform administrator (with a
    link to user management), its unit's for a unit's first user. Two queries; a user who is not
    an administrator sees the block only when a request waits."""
    is_admin = user.has_perm("accounts.manage_users")
    pending = join_request_list_for_user(user).filter(state=JoinRequestState.PENDING).order_by("created_at", "pk")
    total = pending.count()
    if not total and not is_admin:
        return None
    items = [
        Item(label=_("%(user)s 申请加入 %(unit)s（%(role)s）") % {
                 "user": request.user, "unit": request.organisation, "role": request.get_role_display()},
             url=reverse("accounts:join_requests"),
             note=_("申请于%(date)s") % {"date": f"{timezone.localtime(request.created_at):%Y-%m-%d}"})
        for request in (pending[:ITEM_LIMIT] if total else [])
    ]
    links = [Link(_("用户管理"), reverse("accounts:user_list"))] if is_admin else []
    return Block(
        key="join_requests",
        title=_("待审核的加入单位申请"),
        total=total,
        items=items,
        all_url=reverse("accounts:join_requests"),
        counts=[Count(_("待审核"), total, reverse("accounts:join_requests"))],
        links=links,
        empty_text=_("暂无待审核的加入单位申请。"),
    )
