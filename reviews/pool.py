"""The expert pool (专家库): who may be drawn, and everything that changes it.

Reads (`pool_*`) return querysets with what a list or the draw needs already joined; writes lock the
row they change, run in one transaction and write the activity log on the profile.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Organisation, RoleGrant, User
from accounts.validators import normalize_credit_code, validate_credit_code
from core.exceptions import DomainError
from core.services import activity_record
from demands.models import TechField

from .models import ExpertConflict, ExpertProfile

# The profile's own columns that staff and the expert edit (fields is the M2M, handled apart).
PROFILE_FIELDS = ("unit", "title", "specialties", "phone", "email")


# --- reads -------------------------------------------------------------------------------------


FIELDS_PREFETCH = Prefetch("fields", queryset=TechField.objects.order_by("sort_order", "name"))


def pool_experts() -> QuerySet[ExpertProfile]:
    """Every profile with its account, unit, the unit's region (and 盟市) and fields: a fixed
    number of queries however many rows are read."""
    return (
        ExpertProfile.objects.select_related("user", "unit__region__parent")
        .prefetch_related(FIELDS_PREFETCH)
        .order_by("pk")
    )


def pool_active_experts(*, fields: Iterable[TechField] | None = None) -> QuerySet[ExpertProfile]:
    """The experts who may be drawn: in the pool, with an active account that still holds the
    expert role; narrowed to those who know any of `fields` if given. Each row carries `.user`,
    `.unit` (with `.unit.region`), `.fields.all()` (prefetched) and `.in_region`."""
    qs = pool_experts().filter(is_active=True, user__is_active=True,
                               user__role_grants__role=Role.EXPERT)
    if fields is not None:
        qs = qs.filter(pk__in=ExpertProfile.objects.filter(fields__in=list(fields)).values("pk"))
    return qs


def pool_search(*, q: str = "", field: TechField | None = None, region: str | None = None,
                city_code: str | None = None, active: bool | None = None) -> QuerySet[ExpertProfile]:
    """The pool list's filters. `region` is "in" (区内) or "out" (区外); `city_code` a 盟市's code."""
    qs = pool_experts()
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(user__username__icontains=q)
                       | Q(unit__name__icontains=q) | Q(specialties__icontains=q))
    if field is not None:
        qs = qs.filter(pk__in=ExpertProfile.objects.filter(fields=field).values("pk"))
    if region == "in":
        qs = qs.filter(unit__region__code__startswith="15")
    elif region == "out":
        qs = qs.exclude(unit__region__code__startswith="15")
    if city_code:
        qs = qs.filter(Q(unit__region__code=city_code) | Q(unit__region__parent__code=city_code))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


# --- writes ------------------------------------------------------------------------------------


def _describe(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _new_username(mobile: str) -> str:
    """A login name for a new expert account: the mobile number, suffixed if taken."""
    base = f"zj{mobile}" if mobile else "zj"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _apply(profile: ExpertProfile, data: dict) -> list[str]:
    """Copy `data` onto the (locked) profile; return the notes of what changed. Saves."""
    notes, changed = [], []
    for name in PROFILE_FIELDS:
        if name in data and getattr(profile, name) != data[name]:
            label = ExpertProfile._meta.get_field(name).verbose_name
            notes.append(f"{label}：{_describe(getattr(profile, name))} → {_describe(data[name])}")
            setattr(profile, name, data[name])
            changed.append(name)
    if changed:
        profile.full_clean(exclude=["user", "fields"])
        profile.save(update_fields=[*changed, "updated_at"])
    if "fields" in data:
        if not data["fields"]:
            raise ValidationError({"fields": _("请至少选择一个技术领域。")})
        old = {f.pk: f.name for f in profile.fields.all()}
        new = {f.pk: f.name for f in data["fields"]}
        if set(old) != set(new):
            profile.fields.set(list(new))
            notes.append(_("技术领域：%(old)s → %(new)s") % {
                "old": "、".join(sorted(old.values())) or "—", "new": "、".join(sorted(new.values()))})
    return notes


def _require_manager(by: User) -> None:
    if not by.has_perm("reviews.manage_pool"):
        raise DomainError(_("只有管理人员可以维护专家库。"))


def _grant_expert(user: User) -> None:
    RoleGrant.objects.get_or_create(user=user, role=Role.EXPERT)
    user.__dict__.pop("role_codes", None)


def _profile_new(*, user: User, data: dict, by: User, action: str) -> ExpertProfile:
    if not data.get("fields"):
        raise ValidationError({"fields": _("请至少选择一个技术领域。")})
    profile = ExpertProfile(user=user, **{name: data[name] for name in PROFILE_FIELDS if name in data})
    profile.full_clean(exclude=["user", "fields"])
    profile.save()
    profile.fields.set(list(data["fields"]))
    activity_record(target=profile, by=by, action=action, note=str(profile.unit))
    return profile


def expert_create(*, account: dict, data: dict, by: User) -> tuple[ExpertProfile, str | None]:
    """Staff add an expert: a new account (expert role, no password) and its profile.

    `account` has full_name, mobile and email; `data` the profile (unit, title, fields, specialties,
    phone, email). The owner sets a password from an e-mailed link: the link goes out if `by` may
    manage accounts (平台管理员), else the second value says that it did not (an administrator sends
    it from the account's page). Logged on the account and the profile.
    """
    _require_manager(by)
    mobile = account["mobile"]
    if User.objects.filter(mobile=mobile).exists():
        raise ValidationError({"mobile": _("该手机号已有账号，请通过导入匹配或在用户管理中授予专家角色。")})
    with transaction.atomic():
        user = User(username=_new_username(mobile), full_name=account["full_name"], mobile=mobile,
                    email=account["email"], title=data.get("title", ""), organisation=None)
        user.set_unusable_password()
        user.save()
        _grant_expert(user)
        activity_record(target=user, by=by, action=_("创建专家账号"))
        profile = _profile_new(user=user, data=data, by=by, action=_("加入专家库"))
    if not by.has_perm("accounts.manage_users"):
        return profile, _("设置密码的邮件须由平台管理员在用户管理中发送。")
    from accounts.services import user_password_reset_send

    try:
        user_password_reset_send(user=user, by=by, welcome=True)
    except DomainError as error:
        return profile, error.message
    return profile, None


def expert_update(*, profile: ExpertProfile, data: dict, by: User, account: dict | None = None) -> ExpertProfile:
    """Staff edit a profile (and the name of its account, if `account` has full_name).
    Every change is logged on the profile with its old and new value; nothing changed, nothing logged."""
    _require_manager(by)
    with transaction.atomic():
        # Locked: two staff saving at once must not interleave the M2M and the columns.
        profile = ExpertProfile.objects.select_for_update().get(pk=profile.pk)
        notes = _apply(profile, data)
        if account and account.get("full_name") and account["full_name"] != profile.user.full_name:
            notes.append(_("姓名：%(old)s → %(new)s") % {"old": profile.user.full_name, "new": account["full_name"]})
            profile.user.full_name = account["full_name"]
            profile.user.save(update_fields=["full_name"])
        if notes:
            activity_record(target=profile, by=by, action=_("修改专家信息"), note="；".join(notes))
    return profile


def expert_set_active(*, profile: ExpertProfile, active: bool, by: User, reason: str = "") -> ExpertProfile:
    """Take an expert out of the pool (停用, with a reason) or put them back (启用).
    A repeated click changes nothing and logs nothing."""
    _require_manager(by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("停用专家须填写原因。") if not active else _("重新启用专家须填写原因。"))
    with transaction.atomic():
        # Locked so that a draw reading the pool and this change do not cross.
        profile = ExpertProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.is_active == active:
            raise DomainError(_("该专家已在库。") if active else _("该专家已停用。"))
        profile.is_active = active
        profile.deactivated_reason = "" if active else reason
        profile.save(update_fields=["is_active", "deactivated_reason", "updated_at"])
        activity_record(target=profile, by=by, action=_("启用专家") if active else _("停用专家"),
                        from_state="active" if not active else "inactive",
                        to_state="active" if active else "inactive", note=reason)
    return profile


def own_profile_save(*, user: User, data: dict) -> ExpertProfile:
    """An expert creates or edits their own profile. Whatever else was posted, it is `user`'s."""
    if not user.has_perm("reviews.own_profile"):
        raise DomainError(_("只有专家可以填写专家信息。"))
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            return _profile_new(user=user, data=data, by=user, action=_("填写专家信息"))
        notes = _apply(profile, data)
        if notes:
            activity_record(target=profile, by=user, action=_("修改专家信息"), note="；".join(notes))
    return profile


def conflict_declare(*, profile: ExpertProfile, credit_code: str, unit_name: str, reason: str,
                     by: User) -> ExpertConflict:
    """Declare a conflict with a unit (by credit code). The code is normalised; one per unit."""
    code = normalize_credit_code(credit_code)
    validate_credit_code(code)
    reason, unit_name = (reason or "").strip(), (unit_name or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")})
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.conflicts.filter(credit_code=code).exists():
            raise ValidationError({"credit_code": _("已申明过与该单位的利益冲突。")})
        if not unit_name:
            unit_name = Organisation.objects.filter(credit_code=code).values_list("name", flat=True).first() or ""
        if not unit_name:
            raise ValidationError({"unit_name": _("该单位未在平台注册，请填写单位名称。")})
        conflict = ExpertConflict.objects.create(profile=profile, credit_code=code, unit_name=unit_name,
                                                 reason=reason)
        activity_record(target=profile, by=by, action=_("申明利益冲突"), note=f"{conflict}：{reason}")
    return conflict


def conflict_withdraw(*, profile: ExpertProfile, conflict_id: int, by: User) -> None:
    """Remove one of `profile`'s declarations; an id that is not the profile's is refused."""
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().get(pk=profile.pk)
        conflict = profile.conflicts.filter(pk=conflict_id).first()
        if conflict is None:
            raise DomainError(_("该申明不存在或已撤回。"))
        note = f"{conflict}：{conflict.reason}"
        conflict.delete()
        activity_record(target=profile, by=by, action=_("撤回利益冲突申明"), note=note)
