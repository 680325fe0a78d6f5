"""The second factor (两步验证): enrolment, sign-in with a code or a recovery code, the lockout it
shares with passwords, the gate for sessions without it, and the administrators' reset."""

import datetime
import re
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.enums import Role
from accounts.two_factor_views import NEW_CODES_KEY, PENDING_KEY
from core.models import ActivityLog

from ..core.test_deploy_settings import run
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-Secret-123"  # the factories' password
WRONG = "Wrong-pass-999"
START = datetime.datetime(2026, 3, 2, 14, 20, 0, tzinfo=BEIJING)


def text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def code_for(device, at: datetime.datetime | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (at or datetime.datetime.now(tz=BEIJING)).timestamp()
    return f"{totp.token():06d}"


def password_step(client, username, password=PASSWORD, next_url=None, address="127.0.0.1"):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def verified(client) -> bool:
    return "otp_device_id" in client.session


def enrolled(user) -> TOTPDevice:
    """A confirmed authenticator and recovery codes, as enrolment leaves them."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for token in ["aaaa2222", "bbbb3333"]:
        StaticToken.objects.create(device=static, token=token)
    return device


@pytest.fixture
def require_admins(settings):
    settings.OTP_REQUIRED_ROLES = ["admin"]


@pytest.fixture
def admin_user(db):
    return UserFactory(username="pingtai", roles=[Role.ADMIN])


# --- settings -------------------------------------------------------------------------------


def test_shipped_default_requires_administrators_and_other_values_fail_loudly():
    script = "import django; django.setup(); from django.conf import settings as s; print(s.OTP_REQUIRED_ROLES)"
    assert run(["-c", script], {"DEBUG": "1"}).stdout.strip() == "['admin']"
    chosen = run(["-c", script], {"DEBUG": "1", "OTP_REQUIRED_ROLES": "admin, staff,recommender"})
    assert chosen.stdout.strip() == "['admin', 'staff', 'recommender']"
    bad = run(["-c", script], {"DEBUG": "1", "OTP_REQUIRED_ROLES": "admin,expert"})
    assert bad.returncode != 0 and "OTP_REQUIRED_ROLES" in bad.stderr


@pytest.mark.parametrize(
    ("required", "roles", "superuser", "expected"),
    [
        (["admin"], [Role.ADMIN], False, True),
        (["admin"], [], True, True),
        (["admin"], [Role.STAFF], False, False),
        (["staff"], [Role.STAFF], False, True),
        (["recommender"], [Role.RECOMMENDER], False, True),
        (["admin", "staff", "recommender"], [Role.EXPERT, Role.APPLICANT], False, False),
        ([], [Role.ADMIN], True, False),
    ],
)
def test_who_is_required(settings, required, roles, superuser, expected):
    settings.OTP_REQUIRED_ROLES = required
    user = UserFactory(roles=roles, is_superuser=superuser)
    assert two_factor.two_factor_required(user) is expected


# --- sign-in without a second factor ----------------------------------------------------------


def test_a_user_without_the_requirement_or_a_device_signs_in_as_before(client, require_admins):
    UserFactory(username="qiye", roles=[Role.ENTERPRISE])
    response = password_step(client, "qiye")
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert signed_in(client) and PENDING_KEY not in client.session


# --- enrolment ---------------------------------------------------------------------------------


def test_required_administrator_is_sent_to_enrol_and_is_not_signed_in_meanwhile(client, require_admins, admin_user):
    response = password_step(client, "pingtai")
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_enrol")
    assert not signed_in(client)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "账号 pingtai 须使用两步验证登录" in text(page)
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert two_factor.totp_secret(device) in text(page)
    # Other pages are out of reach until the code is given.
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 302 and dashboard.url.startswith(reverse("login"))
    assert client.get("/admin/").status_code == 302
    # A reload shows the same secret, so the QR code already scanned still works.
    assert two_factor.totp_secret(device) in text(client.get(reverse("accounts:two_factor_enrol")))
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


def test_enrolment_wrong_code_is_refused_next_to_the_field_and_counted(client, require_admins, admin_user):
    from axes.models import AccessAttempt

    password_step(client, "pingtai")
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确，请输入身份验证器中当前显示的6位数字。" in text(response)
    assert 'id="error_1_id_code"' in response.content.decode()
    assert not signed_in(client)
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert AccessAttempt.objects.get(username="pingtai").failures_since_start == 1


def test_enrolment_with_the_right_code_signs_in_verified_and_shows_recovery_codes_once(
        client, require_admins, admin_user):
    password_step(client, "pingtai", next_url="/accounts/staff/users/")
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_codes")
    assert signed_in(client) and verified(client)
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response.url)
    tokens = list(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(token in text(codes_page) for token in tokens)
    assert "以下恢复码只显示这一次" in text(codes_page)
    assert 'href="/accounts/staff/users/"' in codes_page.content.decode()  # next kept
    again = client.get(reverse("accounts:two_factor_codes"))
    assert again.status_code == 302 and again.url == reverse("accounts:two_factor")
    assert NEW_CODES_KEY not in client.session
    assert not any(token in text(client.get(again.url)) for token in tokens)
    assert ActivityLog.objects.filter(object_id=admin_user.pk, action="启用两步验证").count() == 1


def test_a_voluntary_user_enrols_from_the_account_page(client):
    staff = UserFactory(username="gaoxin", roles=[Role.STAFF])
    client.force_login(staff)
    page = client.get(reverse("accounts:two_factor"))
    assert "尚未启用两步验证。" in text(page)
    client.get(reverse("accounts:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})
    assert response.url == reverse("accounts:two_factor_codes")
    assert verified(client)
    assert "两步验证已启用。剩余恢复码 10 个。" in text(client.get(reverse("accounts:two_factor")))
    # From now on the password alone does not sign in.
    client.logout()
    assert password_step(client, "gaoxin").url == reverse("accounts:two_factor_verify")
    assert not signed_in(client)


def test_accounts_without_the_three_roles_cannot_enrol(client):
    client.force_login(UserFactory(roles=[Role.ENTERPRISE]))
    assert client.get(reverse("accounts:two_factor")).status_code == 403
    assert client.get(reverse("accounts:two_factor_enrol")).status_code == 403
    assert not TOTPDevice.objects.exists()


# --- sign-in with a code -----------------------------------------------------------------------


def test_right_code_signs_in_verified_and_goes_to_next(client, admin_user):
    device = enrolled(admin_user)
    response = password_step(client, "pingtai", next_url="/accounts/staff/users/")
    assert response.url == reverse("accounts:two_factor_verify")
    assert not signed_in(client)
    page = client.get(response.url)
    assert "请打开手机上的身份验证器应用" in text(page) and "使用恢复码" in text(page)
    done = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert done.status_code == 302 and done.url == "/accounts/staff/users/"
    assert signed_in(client) and verified(client)
    assert PENDING_KEY not in client.session
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_external_next_is_ignored(client, admin_user):
    device = enrolled(admin_user)
    password_step(client, "pingtai", next_url="https://evil.example.com/")
    done = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert done.url == reverse("dashboard")


def test_without_the_code_the_user_is_not_signed_in(client, admin_user):
    enrolled(admin_user)
    password_step(client, "pingtai")
    assert not signed_in(client)
    assert client.get(reverse("dashboard")).status_code == 302
    empty = client.post(reverse("accounts:two_factor_verify"), {"code": ""})
    assert empty.status_code == 200 and not signed_in(client)


def test_wrong_code_is_refused_with_a_message_and_counted_by_axes(client, admin_user):
    from axes.models import AccessAttempt

    device = enrolled(admin_user)
    password_step(client, "pingtai")
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "12345x"})
    response = client.post(reverse("accounts:two_factor_verify"), {"code": f"{(int(code_for(device)) + 1) % 10**6:06d}"})
    assert response.status_code == 200
    assert "验证码不正确或已使用过，请输入身份验证器中当前显示的验证码。" in text(response)
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="pingtai").failures_since_start == 2


def test_wrong_codes_and_wrong_passwords_add_up_and_lock_both(client, admin_user, settings):
    enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            assert password_step(client, "pingtai", WRONG).status_code == 200
        password_step(client, "pingtai")
        for _ in range(settings.AXES_FAILURE_LIMIT - 3):
            assert client.post(reverse("accounts:two_factor_verify"), {"code": "000000"}).status_code == 200
        last = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
        assert last.status_code == 429
        assert "登录失败次数过多，账号已暂时锁定，请于 15 分钟后（14:35 之后）再试。" in text(last)
        assert PENDING_KEY not in client.session
        # The password is refused now too…
        refused = password_step(client, "pingtai")
        assert refused.status_code == 429 and not signed_in(client)
        assert "账号已暂时锁定" in text(refused)


def test_a_locked_user_cannot_try_codes(client, admin_user):
    from axes.models import AccessAttempt

    device = enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        password_step(client, "pingtai")  # the password step passed before the lock
        for _ in range(5):
            password_step(client, "pingtai", WRONG, address="198.51.100.7")
        before = AccessAttempt.objects.filter(username="pingtai").count()
        response = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
        assert response.status_code == 429
        assert "账号已暂时锁定，请于 15 分钟后（14:35 之后）再试。" in text(response)
        assert not signed_in(client)
        device.refresh_from_db()
        assert device.last_t == -1  # the code was not even checked
        assert AccessAttempt.objects.filter(username="pingtai").count() == before


def test_a_replayed_code_is_refused(client, admin_user):
    device = enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        password_step(client, "pingtai")
        code = code_for(device)
        assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
        client.logout()
        password_step(client, "pingtai")
        again = client.post(reverse("accounts:two_factor_verify"), {"code": code})
        assert again.status_code == 200 and not signed_in(client)
        assert "验证码不正确或已使用过" in text(again)


def test_the_pending_sign_in_expires(client, admin_user):
    device = enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        password_step(client, "pingtai")
    with time_machine.travel(START + datetime.timedelta(minutes=5, seconds=30), tick=False):
        response = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
        assert response.status_code == 302 and response.url == reverse("login")
        assert not signed_in(client)
        assert "登录已超时，请重新输入用户名和密码。" in text(client.get(response.url))
    device.refresh_from_db()
    assert device.last_t == -1


def test_the_code_page_without_a_pending_sign_in_is_refused(client, admin_user):
    device = enrolled(admin_user)
    for name in ["accounts:two_factor_verify", "accounts:two_factor_recovery", "accounts:two_factor_enrol"]:
        response = client.post(reverse(name), {"code": code_for(device), "user_id": admin_user.pk})
        assert response.status_code == 302 and response.url == reverse("login"), name
        # Nothing timed out: it never started.
        page = text(client.get(response.url))
        assert "请先输入用户名和密码。" in page and "登录已超时" not in page
    assert not signed_in(client)


def test_the_code_page_sends_a_signed_in_user_to_the_workbench(client, admin_user):
    client.force_login(UserFactory(username="plain"))
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_a_posted_user_id_does_not_change_whose_sign_in_it_is(client, admin_user):
    enrolled(admin_user)
    other = UserFactory(username="other", roles=[Role.ADMIN])
    other_device = enrolled(other)
    password_step(client, "pingtai")
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_for(other_device), "user_id": other.pk, "username": "other"}
    )
    assert response.status_code == 200 and not signed_in(client)
    other_device.refresh_from_db()
    assert other_device.last_t == -1


# --- recovery codes ----------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, admin_user):
    enrolled(admin_user)
    password_step(client, "pingtai", next_url="/accounts/staff/users/")
    page = client.get(reverse("accounts:two_factor_recovery"))
    assert "每个恢复码只能使用一次" in text(page)
    done = client.post(reverse("accounts:two_factor_recovery"), {"code": " AAAA 2222 "})
    assert done.status_code == 302 and done.url == "/accounts/staff/users/"
    assert signed_in(client) and verified(client)
    assert "还剩 1 个恢复码" in text(client.get(done.url))
    client.logout()
    password_step(client, "pingtai")
    again = client.post(reverse("accounts:two_factor_recovery"), {"code": "aaaa2222"})
    assert again.status_code == 200 and not signed_in(client)
    assert "恢复码不正确或已使用过。" in text(again)


def test_regenerating_recovery_codes_needs_a_current_code(client, admin_user):
    device = enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        password_step(client, "pingtai")
        client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    later = START + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        wrong = client.post(reverse("accounts:two_factor"), {"action": "regenerate", "regenerate-code": "000000"})
        assert "验证码不正确或已使用过" in text(wrong)
        assert StaticToken.objects.filter(device__user=admin_user).count() == 2
        done = client.post(reverse("accounts:two_factor"), {"action": "regenerate", "regenerate-code": code_for(device, later)})
        assert done.url == reverse("accounts:two_factor_codes")
        tokens = set(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True))
        assert len(tokens) == 10 and "aaaa2222" not in tokens
        assert tokens <= set(text(client.get(done.url)).split())
    assert ActivityLog.objects.filter(object_id=admin_user.pk, action="重新生成恢复码").exists()


# --- turning it off ----------------------------------------------------------------------------


def test_a_voluntary_user_turns_it_off_with_a_code(client):
    staff = UserFactory(username="gaoxin", roles=[Role.STAFF])
    device = enrolled(staff)
    with time_machine.travel(START, tick=False):
        password_step(client, "gaoxin")
        client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    later = START + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        done = client.post(reverse("accounts:two_factor"), {"action": "disable", "disable-code": code_for(device, later)})
        assert done.url == reverse("accounts:two_factor")
    assert not TOTPDevice.objects.filter(user=staff).exists() and not StaticDevice.objects.filter(user=staff).exists()
    assert ActivityLog.objects.filter(object_id=staff.pk, action="关闭两步验证").exists()
    client.logout()
    assert password_step(client, "gaoxin").url == reverse("dashboard")


def test_a_required_user_cannot_turn_it_off(client, require_admins, admin_user):
    device = enrolled(admin_user)
    with time_machine.travel(START, tick=False):
        password_step(client, "pingtai")
        client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
        page = client.get(reverse("accounts:two_factor"))
        assert "您的账号必须使用两步验证，不能关闭。" in text(page)
    later = START + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        refused = client.post(reverse("accounts:two_factor"), {"action": "disable", "disable-code": code_for(device, later)})
    assert "您的账号必须使用两步验证，不能关闭。" in text(refused)
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


# --- the gate ----------------------------------------------------------------------------------


def test_the_gate_logs_out_an_unverified_session_of_a_required_user(client, require_admins, admin_user):
    client.force_login(admin_user)  # signed in before the requirement, or without the code
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('dashboard')}"
    assert not signed_in(client)
    assert "您的账号需要两步验证，请重新登录。" in text(client.get(response.url))


def test_the_gate_covers_the_admin_site(client, require_admins):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(boss)
    response = client.get("/admin/")
    assert response.status_code == 302 and urlparse(response.url).path == reverse("login")
    assert not signed_in(client)
    # The admin's own login page sends people to the portal's, with its two steps.
    admin_login = client.get("/admin/login/?next=/admin/accounts/")
    assert admin_login.url == f"{reverse('login')}?next=/admin/accounts/"


def test_a_signed_in_user_without_admin_access_is_refused_not_sent_round_in_a_circle(client, admin_user):
    # 平台管理员 is not Django admin staff: /admin/ sends them to its login page, which must say no.
    client.force_login(admin_user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403 and "没有进入管理后台" in text(response)
    assert signed_in(client)


def test_the_admin_site_shows_no_device_secret_or_recovery_code(client, admin_user):
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    device = enrolled(admin_user)
    client.force_login(boss)
    session = client.session
    session["otp_device_id"] = enrolled(boss).persistent_id
    session.save()
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200 and device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/99999/qrcode/").status_code in (403, 404)
    static = StaticDevice.objects.get(user=admin_user)
    assert "aaaa2222" not in client.get(f"/admin/otp_static/staticdevice/{static.pk}/change/").content.decode()


def test_the_gate_logs_out_a_password_only_session_of_a_user_with_a_device(client, admin_user):
    enrolled(admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("dashboard")).status_code == 302
    assert not signed_in(client)


def test_the_gate_lets_a_verified_session_and_an_unrequired_user_through(client, require_admins, admin_user):
    device = enrolled(admin_user)
    password_step(client, "pingtai")
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()
    client.force_login(UserFactory(roles=[Role.STAFF]))
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_session_whose_device_was_removed_must_sign_in_again(client, require_admins, admin_user):
    device = enrolled(admin_user)
    password_step(client, "pingtai")
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    TOTPDevice.objects.filter(user=admin_user).delete()
    StaticDevice.objects.filter(user=admin_user).delete()
    assert client.get(reverse("dashboard")).status_code == 302
    assert not signed_in(client)


# --- the administrators' reset -----------------------------------------------------------------


def test_an_administrator_resets_a_users_second_factor(client, admin_user):
    staff = UserFactory(username="gaoxin", roles=[Role.STAFF])
    enrolled(staff)
    client.force_login(admin_user)
    page = client.get(reverse("accounts:user_edit", args=[staff.pk]))
    assert "重置两步验证" in text(page)
    response = client.post(reverse("accounts:user_two_factor_reset", args=[staff.pk]))
    assert response.url == reverse("accounts:user_edit", args=[staff.pk])
    assert not TOTPDevice.objects.filter(user=staff).exists() and not StaticDevice.objects.filter(user=staff).exists()
    log = ActivityLog.objects.get(object_id=staff.pk, action="重置两步验证")
    assert log.actor == admin_user
    assert "已重置两步验证" in text(client.get(response.url))
    # The user signs in with the password alone again (staff are not required here).
    client.logout()
    assert password_step(client, "gaoxin").url == reverse("dashboard")


@pytest.mark.parametrize("roles", [[Role.STAFF], [Role.RECOMMENDER], [Role.ENTERPRISE]])
def test_a_non_administrator_cannot_reset_and_nothing_changes(client, roles):
    victim = UserFactory(username="pingtai2", roles=[Role.ADMIN])
    enrolled(victim)
    client.force_login(UserFactory(roles=roles))
    response = client.post(reverse("accounts:user_two_factor_reset", args=[victim.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=victim).count() == 2
    assert not ActivityLog.objects.filter(action="重置两步验证").exists()


def test_an_anonymous_reset_goes_to_login_and_get_is_refused(client, admin_user):
    victim = UserFactory(roles=[Role.STAFF])
    enrolled(victim)
    assert client.post(reverse("accounts:user_two_factor_reset", args=[victim.pk])).status_code == 302
    client.force_login(admin_user)
    assert client.get(reverse("accounts:user_two_factor_reset", args=[victim.pk])).status_code == 405
    assert TOTPDevice.objects.filter(user=victim).exists()


# --- the demo ----------------------------------------------------------------------------------


def test_demo_administrators_sign_in_with_the_published_secret(client, require_admins):
    import base64
    import hmac
    import struct
    import time

    from accounts.demo import DEMO_TOTP_SECRET, load_demo_two_factor

    UserFactory(username="useradmin", roles=[Role.ADMIN])
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert load_demo_two_factor() == 2 and load_demo_two_factor() == 0
    # What `oathtool --totp -b SECRET` computes (RFC 6238, SHA-1, 30 s, 6 digits).
    digest = hmac.new(base64.b32decode(DEMO_TOTP_SECRET), struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"
    assert password_step(client, "useradmin").url == reverse("accounts:two_factor_verify")
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
    assert verified(client)


def test_the_reset_service_itself_refuses_a_non_administrator(admin_user):
    from accounts.two_factor import two_factor_reset
    from core.exceptions import DomainError

    enrolled(admin_user)
    staff = UserFactory(username="plainstaff", roles=[Role.STAFF])
    with pytest.raises(DomainError, match="只有平台管理员"):
        two_factor_reset(user=admin_user, by=staff)
    assert TOTPDevice.objects.filter(user=admin_user).exists()
