"""Who may do what with a task book (issue 12).

- The lead unit's applicants edit the draft and sign for the lead; a partner's applicants read it
  (and sign if the configuration makes partners parties).
- The issuing enterprise's users read, comment, return and sign for their enterprise.
- The organiser's staff (of the list the bang is on) comment, return, confirm non-numeric indicators,
  finalise, amend, sign for the organiser, and run the signing ceremony.
"""

import rules

from accounts.enums import Role
from accounts.rules import is_portal_staff
from bangs.rules import is_list_organiser_staff

from .enums import EDITABLE, PartyKind


def _has(user, role) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(role))


def _bang(task_book):
    return task_book.award.decision.bang


@rules.predicate
def is_organiser_staff(user, task_book) -> bool:
    return task_book is not None and is_portal_staff(user) and is_list_organiser_staff(user, _bang(task_book).bang_list)


@rules.predicate
def is_lead_applicant(user, task_book) -> bool:
    return (task_book is not None and _has(user, Role.APPLICANT) and user.organisation_id is not None
            and task_book.award.application.lead_id == user.organisation_id)


@rules.predicate
def is_partner_applicant(user, task_book) -> bool:
    return (task_book is not None and _has(user, Role.APPLICANT) and user.organisation_id is not None
            and task_book.award.application.submitted_partners.filter(pk=user.organisation_id).exists())


@rules.predicate
def is_issuer_user(user, task_book) -> bool:
    return (task_book is not None and _has(user, Role.ENTERPRISE) and user.organisation_id is not None
            and _bang(task_book).issuers.filter(pk=user.organisation_id).exists())


@rules.predicate
def is_editable(user, task_book) -> bool:
    return task_book is not None and task_book.state in EDITABLE


@rules.predicate
def can_sign_for(user, party) -> bool:
    """The party is the user's unit, with the role that unit signs in."""
    if party is None or not user.is_authenticated or not user.is_active or user.organisation_id != party.organisation_id:
        return False
    role = {PartyKind.LEAD: Role.APPLICANT, PartyKind.PARTNER: Role.APPLICANT, PartyKind.ISSUER: Role.ENTERPRISE,
            PartyKind.ORGANISER: Role.STAFF}[party.kind]
    return user.has_role(role)


@rules.predicate
def is_organiser_staff_of_list(user, bang_list) -> bool:
    return is_portal_staff(user) and is_list_organiser_staff(user, bang_list)


rules.add_perm("contracts.view", is_organiser_staff | is_lead_applicant | is_partner_applicant | is_issuer_user)
rules.add_perm("contracts.edit", is_lead_applicant & is_editable)
rules.add_perm("contracts.comment", (is_organiser_staff | is_issuer_user) & is_editable)
rules.add_perm("contracts.manage", is_organiser_staff)
rules.add_perm("contracts.sign", can_sign_for)
# The signing ceremony of a list, and the list's military-order template (target: the BangList).
rules.add_perm("contracts.ceremony", is_organiser_staff_of_list)
rules.add_perm("contracts.order_template", is_portal_staff)


# --- projects (issue 13): the same parties as the task book, through the project's award ----------


def _tb_view(user, project) -> bool:
    return project is not None and user.has_perm("contracts.view", project.task_book)


@rules.predicate
def is_project_party(user, project) -> bool:
    return _tb_view(user, project)


@rules.predicate
def is_project_lead(user, project) -> bool:
    return project is not None and is_lead_applicant(user, project.task_book)


@rules.predicate
def is_project_issuer(user, project) -> bool:
    return project is not None and is_issuer_user(user, project.task_book)


@rules.predicate
def is_project_staff(user, project) -> bool:
    return project is not None and is_organiser_staff(user, project.task_book)


# Read the project (ledger, reports, mid-term, acceptance).
rules.add_perm("contracts.project_view", is_project_party)
# The lead unit: confirm arrivals, file reports, record its own adjustments, apply for acceptance.
rules.add_perm("contracts.project_lead", is_project_lead)
# The issuing enterprise: record payments, comment on reports, judge acceptance.
rules.add_perm("contracts.project_issuer", is_project_issuer)
# The organiser's staff: disburse, accept or return reports, mid-term decisions, acceptance outcome.
rules.add_perm("contracts.project_manage", is_project_staff)
