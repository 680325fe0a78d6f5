import pytest
from django.urls import reverse

from accounts.enums import JoinRequestState, Role
from accounts.models import JoinRequest, Organisation, Region, User
from notifications.models import Notification

from ..factories import UserFactory, credit_code

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "role": "enterprise",
        "credit_code": credit_code(999),
        "name": "包头长安永磁电机有限公司",
        "kind": "enterprise",
        "region": Region.objects.get(code="150207").pk,
        "address": "包头市九原区",
        "postcode": "014060",
        "username": "zhang",
        "full_name": "张继鹏",
        "mobile": "13912345678",
        "email": "zhang@example.com",
        "password1": "Strong-pass-2026",
        "password2": "Strong-pass-2026",
    }
    data.update(overrides)
    return data


def test_register_creates_unit_first_user_and_role(client):
    response = client.post(reverse("accounts:register"), form_data())
    assert response.status_code == 302
    org = Organisation.objects.get(credit_code=credit_code(999))
    user = User.objects.get(username="zhang")
    assert user.organisation == org
    assert org.first_user == user
    assert user.has_role(Role.ENTERPRISE)
    assert org.in_region is True


def test_register_bad_credit_code_shows_message_and_creates_nothing(client):
    response = client.post(reverse("accounts:register"), form_data(credit_code="91110000600037341N"))
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not User.objects.filter(username="zhang").exists()


def test_register_bad_mobile_is_refused_next_to_field(client):
    response = client.post(reverse("accounts:register"), form_data(mobile="12345"))
    assert "请输入11位手机号码" in response.content.decode()
    assert not User.objects.filter(username="zhang").exists()


def test_register_existing_code_becomes_join_request_approved_by_first_user(client):
    client.post(reverse("accounts:register"), form_data())
    client.logout()
    client.post(reverse("accounts:register"), form_data(username="li", email="li@example.com"))
    newcomer = User.objects.get(username="li")
    assert newcomer.organisation is None
    request = JoinRequest.objects.get(user=newcomer)
    assert request.state == JoinRequestState.PENDING
    first = User.objects.get(username="zhang")
    assert Notification.objects.filter(recipient=first, event_key=f"join_request:{request.pk}:created").exists()

    # A stranger can neither see nor decide it.
    stranger = UserFactory(roles=[Role.ENTERPRISE])
    client.force_login(stranger)
    response = client.post(reverse("accounts:join_request_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 404

    client.force_login(first)
    client.post(reverse("accounts:join_request_decide", args=[request.pk]), {"decision": "approve"})
    newcomer.refresh_from_db()
    assert newcomer.organisation.credit_code == credit_code(999)
    assert User.objects.get(pk=newcomer.pk).has_role(Role.ENTERPRISE)


def test_join_request_decide_is_post_only(client):
    user = UserFactory(roles=[Role.STAFF])
    client.force_login(user)
    assert client.get(reverse("accounts:join_request_decide", args=[1])).status_code == 405


def test_password_reset_by_email(client):
    from django.core import mail

    user = UserFactory(email="reset@example.com")
    client.post(reverse("password_reset"), {"email": "reset@example.com"})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/"):]
    response = client.get(path, follow=True)
    response = client.post(response.redirect_chain[-1][0], {"new_password1": "New-pass-2026x", "new_password2": "New-pass-2026x"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-pass-2026x")


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-Secret-123", "new_password1": "Another-pass-2026", "new_password2": "Another-pass-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-2026")
