from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from core.services import activity_record
from notifications.services import notification_send

from .enums import JoinRequestState, Role
from .models import JoinRequest, Organisation, RoleGrant, User
from .selectors import admin_users

SELF_REGISTERING_ROLES = {Role.ENTERPRISE, Role.APPLICANT}
# What staff check when they verify a unit: changing one sends the unit back for verification.
IDENTITY_FIELDS = {"name", "kind", "region"}


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
    recipients = list(admin_users())
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
            # On the account too: it gained a unit and a role.
            activity_record(target=member, by=by, action=_("加入单位"),
                            note=f"{request.organisation.name}（{request.get_role_display()}）")
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


def _require_may_manage(by: User, target: User | None = None) -> None:
    """Account management is for administrators; a superuser's account for superusers only."""
    if not by.has_perm("accounts.manage_users"):
        raise DomainError(_("只有平台管理员可以管理账号。"))
    if target is not None and not by.has_perm("accounts.change_user", target):
        raise DomainError(_("超级管理员的账号只能由超级管理员修改。"))


def grantable_roles(by: User) -> set[str]:
    """Roles `by` may hand out: every role for an administrator, else only those it holds itself."""
    if by.is_superuser or by.has_role(Role.ADMIN):
        return {r.value for r in Role}
    return set(by.role_codes)


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], by: User) -> None:
    wanted = set(roles)
    current = set(user.role_grants.values_list("role", flat=True))
    if wanted == current:
        return
    labels = dict(Role.choices)
    beyond = (wanted ^ current) - grantable_roles(by)
    if beyond:
        raise DomainError(_("您不能授予或撤销自己不具有的角色：%(roles)s。")
                          % {"roles": "、".join(str(labels[r]) for r in sorted(beyond))})
    user.role_grants.exclude(role__in=wanted).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in wanted - current])
    added, removed = wanted - current, current - wanted
    note = "；".join(part for part in (
        _("授予：%(roles)s") % {"roles": "、".join(str(labels[r]) for r in sorted(added))} if added else "",
        _("撤销：%(roles)s") % {"roles": "、".join(str(labels[r]) for r in sorted(removed))} if removed else "",
    ) if part)
    activity_record(
        target=user, by=by, action=_("调整角色"),
        from_state=",".join(sorted(current)), to_state=",".join(sorted(wanted)), note=note,
    )
    user.__dict__.pop("role_codes", None)


# What a person may not change on their own account: it would let them move into another
# organiser or raise their own rights.
SELF_LOCKED_FIELDS = ("organisation", "department", "is_active")


def _describe(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def user_create(*, data: dict, roles: Iterable[str], by: User) -> tuple[User, str | None]:
    """An administrator creates an account (experts, recommenders, staff).

    Nobody chooses another person's password: the account starts without one and, if active, its
    owner is e-mailed a link to set it. Returns the account and, if that e-mail could not be sent,
    why (the account stays; the link can be sent again from its page). Logged on the account.
    """
    _require_may_manage(by)
    if not data.get("email"):
        raise ValidationError({"email": _("新建账号须填写电子邮箱，用于接收设置密码的链接。")})
    with transaction.atomic():
        new_user = User(**data)
        new_user.set_unusable_password()
        new_user.save()
        activity_record(target=new_user, by=by, action=_("创建账号"))
        user_set_roles(user=new_user, roles=roles, by=by)
    if not new_user.is_active:
        return new_user, None
    try:
        user_password_reset_send(user=new_user, by=by, welcome=True)
    except DomainError as error:
        return new_user, error.message
    return new_user, None


@transaction.atomic
def user_update(*, user: User, data: dict, roles: Iterable[str], by: User) -> User:
    """An administrator edits an account: particulars, unit, roles, active flag. Never the password.

    Every changed field goes to the account's activity log with its old and new value.
    """
    # Compare with the stored row: a bound ModelForm has already copied its data onto `user`.
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_manage(by, user)
    changed = [name for name, value in data.items() if getattr(user, name) != value]
    department = data.get("department", user.department)
    organisation = data.get("organisation", user.organisation)
    if department is not None and department.organisation_id not in (None, getattr(organisation, "pk", None)):
        raise ValidationError({"department": _("所选处室不属于该账号的所属单位。")})
    if user.pk == by.pk:
        locked = [name for name in changed if name in SELF_LOCKED_FIELDS]
        if locked or set(roles) != set(user.role_grants.values_list("role", flat=True)):
            raise DomainError(_("不能修改自己账号的所属单位、处室、角色或启用状态，请由其他管理员办理。"))
    old_email = user.email if "email" in changed else ""
    notes = []
    for name in changed:
        label = User._meta.get_field(name).verbose_name
        notes.append(f"{label}：{_describe(getattr(user, name))} → {_describe(data[name])}")
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=changed)
        if old_email:
            _email_change_notice_send(user=user, old_email=old_email)
        active_changed = "is_active" in changed
        if active_changed:
            activity_record(target=user, by=by, action=_("启用账号") if user.is_active else _("停用账号"))
        rest = [n for n, name in zip(notes, changed, strict=True) if name != "is_active"]
        if rest:
            action = _("调整所属单位") if {"organisation", "department"} & set(changed) else _("修改账号")
            activity_record(target=user, by=by, action=action, note="；".join(rest))
    user_set_roles(user=user, roles=roles, by=by)
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_manage(by, user)
    if user.pk == by.pk:
        raise DomainError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    activity_record(target=user, by=by, action=_("启用账号") if active else _("停用账号"))


def _email_change_notice_send(*, user: User, old_email: str) -> None:
    """Tell the old address that an administrator changed the account's e-mail: a reset link sent
    to a new address must not be a quiet way into someone's account."""
    from django.conf import settings
    from django.core.mail import send_mail

    subject = _("您的账号邮箱已修改")
    body = _("%(portal)s 的管理员已将您的账号（%(username)s）的电子邮箱由 %(old)s 修改为 %(new)s。"
             "如非您本人要求，请立即与平台管理人员联系。") % {
        "portal": settings.PORTAL_NAME, "username": user.username, "old": old_email, "new": user.email}
    transaction.on_commit(lambda: send_mail(subject, body, None, [old_email], fail_silently=True))


def user_password_reset_send(*, user: User, by: User, welcome: bool = False) -> None:
    """E-mail the account's owner a link to set a new password (the same link as 忘记密码); for a
    new account (`welcome`) the mail says an administrator opened it.

    Sent in the request, so a mail server that refuses is reported instead of hidden: the
    outcome is logged on the account either way, and a failure raises DomainError.
    """
    import smtplib
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _require_may_manage(by, user)
    if not user.email:
        raise DomainError(_("该账号没有电子邮箱，无法发送重置密码邮件。"))
    if not user.is_active:
        raise DomainError(_("该账号已停用，请先启用再发送重置密码邮件。"))
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email, "domain": site.netloc, "site_name": settings.PORTAL_NAME, "protocol": site.scheme,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "user": user,
        "token": default_token_generator.make_token(user), "by": by,
    }
    prefix = "registration/account_created" if welcome else "registration/password_reset"
    action = _("发送设置密码邮件") if welcome else _("发送重置密码邮件")
    subject = "".join(render_to_string(f"{prefix}_subject.txt", context).splitlines())
    body = render_to_string(f"{prefix}_email.html", context)
    try:
        # Not PasswordResetForm.send_mail: it logs a refused mail and carries on as if it went.
        EmailMessage(subject, body, None, [user.email]).send()
    except (smtplib.SMTPException, OSError) as error:
        activity_record(target=user, by=by, action=_("邮件发送失败"), note=user.email,
                        internal_note=f"{action}: {error.__class__.__name__}")
        raise DomainError(_("邮件未能发出（邮件服务器无响应或拒收），请稍后在账号页面重新发送。")) from error
    activity_record(target=user, by=by, action=action, note=user.email)


def address_login_unlock(*, ip_address: str, by: User) -> int:
    """An administrator lifts the sign-in lock of a client address. Returns the rows removed."""
    import ipaddress

    from .lockout import login_lockout_clear_address

    _require_may_manage(by)
    try:
        ipaddress.ip_address(ip_address)
    except ValueError as error:
        raise DomainError(_("网络地址格式不正确。")) from error
    return login_lockout_clear_address(ip_address=ip_address, by=by)


def user_login_unlock(*, user: User, by: User) -> int:
    """An administrator lifts the sign-in lock of an account (failed-login counts kept by django-axes).

    Logged on the account by `login_lockout_clear`. Returns the attempt rows removed.
    """
    from .lockout import login_lockout_clear

    _require_may_manage(by, user)
    return login_lockout_clear(username=user.username, by=by)


@transaction.atomic
def organisation_set_verified(*, organisation: Organisation, verified: bool, by: User) -> None:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if verified and org.is_placeholder:
        raise DomainError(_("该单位由申报单位代为填写，尚未注册，不能核验。"))
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
def organisation_update(*, organisation: Organisation, data: dict, by: User) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in data.items() if getattr(organisation, name) != value]
    if not changed:
        return organisation
    for name in changed:
        setattr(organisation, name, data[name])
    # Staff verified the unit as it was named and placed; a new name, kind or region is checked again.
    unverify = organisation.is_verified and bool(IDENTITY_FIELDS & set(changed))
    if unverify:
        organisation.is_verified = False
    organisation.save(update_fields=[*changed, *(["is_verified"] if unverify else []), "updated_at"])
    activity_record(target=organisation, by=by, action=_("修改单位信息"), note=", ".join(changed))
    if unverify:
        activity_record(target=organisation, by=by, action=_("取消核验"),
                        note=_("单位名称、类型或所在地区已修改，待管理人员重新核验。"))
    return organisation

