"""The applicant's and the recommender's blocks of the workbench (see core.workbench)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.workbench import Block, Count, ITEM_LIMIT, Item, deadline_note, list_url

from .enums import ApplicationState
from .selectors import application_precheck_for_user, application_state_counts, application_todo_for_user



def applicant_block(user) -> Block | None:
    """The unit's drafts (with the days left to the list's deadline) and returned applications
    (with the correction deadline). Two queries."""
    if not user.has_role(Role.APPLICANT) or not user.organisation_id:
        return None
    todo = application_todo_for_user(user)
    counts = application_state_counts(todo, [ApplicationState.RETURNED, ApplicationState.DRAFT])
    items = []
    for application in todo[:ITEM_LIMIT] if any(counts.values()) else []:
        if application.state == ApplicationState.RETURNED:
            note, urgent = deadline_note(application.correction_deadline, label=_("退回补正，补正截止："))
            urgent = True
        else:
            note, urgent = deadline_note(application.bang.bang_list.deadline, label=_("草稿，申报截止："))
        items.append(Item(label=str(application.bang), url=reverse("applications:edit", args=[application.pk]),
                          note=note, urgent=urgent))
    return Block(
        key="applicant",
        title=_("我的揭榜申报"),
        total=sum(counts.values()),
        items=items,
        all_url=reverse("applications:list"),
        counts=[
            Count(_("退回补正"), counts[ApplicationState.RETURNED],
                  list_url("applications:list", state=ApplicationState.RETURNED)),
            Count(_("草稿"), counts[ApplicationState.DRAFT], list_url("applications:list", state=ApplicationState.DRAFT)),
        ],
        empty_text=_("没有待填报或待补正的申报。"),
    )


def recommender_block(user) -> Block | None:
    """Submitted applications routed to the unit for pre-check, with the recommendation deadline.
    Two queries."""
    if not (user.has_role(Role.RECOMMENDER) or user.has_role(Role.STAFF)) or not user.organisation_id:
        return None
    queue = application_precheck_for_user(user)
    total = queue.count()
    items = []
    for application in queue[:ITEM_LIMIT] if total else []:
        note, urgent = deadline_note(application.bang.bang_list.recommend_deadline, label=_("推荐截止："))
        label = _("%(unit)s · %(bang)s") % {"unit": application.lead, "bang": application.bang}
        items.append(Item(label=label, url=reverse("applications:detail", args=[application.pk]),
                          note=note, urgent=urgent))
    return Block(
        key="recommender",
        title=_("待形式审查的申报"),
        total=total,
        items=items,
        all_url=list_url("applications:review", state=ApplicationState.SUBMITTED, mine="1"),
        counts=[Count(_("待形式审查"), total, list_url("applications:review", state=ApplicationState.SUBMITTED, mine="1"))],
        empty_text=_("暂无待形式审查的申报。"),
    )
