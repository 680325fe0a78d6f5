"""Sign-in protection: failed logins lock the account and the address (django-axes), staff unlock."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import HttpRequest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.lockout import login_lockout_clear, login_lockout_status
from accounts.models import User
from core.models import ActivityLog

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-Secret-123"  # the factories' password
START = datetime.datetime(2026, 3, 2, 14, 20, 0, tzinfo=BEIJING)
WRONG = "Wrong-pass-999"


def text(response) -> str:
    """The page as a user reads it: no tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def attempt(client, username, password, address="127.0.0.1", **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def is_logged_in(client) -> bool:
    """Call inside the same time travel as the login: the session expires by the real clock."""
    return "_auth_user_id" in client.session


def test_wrong_password_is_refused_in_chinese(client):
    UserFactory(username="alice")
    response = attempt(client, "alice", WRONG)
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码。注意，两者都区分大小写。" in text(response)
    assert "登录失败次数过多" not in text(response)
    assert not is_logged_in(client)


def test_five_failures_lock_the_account_and_say_until_when(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            assert attempt(client, "alice", WRONG).status_code == 200
        fifth = attempt(client, "alice", WRONG)
        right = attempt(client, "alice", PASSWORD)
        assert not is_logged_in(client)
    message = "登录失败次数过多，账号已暂时锁定，请于 15 分钟后（14:35 之后）再试。"
    assert fifth.status_code == 429 and message in text(fifth)
    assert right.status_code == 429 and message in text(right)
    assert "如需提前解除锁定，请联系平台管理人员。" in text(right)
    # Still the portal's login page, with the username kept for the next try.
    assert right.templates[0].name == "registration/login.html"
    assert 'value="alice"' in right.content.decode()


def test_retry_time_counts_down_and_tries_while_locked_do_not_extend_it(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
    with time_machine.travel(START + datetime.timedelta(minutes=14, seconds=10), tick=False):
        response = attempt(client, "alice", WRONG)
    assert "请于 1 分钟后（14:35 之后）再试" in text(response)
    with time_machine.travel(START + datetime.timedelta(minutes=15, seconds=1), tick=False):
        response = attempt(client, "alice", PASSWORD)
        assert response.status_code == 302 and response.url == reverse("dashboard")
        assert is_logged_in(client)


def test_login_works_again_after_the_cooloff(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
    with time_machine.travel(START + datetime.timedelta(minutes=16), tick=False):
        response = attempt(client, "alice", PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=datetime.timedelta(minutes=2))
def test_limit_and_cooloff_come_from_settings(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            assert attempt(client, "alice", WRONG).status_code == 200
        response = attempt(client, "alice", WRONG)
    assert response.status_code == 429
    assert "请于 2 分钟后（14:22 之后）再试" in text(response)


def test_the_account_stays_locked_from_another_address(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG, address="203.0.113.5")
        response = attempt(client, "alice", PASSWORD, address="198.51.100.7")
        assert not is_logged_in(client)
    assert response.status_code == 429
    assert "账号已暂时锁定，请于 15 分钟后（14:35 之后）再试。" in text(response)


def test_one_address_trying_many_accounts_is_locked(client):
    UserFactory(username="victor")
    with time_machine.travel(START, tick=False):
        for n in range(5):
            attempt(client, f"guess{n}", WRONG, address="203.0.113.5")
        refused = attempt(client, "victor", PASSWORD, address="203.0.113.5")
        assert refused.status_code == 429
        assert "此网络地址登录失败次数过多，已暂时禁止登录，请于 15 分钟后（14:35 之后）再试。" in text(refused)
        # The account itself is not locked: from its own address the user gets in.
        allowed = attempt(client, "victor", PASSWORD, address="198.51.100.7")
    assert allowed.status_code == 302


@override_settings(AXES_IPWARE_META_PRECEDENCE_ORDER=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], AXES_IPWARE_PROXY_COUNT=0)
def test_behind_a_proxy_the_address_comes_from_its_header_and_cannot_be_spoofed(client):
    """docker-compose.yml's setting: one proxy (REMOTE_ADDR 10.0.0.2) appends the address it sees
    to X-Forwarded-For."""
    UserFactory(username="victor")
    with time_machine.travel(START, tick=False):
        for n in range(5):
            # The attacker puts a different fake address in front each time.
            attempt(client, f"guess{n}", WRONG, address="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
        refused = attempt(client, "victor", PASSWORD, address="10.0.0.2",
                          HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5")
        # Everyone else comes through the same proxy and is not locked with the attacker.
        allowed = attempt(client, "victor", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        client.logout()
        # Nor is a request that reaches the server without the proxy: its own address counts.
        direct = attempt(client, "victor", PASSWORD, address="10.0.0.3")
    assert refused.status_code == 429 and "此网络地址登录失败次数过多" in text(refused)
    assert allowed.status_code == 302
    assert direct.status_code == 302


def test_status_and_clear_unlock_and_write_the_activity_log(client, staff):
    alice = UserFactory(username="alice")
    assert login_lockout_status(username="alice") is None
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
        status = login_lockout_status(username="alice")
        assert status == {"locked": True, "until": START + datetime.timedelta(minutes=15), "failures": 5}

        assert login_lockout_clear(username="alice", by=staff) == 1
        assert login_lockout_status(username="alice") is None
        response = attempt(client, "alice", PASSWORD)
        assert response.status_code == 302 and is_logged_in(client)
    log = ActivityLog.objects.get(object_id=alice.pk, action="解除登录锁定")
    assert log.actor == staff and log.target == alice


def test_status_below_the_limit_is_not_locked(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            attempt(client, "alice", WRONG)
        assert login_lockout_status(username="alice") == {"locked": False, "until": None, "failures": 2}


def test_clear_without_anything_to_clear_logs_nothing(staff):
    UserFactory(username="alice")
    assert login_lockout_clear(username="alice", by=staff) == 0
    assert login_lockout_clear(username="", by=staff) == 0
    assert not ActivityLog.objects.filter(action="解除登录锁定").exists()


def test_clear_of_an_unknown_username_unlocks_without_a_log(client, staff):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "nobody", WRONG)
        assert login_lockout_status(username="nobody")["locked"] is True
        assert login_lockout_clear(username="nobody", by=staff) == 1
    assert not ActivityLog.objects.filter(action="解除登录锁定").exists()


def test_axes_reset_username_command_unlocks(client):
    from django.core.management import call_command

    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
        call_command("axes_reset_username", "alice", stdout=open("/dev/null", "w"))
        assert attempt(client, "alice", PASSWORD).status_code == 302


def test_test_client_login_needs_a_request_and_is_throttled_too(client):
    """AxesStandaloneBackend refuses to authenticate without a request: tests pass one."""
    UserFactory(username="alice")
    assert client.login(request=HttpRequest(), username="alice", password=PASSWORD) is True
    client.logout()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
        assert client.login(request=HttpRequest(), username="alice", password=PASSWORD) is False


def test_force_login_is_not_throttled(client):
    alice = UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
        client.force_login(alice)
        assert client.get(reverse("dashboard")).status_code == 200


def test_lockout_page_keeps_a_safe_next_only(client):
    UserFactory(username="alice")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt(client, "alice", WRONG)
        kept = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "next": "/bangs/"})
        dropped = client.post(reverse("login"), {"username": "alice", "password": PASSWORD,
                                                 "next": "https://evil.example/"})
    assert 'name="next" value="/bangs/"' in kept.content.decode()
    assert "evil.example" not in dropped.content.decode()


def test_demo_password_and_test_passwords_satisfy_the_validators():
    from django.contrib.auth.password_validation import validate_password

    from core.management.commands.load_demo import DEMO_PASSWORD

    for username, password in [("enterprise", DEMO_PASSWORD), ("admin", DEMO_PASSWORD), ("alice", PASSWORD)]:
        validate_password(password, User(username=username, email=f"{username}@example.com"))


def test_administrator_sees_the_lock_and_lifts_it_from_the_account_page(client):
    from accounts.enums import Role

    victim = UserFactory(username="alice")
    admin = UserFactory(username="pingtai", roles=[Role.ADMIN])
    staff = UserFactory(username="staffer", roles=[Role.STAFF])
    for _ in range(5):
        attempt(client, "alice", WRONG)
    assert attempt(client, "alice", PASSWORD).status_code == 429

    # Organiser staff may not unlock accounts.
    client.force_login(staff)
    assert client.post(reverse("accounts:user_unlock", args=[victim.pk])).status_code == 403
    assert login_lockout_status(username="alice")["locked"] is True

    client.force_login(admin)
    page = text(client.get(reverse("accounts:user_edit", args=[victim.pk])))
    assert "连续登录失败 5 次，账号锁定至" in page
    response = client.post(reverse("accounts:user_unlock", args=[victim.pk]), follow=True)
    assert "已解除登录锁定" in text(response) and "未锁定" in text(response)
    assert ActivityLog.objects.filter(object_id=victim.pk, action="解除登录锁定", actor=admin).exists()
    client.logout()
    attempt(client, "alice", PASSWORD)
    assert is_logged_in(client)


def test_administrator_sees_a_locked_address_and_lifts_it(client):
    from accounts.enums import Role

    admin = UserFactory(username="pingtai", roles=[Role.ADMIN])
    for name in ("alice", "bob", "carol", "dave", "erin"):
        UserFactory(username=name)
        attempt(client, name, WRONG, address="10.1.2.3")
    UserFactory(username="frank")
    assert attempt(client, "frank", PASSWORD, address="10.1.2.3").status_code == 429
    client.force_login(admin)
    page = text(client.get(reverse("accounts:user_list")))
    assert "被锁定的网络地址" in page and "10.1.2.3" in page
    staff = UserFactory(username="staffer", roles=["staff"])
    client.force_login(staff)
    assert client.post(reverse("accounts:address_unlock"), {"ip_address": "10.1.2.3"}).status_code == 403
    client.force_login(admin)
    assert "网络地址格式不正确" in text(client.post(reverse("accounts:address_unlock"), {"ip_address": "x' OR 1=1"},
                                                     follow=True))
    response = client.post(reverse("accounts:address_unlock"), {"ip_address": "10.1.2.3"}, follow=True)
    assert "已解除网络地址 10.1.2.3 的登录锁定" in text(response) and "被锁定的网络地址" not in text(response)
    assert ActivityLog.objects.filter(action="解除网络地址登录锁定", note="10.1.2.3", actor=admin).exists()
    client.logout()
    attempt(client, "frank", PASSWORD, address="10.1.2.3")
    assert is_logged_in(client)


@pytest.mark.parametrize("addresses", [1, 6])
def test_locked_addresses_cost_one_query_whatever_their_number(addresses, django_assert_num_queries):
    from accounts.lockout import login_lockout_addresses
    from django.test import Client

    for i in range(addresses):
        client = Client()
        for k in range(5):  # other names each time, so no account locks before its address does
            attempt(client, f"u{i}x{k}", WRONG, address=f"10.9.0.{i + 1}")
    with django_assert_num_queries(1):
        locked = login_lockout_addresses()
    assert sorted(row["ip_address"] for row in locked) == sorted(f"10.9.0.{i + 1}" for i in range(addresses))
    assert all(row["failures"] == 5 for row in locked)


def test_sessions_signed_in_before_the_password_backend_stay_signed_in(client, alice):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    session = SessionStore()
    session.update({"_auth_user_id": str(alice.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": alice.get_session_auth_hash()})
    session.create()
    client.cookies["sessionid"] = session.session_key
    assert client.get(reverse("dashboard")).status_code == 302  # signed out: the old backend is gone
    import_module("accounts.migrations.0004_sessions_password_backend").move_sessions(apps, None)
    assert client.get(reverse("dashboard")).status_code == 200
