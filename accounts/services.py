from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from core.services import activity_record
from notifications.services import notification_send

from .enums import JoinRequestState, Role
from .models import JoinRequest, Organisation, RoleGrant, User
from .selectors import staff_users

SELF_REGISTERING_ROLES = {Role.ENTERPRISE, Role.APPLICANT}


@transaction.atomic
def organisation_register(*, unit: dict, user: dict, password: str, role: str) -> tuple[User, JoinRequest | None]:
    """Register a unit with its first user, claim a placeholder, or ask to join a registered unit.

    A credit code nobody holds: creates the unit with this user as its first user. A code that an
    applicant typed in as a partner (a placeholder): the registrant claims it; the unit keeps its
    row, so applications that named it still do, but takes the registrant's particulars and stays
    unverified until staff check it. A registered unit's code: a pending join request that the
    unit's first user and staff are told about.

    Side effects: creates the user; the unit (new or claimed) with the user's role and an activity
    entry, or the join request and its notifications.
    """
    if role not in SELF_REGISTERING_ROLES:
        raise DomainError(_("只有发榜企业和揭榜单位可以自行注册。"))
    new_user = User(**user)
    new_user.set_password(password)
    new_user.save()
    # Locked so that two people registering the same placeholder's code cannot both claim it.
    existing = (
        Organisation.objects.select_for_update(of=("self",)).filter(credit_code=unit["credit_code"])
        .select_related("first_user").first()
    )
    if existing is None:
        org = Organisation.objects.create(**unit, first_user=new_user)
        new_user.organisation = org
        new_user.save(update_fields=["organisation"])
        RoleGrant.objects.create(user=new_user, role=role)
        activity_record(target=org, by=new_user, action=_("注册单位"))
        return new_user, None
    if existing.is_placeholder:
        # The typed name was never checked: what the registrant enters replaces it.
        typed_name = existing.name
        particulars = {name: value for name, value in unit.items() if name != "credit_code"}
        for name, value in particulars.items():
            setattr(existing, name, value)
        existing.first_user = new_user
        existing.is_placeholder = False
        existing.is_verified = False
        existing.save(update_fields=[*particulars, "first_user", "is_placeholder", "is_verified", "updated_at"])
        new_user.organisation = existing
        new_user.save(update_fields=["organisation"])
        RoleGrant.objects.create(user=new_user, role=role)
        activity_record(
            target=existing, by=new_user, action=_("认领代填单位"),
            note=_("代填名称：%(name)s") % {"name": typed_name},
        )
        return new_user, None
    request = JoinRequest.objects.create(organisation=existing, user=new_user, role=role)
    activity_record(target=existing, by=new_user, action=_("申请加入单位"), note=new_user.display_name)
    recipients = list(staff_users())
    if existing.first_user is not None:
        recipients.append(existing.first_user)
    notification_send(
        recipients=recipients,
        event_key=f"join_request:{request.pk}:created",
        title=_("%(name)s 申请加入 %(unit)s") % {"name": new_user.display_name, "unit": existing.name},
        url=reverse("accounts:join_requests"),
    )
    return new_user, request


def join_request_decide(*, join_request: JoinRequest, by: User, approve: bool) -> JoinRequest:
    """Approve or refuse a pending join request. Approving attaches the user and grants the role."""
    with transaction.atomic():
        request = JoinRequest.objects.select_for_update().select_related("organisation", "user").get(pk=join_request.pk)
        if request.state != JoinRequestState.PENDING:
            raise DomainError(_("该申请已处理。"))
        request.state = JoinRequestState.APPROVED if approve else JoinRequestState.REJECTED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_by", "decided_at"])
        if approve:
            member = request.user
            member.organisation = request.organisation
            member.save(update_fields=["organisation"])
            RoleGrant.objects.get_or_create(user=member, role=request.role)
        activity_record(
            target=request.organisation, by=by, action=_("同意加入") if approve else _("拒绝加入"),
            note=request.user.display_name,
        )
        notification_send(
            recipients=[request.user],
            event_key=f"join_request:{request.pk}:decided",
            title=(_("您加入 %(unit)s 的申请已通过") if approve else _("您加入 %(unit)s 的申请未通过"))
            % {"unit": request.organisation.name},
            url=reverse("dashboard"),
        )
    return request


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], by: User) -> None:
    wanted = set(roles)
    current = set(user.role_grants.values_list("role", flat=True))
    if wanted == current:
        return
    user.role_grants.exclude(role__in=wanted).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in wanted - current])
    labels = dict(Role.choices)
    activity_record(
        target=user, by=by, action=_("调整角色"),
        from_state=",".join(sorted(current)), to_state=",".join(sorted(wanted)),
        note="、".join(str(labels[r]) for r in sorted(wanted)),
    )
    user.__dict__.pop("role_codes", None)


@transaction.atomic
def user_create(*, data: dict, password: str, roles: Iterable[str], by: User) -> User:
    """Staff create an account (experts, recommenders, staff)."""
    new_user = User(**data)
    new_user.set_password(password)
    new_user.save()
    activity_record(target=new_user, by=by, action=_("创建账号"))
    user_set_roles(user=new_user, roles=roles, by=by)
    return new_user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> None:
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    activity_record(target=user, by=by, action=_("启用账号") if active else _("停用账号"))


@transaction.atomic
def organisation_set_verified(*, organisation: Organisation, verified: bool, by: User) -> None:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.is_verified == verified:
        return
    org.is_verified = verified
    org.save(update_fields=["is_verified", "updated_at"])
    activity_record(target=org, by=by, action=_("核验单位") if verified else _("取消核验"))


@transaction.atomic
def organisation_set_dishonest(*, organisation: Organisation, dishonest: bool, note: str, by: User) -> None:
    """Put a unit on the dishonesty list (失信) or take it off; the note is for staff only."""
    if dishonest and not note.strip():
        raise DomainError(_("列入失信名单须填写说明。"))
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.is_dishonest == dishonest and org.dishonest_note == note:
        return
    org.is_dishonest = dishonest
    org.dishonest_note = note
    org.save(update_fields=["is_dishonest", "dishonest_note", "updated_at"])
    activity_record(
        target=org, by=by, action=_("列入失信名单") if dishonest else _("移出失信名单"), internal_note=note
    )


@transaction.atomic
def user_update(*, user: User, data: dict, roles: Iterable[str], password: str, by: User) -> User:
    """Staff edit an account: particulars, roles, active flag and optionally a new password."""
    # Compare with the stored row: a bound ModelForm has already copied its data onto `user`.
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = [name for name, value in data.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, data[name])
    if password:
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
        activity_record(target=user, by=by, action=_("修改账号"), note=", ".join(c for c in changed if c != "password"))
    user_set_roles(user=user, roles=roles, by=by)
    return user


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict, by: User) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in data.items() if getattr(organisation, name) != value]
    if not changed:
        return organisation
    for name in changed:
        setattr(organisation, name, data[name])
    organisation.save(update_fields=[*changed, "updated_at"])
    activity_record(target=organisation, by=by, action=_("修改单位信息"), note=", ".join(changed))
    return organisation
