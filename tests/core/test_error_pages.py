"""403, 404, 405, 500 (and 400, CSRF) pages: Chinese, the portal's layout, what happened, a way back."""

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from accounts.enums import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

BOOTSTRAP = "/static/vendor/bootstrap/bootstrap.min.css"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_way_back(page: str) -> None:
    assert 'href="/"' in page and "返回首页" in page
    assert 'href="/dashboard/"' in page and "我的工作台" in page


def assert_portal_layout(page: str) -> None:
    assert BOOTSTRAP in page
    assert "内蒙古自治区“揭榜挂帅”项目管理平台" in page
    assert 'data-testid="error-page"' in page


def test_403_shows_the_reason_the_permission_check_gave(client):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))  # no unit
    response = client.get(reverse("accounts:unit"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page
    assert '<p class="lead" data-testid="error-message">您尚未加入任何单位。</p>' in page
    assert_portal_layout(page)
    assert_way_back(page)


def test_403_without_a_reason_says_what_happened(client):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))
    response = client.get(reverse("demands:queue"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "您没有权限访问此页面或执行此操作" in page
    assert "错误代码 403" in page
    assert_way_back(page)


def test_404_for_an_unknown_address(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "您访问的页面不存在" in page
    assert "登录" in page  # an anonymous visitor may only need to sign in
    assert_portal_layout(page)
    assert_way_back(page)


def test_404_for_an_object_outside_the_users_scope_does_not_echo_the_exception(client, demand, bob):
    client.force_login(bob)
    response = client.get(reverse("demands:detail", args=[demand.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "No Demand matches" not in page and demand.name not in page


def test_405_for_a_post_only_address_opened_directly(client, alice):
    client.force_login(alice)
    response = client.get(reverse("notifications:read_all"))
    page = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "不支持的访问方式" in page and "不能直接打开" in page
    assert_portal_layout(page)
    assert_way_back(page)


def test_405_with_a_body_is_left_alone(client):
    response = client.post("/api/v1/bangs/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "error-page" not in response.content.decode()


def test_400_for_a_request_to_an_unknown_host(client):
    response = client.get("/", HTTP_HOST="evil.example")
    page = response.content.decode()
    assert response.status_code == 400
    assert "请求无效" in page
    assert_way_back(page)


def test_csrf_failure_is_a_chinese_page(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("notifications:read_all"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "刷新后重新提交" in page
    assert_way_back(page)


@pytest.fixture
def failing_urls(settings, client):
    settings.ROOT_URLCONF = "tests.core.urls_errors"
    client.raise_request_exception = False
    return client


def test_500_page(failing_urls):
    response = failing_urls.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in page and "请稍后重试" in page
    assert "boom" not in page
    assert_portal_layout(page)
    assert_way_back(page)


def test_500_page_renders_with_the_database_down(failing_urls, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = failing_urls.get("/database-down/")
    page = response.content.decode()
    # Nothing the user did is wrong: a 503 that says to try again shortly, not "an error was logged".
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "错误代码 503" in page and "系统暂时无法使用" in page and "请稍等片刻后刷新页面重试" in page
    assert "connection refused" not in page
    assert_portal_layout(page)
    assert_way_back(page)


def broken_context_processor(request):
    raise RuntimeError("context processor broken")


def test_500_page_renders_when_the_template_context_is_broken(failing_urls, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "context_processors": [*settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                                   "tests.core.test_error_pages.broken_context_processor"],
        }},
    ]
    response = failing_urls.get("/no-such-page/")  # the 404 page needs the context, and fails
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in page
    assert_way_back(page)


def test_500_falls_back_to_plain_html_when_no_template_renders(failing_urls, monkeypatch):
    from django.template import loader

    def missing(name, *args, **kwargs):
        raise RuntimeError("templates unavailable")

    monkeypatch.setattr(loader, "get_template", missing)
    response = failing_urls.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>系统出错</h1>" in page
    assert_way_back(page)
