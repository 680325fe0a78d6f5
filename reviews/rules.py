import rules

from accounts.rules import is_enterprise, is_expert, is_platform_admin, is_portal_staff
from bangs.rules import is_list_organiser_staff

from .enums import AssignmentState


@rules.predicate
def is_own_assignment(user, assignment) -> bool:
    return assignment is not None and assignment.expert_id == user.pk


@rules.predicate
def is_accepted(user, assignment) -> bool:
    return assignment is not None and assignment.state == AssignmentState.ACCEPTED


@rules.predicate
def is_invited(user, assignment) -> bool:
    return assignment is not None and assignment.state == AssignmentState.INVITED


@rules.predicate
def is_bang_issuer(user, bang) -> bool:
    """The user's unit issued the bang (发榜企业)."""
    return (bang is not None and user.organisation_id is not None
            and bang.issuers.filter(pk=user.organisation_id).exists())


@rules.predicate
def scoring_has_closed(user, bang) -> bool:
    plan = getattr(bang.bang_list, "review_plan", None) if bang is not None else None
    return plan is not None and plan.scoring_closed()


# The pool is kept by administrators and by organiser staff (any organiser draws from the one pool).
rules.add_perm("reviews.manage_pool", is_platform_admin | is_portal_staff)
# The review of a list: its organiser's staff only (target: the BangList).
rules.add_perm("reviews.manage_review", is_portal_staff & is_list_organiser_staff)
rules.add_perm("reviews.own_profile", is_expert)
rules.add_perm("reviews.respond_invitation", is_expert & is_own_assignment & is_invited)
rules.add_perm("reviews.score", is_expert & is_own_assignment & is_accepted)
# The issuing enterprise's say, on its own bang, once scoring is over (target: the Bang).
rules.add_perm("reviews.enterprise_opinion", is_enterprise & is_bang_issuer & scoring_has_closed)
