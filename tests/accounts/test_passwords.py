"""Password rules: Django's validators (10 characters at least), their messages in Chinese."""

import pytest
from django.urls import reverse

from accounts.models import User

from ..factories import UserFactory
from .test_register import form_data

pytestmark = pytest.mark.django_db

# (password, what the user reads) for a user named "zhangwei" with zhangwei@example.com.
REFUSED = [
    ("Ab-12345", "密码太短，至少需要 10 个字符。"),
    ("password123", "这个密码太常见了。"),
    ("8390174265", "密码只包含数字。"),
    ("zhangwei2026", "密码跟 用户名 太相似了。"),
]


@pytest.mark.parametrize("password,message", REFUSED)
def test_registration_refuses_weak_password_in_chinese(client, password, message):
    response = client.post(
        reverse("accounts:register"),
        form_data(username="zhangwei", email="zhangwei@example.com", password1=password, password2=password),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="zhangwei").exists()


@pytest.mark.parametrize("password,message", REFUSED + [("x13912345678", "密码跟 手机 太相似了。")])
def test_password_change_refuses_weak_password_in_chinese(client, password, message):
    user = UserFactory(username="zhangwei", email="zhangwei@example.com", mobile="13912345678")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-Secret-123", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-Secret-123")


def test_ten_characters_are_enough(client):
    response = client.post(
        reverse("accounts:register"), form_data(password1="Qz-7kW!m2p", password2="Qz-7kW!m2p")
    )
    assert response.status_code == 302
    assert User.objects.get(username="zhang").check_password("Qz-7kW!m2p")


def test_nine_characters_are_not(client):
    response = client.post(reverse("accounts:register"), form_data(password1="Qz-7kW!m2", password2="Qz-7kW!m2"))
    assert "密码太短，至少需要 10 个字符。" in response.content.decode()
