"""The bang page tells every visitor what they can do next about the bang."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from applications import services as application_services
from bangs.models import BangList

from ..factories import make_bang_list
from ..html import links, text, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def bang(organiser_staff):
    return make_bang_list(by=organiser_staff).bangs.get()


def _page(client, bang):
    return client.get(reverse("bangs:bang_detail", args=[bang.pk]))


def test_call_to_action_applicant_may_start(client, applicant, bang):
    client.force_login(applicant)
    response = _page(client, bang)
    assert "我要揭榜" in text(response, "apply-panel")
    assert f'action="{reverse("applications:start", args=[bang.pk])}"' in response.content.decode()


def test_call_to_action_applicant_with_draft_continues_it(client, applicant, bang):
    application = application_services.application_start(bang=bang, by=applicant)
    client.force_login(applicant)
    response = _page(client, bang)
    assert text(response, "my-application") == "您单位已申报本榜：草稿，继续填写"
    assert links(response, "my-application") == [("继续填写", reverse("applications:edit", args=[application.pk]))]
    assert "我要揭榜" not in text(response, "apply-panel")


def test_call_to_action_applicant_refused_sees_reason(client, applicant, bang):
    BangList.objects.filter(pk=bang.bang_list_id).update(deadline=timezone.now() - datetime.timedelta(days=1))
    client.force_login(applicant)
    response = _page(client, bang)
    assert text(response, "apply-refusal").startswith("不能申报：该榜单不在申报时间内")
    assert "我要揭榜" not in response.content.decode()


def test_call_to_action_anonymous_signs_in_or_registers(client, bang):
    response = _page(client, bang)
    next_url = reverse("bangs:bang_detail", args=[bang.pk])
    assert links(response, "apply-panel") == [
        ("登录后揭榜", f"{reverse('login')}?{urlencode({'next': next_url})}"),
        ("注册单位", reverse("accounts:register")),
    ]


def test_call_to_action_anonymous_login_comes_back_to_bang(client, applicant, bang):
    applicant.set_password("Secret-pass-2026")
    applicant.save(update_fields=["password"])
    login_url = links(_page(client, bang), "apply-panel")[0][1]
    response = client.post(login_url, {"username": applicant.username, "password": "Secret-pass-2026"})
    assert response.status_code == 302
    assert response.url == reverse("bangs:bang_detail", args=[bang.pk])


@pytest.mark.parametrize("who", ["organiser_staff", "expert", "alice"])
def test_call_to_action_other_roles_see_neutral_line(client, request, bang, who):
    client.force_login(request.getfixturevalue(who))
    response = _page(client, bang)
    assert texts(response, "apply-panel") == ["本榜正在接受申报；由揭榜单位的申报账号登录后申报。"]
    assert "我要揭榜" not in response.content.decode()
    assert "不能申报" not in response.content.decode()


def test_call_to_action_draft_after_deadline_is_only_viewed(client, applicant, bang):
    application = application_services.application_start(bang=bang, by=applicant)
    BangList.objects.filter(pk=bang.bang_list_id).update(deadline=timezone.now() - datetime.timedelta(days=1))
    client.force_login(applicant)
    response = _page(client, bang)
    assert links(response, "my-application") == [("查看", reverse("applications:detail", args=[application.pk]))]
