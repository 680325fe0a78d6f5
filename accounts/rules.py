import rules

from .enums import Role


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.has_role(role))

    return predicate


is_enterprise = _has_role(Role.ENTERPRISE)
is_applicant = _has_role(Role.APPLICANT)
is_expert = _has_role(Role.EXPERT)
is_recommender = _has_role(Role.RECOMMENDER)


@rules.predicate
def is_portal_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(Role.STAFF)))


@rules.predicate
def is_platform_admin(user) -> bool:
    """平台管理员: the superuser, or a user another administrator gave the admin role."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(Role.ADMIN))
    )


@rules.predicate
def is_first_user_of_unit(user, join_request) -> bool:
    return join_request is not None and join_request.organisation.first_user_id == user.pk


@rules.predicate
def may_touch_account(user, target) -> bool:
    """A superuser's account is edited by a superuser only."""
    return target is None or not target.is_superuser or user.is_superuser


rules.add_perm("accounts.manage_units", is_portal_staff)
# Accounts (create, edit, re-role, deactivate, send a reset, unlock) are the administrators' alone:
# organiser staff run lists, not people, so they cannot move themselves into another organiser.
rules.add_perm("accounts.manage_users", is_platform_admin)
rules.add_perm("accounts.change_user", is_platform_admin & may_touch_account)
# Approving a join request attaches a person to a unit and grants a role: account management too.
rules.add_perm("accounts.decide_join_request", is_platform_admin | is_first_user_of_unit)


@rules.predicate
def is_member_of_unit(user, organisation) -> bool:
    return organisation is not None and user.organisation_id == organisation.pk


# The unit's particulars are kept by its enterprise or applicant accounts (not by experts or staff
# who merely belong to it).
rules.add_perm("accounts.change_unit", is_member_of_unit & (is_enterprise | is_applicant))

# The second factor (两步验证) is for the accounts OTP_REQUIRED_ROLES can name (accounts.two_factor).
rules.add_perm("accounts.use_two_factor", is_platform_admin | is_portal_staff | is_recommender)
