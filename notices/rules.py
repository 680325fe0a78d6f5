"""Who may do what with notices and objections (issue 11). The objector's identity is the handlers'
alone: the organiser's staff of the list the notice belongs to."""

import rules

from accounts.enums import Role
from accounts.rules import is_portal_staff
from bangs.rules import is_list_organiser_staff


@rules.predicate
def is_notice_organiser_staff(user, notice) -> bool:
    return notice is not None and is_list_organiser_staff(user, notice.bang_list)


@rules.predicate
def is_objection_handler(user, objection) -> bool:
    """Staff of the organiser whose notice the objection is about."""
    return objection is not None and is_list_organiser_staff(user, objection.entry.notice.bang_list)


@rules.predicate
def is_applicant(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(Role.APPLICANT))


def _lead_ids(decision_id) -> set[int]:
    from reviews.models import Award

    return set(Award.objects.filter(decision_id=decision_id).values_list("application__lead_id", flat=True))


@rules.predicate
def is_response_lead(user, request) -> bool:
    """The user's unit leads one of the awards the objection is about."""
    return (request is not None and user.organisation_id is not None
            and user.organisation_id in _lead_ids(request.objection.entry.decision_id))


@rules.predicate
def is_award_lead(user, award) -> bool:
    return award is not None and user.organisation_id is not None and award.application.lead_id == user.organisation_id


@rules.predicate
def is_award_organiser_staff(user, award) -> bool:
    return award is not None and is_list_organiser_staff(user, award.decision.bang.bang_list)


# Publishing and correcting a notice (target: the BangList, or the Notice).
rules.add_perm("notices.publish", is_portal_staff & is_list_organiser_staff)
rules.add_perm("notices.amend", is_portal_staff & is_notice_organiser_staff)
# Handling an objection, and seeing who filed it (target: the Objection).
rules.add_perm("notices.handle", is_portal_staff & is_objection_handler)
# The lead unit's written response (target: the ResponseRequest): the grounds, never the objector.
rules.add_perm("notices.answer", is_applicant & is_response_lead)
# The 立项通知 of a confirmed award (target: the Award).
rules.add_perm("notices.approval", (is_portal_staff & is_award_organiser_staff) | (is_applicant & is_award_lead))
