"""Account management is the platform administrators' alone; nobody takes over another account."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.enums import JoinRequestState, Role
from accounts.models import JoinRequest, RoleGrant, User
from core.exceptions import DomainError
from core.models import ActivityLog

from ..factories import OrganisationFactory, UserFactory, make_enterprise_user, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    """A platform administrator (平台管理员) who is not a superuser."""
    return UserFactory(username="pingtai", organisation=OrganisationFactory(kind="government"), roles=[Role.ADMIN])


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "Root-pass-2026", full_name="超级管理员")


@pytest.fixture
def organiser(db):
    return OrganisationFactory(kind="government", name="通辽市科学技术局")


@pytest.fixture
def target(organiser):
    """An ordinary account of an organiser: the one attackers try to take over."""
    return UserFactory(username="victim", organisation=organiser, roles=[Role.RECOMMENDER])


def _state(user: User) -> tuple:
    """What an attacker would want to change on an account."""
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.username, fresh.password, fresh.email, fresh.organisation_id, fresh.department_id, fresh.is_active,
        fresh.is_superuser, frozenset(RoleGrant.objects.filter(user=fresh).values_list("role", flat=True)),
    )


def _account_post(user: User, **overrides) -> dict:
    data = {
        "username": user.username, "full_name": user.full_name, "mobile": user.mobile, "email": user.email,
        "title": user.title, "organisation": user.organisation_id or "", "department": user.department_id or "",
        "is_active": "on", "roles": sorted(user.role_codes),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- who may manage accounts -----------------------------------------------------------------


def _attackers(organiser, target):
    """Everyone who is not an administrator, with how they reach the page."""
    return {
        "staff_same_organiser": make_staff(organisation=organiser, username="same_org_staff"),
        "staff_other_organiser": make_staff(username="other_org_staff"),
        "expert": UserFactory(username="an_expert", organisation=OrganisationFactory(kind="university"),
                              roles=[Role.EXPERT]),
        "enterprise": make_enterprise_user(username="an_enterprise"),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["staff_same_organiser", "staff_other_organiser", "expert", "enterprise", "anonymous"])
def test_every_account_url_refuses_non_administrators(client, organiser, target, who):
    attacker = _attackers(organiser, target)[who]
    if attacker is not None:
        client.force_login(attacker)
    other_org = OrganisationFactory(kind="government")
    before_target = _state(target)
    before_attacker = _state(attacker) if attacker else None
    users_before = User.objects.count()
    forged = _account_post(target, organisation=other_org.pk, roles=[Role.STAFF, Role.ADMIN], email="evil@example.com")
    requests = [
        ("get", reverse("accounts:user_list"), None),
        ("get", reverse("accounts:user_create"), None),
        ("post", reverse("accounts:user_create"), {"username": "made_up", "email": "m@example.com", "is_active": "on",
                                                   "roles": [Role.ADMIN], "password": "Evil-pass-2026"}),
        ("get", reverse("accounts:user_edit", args=[target.pk]), None),
        ("post", reverse("accounts:user_edit", args=[target.pk]), {**forged, "password": "Evil-pass-2026"}),
        ("post", reverse("accounts:user_password_reset", args=[target.pk]), {}),
        ("post", reverse("accounts:user_unlock", args=[target.pk]), {}),
        ("post", reverse("accounts:address_unlock"), {"ip_address": "127.0.0.1"}),
    ]
    if attacker is not None:
        # Their own account: move into another organiser, grant themselves the admin role.
        requests.append(("post", reverse("accounts:user_edit", args=[attacker.pk]),
                         _account_post(attacker, organisation=other_org.pk, roles=[Role.STAFF, Role.ADMIN])))
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if attacker is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 403, url
    assert _state(target) == before_target
    if attacker is not None:
        assert _state(attacker) == before_attacker
    assert User.objects.count() == users_before
    assert mail.outbox == []
    assert not ActivityLog.objects.filter(content_type=ContentType.objects.get_for_model(User),
                                          object_id=target.pk).exists()


def test_staff_see_no_account_management_in_the_menu(client, organiser):
    client.force_login(make_staff(organisation=organiser))
    page = client.get(reverse("bangs:manage")).content.decode()
    assert "用户管理" not in page


def test_administrator_sees_user_management_in_the_menu(client, admin):
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "用户管理" in page and "新建账号" in page


# --- superusers and oneself ----------------------------------------------------------------


def test_administrator_cannot_touch_a_superuser(client, admin, root):
    client.force_login(admin)
    before = _state(root)
    assert client.get(reverse("accounts:user_edit", args=[root.pk])).status_code == 403
    response = client.post(reverse("accounts:user_edit", args=[root.pk]),
                           _account_post(root, email="evil@example.com", is_active=None))
    assert response.status_code == 403
    assert "超级管理员的账号只能由超级管理员修改" in response.content.decode()  # the 403 page says why
    assert client.post(reverse("accounts:user_password_reset", args=[root.pk])).status_code == 403
    assert _state(root) == before
    assert mail.outbox == []


def test_superuser_can_edit_a_superuser(client, root):
    other_root = User.objects.create_superuser("root2", "r2@example.com", "Root-pass-2026")
    client.force_login(root)
    response = client.post(reverse("accounts:user_edit", args=[other_root.pk]),
                           _account_post(other_root, full_name="第二超级管理员"))
    assert response.status_code == 302
    assert User.objects.get(pk=other_root.pk).full_name == "第二超级管理员"


def test_administrator_cannot_move_or_re_role_or_deactivate_itself(client, admin):
    client.force_login(admin)
    other_org = OrganisationFactory(kind="government")
    before = _state(admin)
    page = client.get(reverse("accounts:user_edit", args=[admin.pk])).content.decode()
    assert "这是您自己的账号" in page
    client.post(reverse("accounts:user_edit", args=[admin.pk]),
                _account_post(admin, organisation=other_org.pk, roles=[Role.ADMIN, Role.STAFF], is_active=None))
    assert _state(admin) == before
    # The service refuses it too, whatever form sent it.
    with pytest.raises(DomainError, match="不能修改自己账号"):
        services.user_update(user=admin, data={"organisation": other_org}, roles=[Role.ADMIN], by=admin)
    with pytest.raises(DomainError, match="不能修改自己账号"):
        services.user_update(user=admin, data={}, roles=[Role.ADMIN, Role.STAFF], by=admin)
    assert _state(admin) == before


def test_administrator_may_edit_own_particulars(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_edit", args=[admin.pk]), _account_post(admin, full_name="赵平台"))
    assert response.status_code == 302
    assert User.objects.get(pk=admin.pk).full_name == "赵平台"


def test_services_refuse_non_administrators(organiser, target):
    staff = make_staff(organisation=organiser)
    before = _state(target)
    with pytest.raises(DomainError, match="只有平台管理员"):
        services.user_update(user=target, data={"organisation": staff.organisation}, roles=[Role.STAFF], by=staff)
    with pytest.raises(DomainError, match="只有平台管理员"):
        services.user_password_reset_send(user=target, by=staff)
    with pytest.raises(DomainError, match="只有平台管理员"):
        services.user_create(data={"username": "x", "email": "x@example.com"}, roles=[Role.ADMIN], by=staff)
    with pytest.raises(DomainError, match="只有平台管理员"):
        services.user_set_active(user=target, active=False, by=staff)
    assert _state(target) == before


def test_nobody_grants_a_role_they_do_not_hold_except_an_administrator(target):
    recommender = UserFactory(roles=[Role.RECOMMENDER])
    assert services.grantable_roles(recommender) == {Role.RECOMMENDER}
    with pytest.raises(DomainError, match="不能授予或撤销自己不具有的角色"):
        services.user_set_roles(user=target, roles=[Role.RECOMMENDER, Role.STAFF], by=recommender)
    assert set(RoleGrant.objects.filter(user=target).values_list("role", flat=True)) == {Role.RECOMMENDER}


# --- passwords -------------------------------------------------------------------------------


def test_account_form_has_no_password_and_a_posted_one_is_ignored(client, admin, target):
    client.force_login(admin)
    page = client.get(reverse("accounts:user_edit", args=[target.pk])).content.decode()
    assert 'type="password"' not in page
    old_hash = User.objects.get(pk=target.pk).password
    client.post(reverse("accounts:user_edit", args=[target.pk]), {**_account_post(target), "password": "Evil-pass-2026"})
    assert User.objects.get(pk=target.pk).password == old_hash


def test_administrator_sends_a_reset_link_and_it_is_logged(client, admin, target, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_password_reset", args=[target.pk]), follow=True)
    assert f"重置密码邮件已发送至 {target.email}" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[target.email]]
    log = ActivityLog.objects.get(object_id=target.pk, action="发送重置密码邮件")
    assert log.actor == admin
    # The owner follows the link and chooses the password; the administrator never knew it.
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": "Victim-own-2026x", "new_password2": "Victim-own-2026x"})
    assert User.objects.get(pk=target.pk).check_password("Victim-own-2026x")


def test_reset_link_refused_for_an_account_without_email(client, admin):
    no_mail = UserFactory(email="")
    client.force_login(admin)
    response = client.post(reverse("accounts:user_password_reset", args=[no_mail.pk]), follow=True)
    assert "没有电子邮箱" in response.content.decode()
    assert mail.outbox == []


def test_reset_post_only(client, admin, target):
    client.force_login(admin)
    assert client.get(reverse("accounts:user_password_reset", args=[target.pk])).status_code == 405


def test_administrator_creates_an_account_whose_owner_sets_the_password(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), {
            "username": "expert1", "full_name": "高专家", "mobile": "13700000000", "email": "e1@example.com",
            "title": "教授", "roles": [Role.EXPERT], "is_active": "on", "password": "Chosen-by-admin-2026",
        }, follow=True)
    assert "设置密码的链接已发送至 e1@example.com" in response.content.decode()
    expert = User.objects.get(username="expert1")
    assert expert.role_codes == {Role.EXPERT}
    assert not expert.has_usable_password()
    assert [m.to for m in mail.outbox] == [["e1@example.com"]]
    actions = list(ActivityLog.objects.filter(object_id=expert.pk).values_list("action", "actor"))
    assert ("创建账号", admin.pk) in actions and ("发送设置密码邮件", admin.pk) in actions
    assert "平台管理员已在" in mail.outbox[0].body and "如非本人操作" not in mail.outbox[0].body


def test_new_account_needs_an_email(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_create"), {"username": "nomail", "roles": [Role.EXPERT],
                                                             "is_active": "on"})
    assert response.status_code == 200
    assert not User.objects.filter(username="nomail").exists()


# --- every change is logged ----------------------------------------------------------------------


def test_every_account_change_is_logged_with_who(client, admin, target):
    new_org = OrganisationFactory(kind="government", name="鄂尔多斯市科学技术局")
    client.force_login(admin)
    client.post(reverse("accounts:user_edit", args=[target.pk]),
                _account_post(target, organisation=new_org.pk, roles=[Role.RECOMMENDER, Role.EXPERT], is_active=None))
    fresh = User.objects.get(pk=target.pk)
    assert fresh.organisation == new_org and fresh.is_active is False
    assert fresh.role_codes == {Role.RECOMMENDER, Role.EXPERT}
    logs = {log.action: log for log in ActivityLog.objects.filter(object_id=target.pk, actor=admin)}
    assert {"调整所属单位", "停用账号", "调整角色"} <= set(logs)
    assert "通辽市科学技术局 → 鄂尔多斯市科学技术局" in logs["调整所属单位"].note
    page = client.get(reverse("accounts:user_edit", args=[target.pk])).content.decode()
    assert "调整所属单位" in page and "停用账号" in page


# --- join requests are account management too ---------------------------------------------------


def test_only_administrators_or_the_units_first_user_decide_join_requests(client, organiser):
    unit_owner = make_enterprise_user()
    joiner = UserFactory(organisation=None)
    request = JoinRequest.objects.create(organisation=unit_owner.organisation, user=joiner, role=Role.ENTERPRISE)
    staff = make_staff(organisation=organiser)
    client.force_login(staff)
    response = client.post(reverse("accounts:join_request_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == JoinRequestState.PENDING
    assert User.objects.get(pk=joiner.pk).organisation_id is None
    client.force_login(unit_owner)
    client.post(reverse("accounts:join_request_decide", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert request.state == JoinRequestState.APPROVED


def test_a_mail_server_that_refuses_is_reported_not_hidden(client, admin, target, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    client.force_login(admin)
    response = client.post(reverse("accounts:user_password_reset", args=[target.pk]), follow=True)
    assert "邮件未能发出" in response.content.decode()
    actions = list(ActivityLog.objects.filter(object_id=target.pk, actor=admin).values_list("action", flat=True))
    assert actions == ["邮件发送失败"]
    response = client.post(reverse("accounts:user_create"), {
        "username": "newexpert", "email": "n@example.com", "roles": [Role.EXPERT], "is_active": "on"}, follow=True)
    assert "账号已建立，但设置密码的邮件未能发出" in response.content.decode()
    assert User.objects.filter(username="newexpert").exists()


def test_an_inactive_new_account_is_not_told_a_mail_was_sent(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_create"), {
        "username": "dormant", "email": "d@example.com", "roles": [Role.EXPERT]}, follow=True)
    assert "账号已建立（停用）" in response.content.decode()
    assert mail.outbox == []


def test_usernames_are_unique_whatever_their_case(client, admin, root):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_create"), {
        "username": "ROOT", "email": "x@example.com", "roles": [Role.EXPERT], "is_active": "on"})
    assert "该登录名已被使用" in response.content.decode()
    assert not User.objects.filter(username="ROOT").exists()


def test_a_department_of_another_unit_is_refused(client, admin, target):
    from accounts.models import Department

    other_department = Department.objects.create(name="别处的处室", organisation=OrganisationFactory(kind="government"))
    client.force_login(admin)
    before = _state(target)
    response = client.post(reverse("accounts:user_edit", args=[target.pk]),
                           _account_post(target, department=other_department.pk))
    assert "所选处室不属于该账号的所属单位" in response.content.decode()
    assert _state(target) == before
    with pytest.raises(Exception, match="所选处室不属于"):
        services.user_update(user=target, data={"department": other_department}, roles=[Role.RECOMMENDER], by=admin)


def test_changing_an_accounts_email_tells_the_old_address(client, admin, target, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_edit", args=[target.pk]), _account_post(target, email="new@example.com"))
    assert [m.to for m in mail.outbox] == [["victim@example.com"]]
    assert "new@example.com" in mail.outbox[0].body


def test_role_changes_log_what_was_granted_and_what_was_revoked(client, admin, target):
    client.force_login(admin)
    client.post(reverse("accounts:user_edit", args=[target.pk]), _account_post(target, roles=[Role.EXPERT]))
    log = ActivityLog.objects.get(object_id=target.pk, action="调整角色")
    assert log.note == "授予：专家；撤销：推荐单位"


def test_an_approved_join_request_is_logged_on_the_account(client, admin):
    unit = OrganisationFactory(name="加入测试单位")
    joiner = UserFactory(organisation=None)
    request = JoinRequest.objects.create(organisation=unit, user=joiner, role=Role.APPLICANT)
    client.force_login(admin)
    client.post(reverse("accounts:join_request_decide", args=[request.pk]), {"decision": "approve"})
    page = client.get(reverse("accounts:user_edit", args=[joiner.pk])).content.decode()
    assert "加入单位" in page and "加入测试单位（揭榜单位）" in page


def test_an_existing_case_clash_does_not_block_other_edits(client, admin, root):
    clash = UserFactory(username="ROOT", email="r@example.com")  # made before names were compared by case
    client.force_login(admin)
    response = client.post(reverse("accounts:user_edit", args=[clash.pk]), _account_post(clash, title="工程师"))
    assert response.status_code == 302
    assert User.objects.get(pk=clash.pk).title == "工程师"


def test_a_verified_unit_that_renames_itself_goes_back_to_staff(client):
    owner = make_enterprise_user()
    unit = owner.organisation
    unit.is_verified = True
    unit.save(update_fields=["is_verified"])
    client.force_login(owner)
    client.post(reverse("accounts:unit"), {"name": "改名后的公司", "kind": "enterprise", "region": unit.region_id,
                                           "postcode": "014060"})
    unit.refresh_from_db()
    assert unit.name == "改名后的公司" and unit.is_verified is False
    assert ActivityLog.objects.filter(object_id=unit.pk, action="取消核验").exists()
    client.post(reverse("accounts:unit"), {"name": "改名后的公司", "kind": "enterprise", "region": unit.region_id,
                                           "postcode": "014061"})
    unit.refresh_from_db()
    assert unit.postcode == "014061"
