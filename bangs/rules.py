import rules

from accounts.rules import is_expert, is_portal_staff
from demands.rules import is_demand_screener

from .enums import BangListState


@rules.predicate
def is_list_organiser_staff(user, bang_list) -> bool:
    if bang_list is None:
        return False
    return user.is_superuser or (user.organisation_id is not None and user.organisation_id == bang_list.organiser_id)


@rules.predicate
def is_draft(user, bang_list) -> bool:
    return bang_list is not None and bang_list.state == BangListState.DRAFT


@rules.predicate
def is_published(user, bang_list) -> bool:
    return bang_list is not None and bang_list.state == BangListState.PUBLISHED


@rules.predicate
def has_organisation(user) -> bool:
    return user.organisation_id is not None


@rules.predicate
def is_opinion_expert(user, opinion) -> bool:
    return opinion is not None and opinion.expert_id == user.pk


organiser = is_portal_staff & is_list_organiser_staff

rules.add_perm("bangs.add_banglist", is_portal_staff & has_organisation)
rules.add_perm("bangs.manage_banglist", organiser)
rules.add_perm("bangs.change_banglist", organiser & is_draft)
rules.add_perm("bangs.publish_banglist", organiser & is_draft)
rules.add_perm("bangs.amend_banglist", organiser & is_published)
rules.add_perm("bangs.withdraw_banglist", organiser & is_published)
rules.add_perm("bangs.assign_experts", is_portal_staff & is_demand_screener)
rules.add_perm("bangs.give_opinion", is_expert & is_opinion_expert)
rules.add_perm("bangs.expert_dashboard", is_expert)
