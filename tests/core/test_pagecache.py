"""The public page cache (core.pagecache): anonymous visitors get the same page faster, never a
stale one, and never anyone else's."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangs.models import BangList
from bangs.services import bang_list_amend
from core import pagecache

from ..applications.helpers import make_applicant
from ..factories import make_bang_list

pytestmark = pytest.mark.django_db


def test_a_second_anonymous_visit_is_the_same_page_for_one_query(client, organiser_staff, django_assert_num_queries):
    bang = make_bang_list(by=organiser_staff, title="缓存榜单").bangs.get()
    for url in (reverse("home"), reverse("bangs:browse"), reverse("bangs:bang_detail", args=[bang.pk]),
                reverse("bangs:feed"), "/api/v1/lists/", "/api/v1/bangs/", reverse("downloads")):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(1):  # the public version, nothing else
            again = client.get(url)
        assert again.status_code == 200 and again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"]


def test_a_change_shows_on_the_next_visit(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, title="第一批榜单")
    assert "第一批榜单" in client.get(reverse("bangs:browse")).content.decode()
    make_bang_list(by=organiser_staff, title="新发布的榜单")
    assert "新发布的榜单" in client.get(reverse("bangs:browse")).content.decode()
    bang_list_amend(bang_list=bang_list, title="关于延长申报时间的通知", body="延长一周。",
                    new_deadline=bang_list.deadline + datetime.timedelta(days=7), by=organiser_staff)
    assert "关于延长申报时间的通知" in client.get(reverse("home")).content.decode()


def test_the_page_changes_when_the_deadline_passes_though_nothing_was_saved(client, organiser_staff, monkeypatch):
    bang = make_bang_list(by=organiser_staff).bangs.get()
    now = timezone.now().replace(microsecond=0)
    deadline = now + datetime.timedelta(seconds=20)  # well inside the cache's 60 seconds
    BangList.objects.filter(pk=bang.bang_list_id).update(deadline=deadline)
    url = reverse("bangs:bang_detail", args=[bang.pk])
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert 'data-testid="countdown"' in client.get(url).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: deadline + datetime.timedelta(microseconds=999_999))
    assert 'data-testid="countdown"' in client.get(url).content.decode()  # the last second still counts
    monkeypatch.setattr(timezone, "now", lambda: deadline + datetime.timedelta(seconds=1))
    page = client.get(url).content.decode()
    assert 'data-testid="countdown"' not in page and "登录后揭榜" not in page


def test_a_signed_in_user_neither_gets_nor_leaves_a_cached_page(client, organiser_staff):
    bang = make_bang_list(by=organiser_staff).bangs.get()
    url = reverse("bangs:bang_detail", args=[bang.pk])
    anonymous = client.get(url).content.decode()
    assert "登录后揭榜" in anonymous
    applicant = make_applicant()
    client.force_login(applicant)
    page = client.get(url).content.decode()
    assert "我要揭榜" in page and "登录后揭榜" not in page and "csrfmiddlewaretoken" in page
    client.logout()
    page = client.get(url).content.decode()
    assert "我要揭榜" not in page and "csrfmiddlewaretoken" not in page and applicant.username not in page


def test_a_page_with_a_message_is_not_kept(client, organiser_staff):
    make_bang_list(by=organiser_staff)
    junk = reverse("bangs:browse") + "?region=abc"
    assert "值无效" in client.get(junk).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(junk).content.decode()
    assert "值无效" in page and len(queries) > 1  # rendered again, not kept
    assert "值无效" not in client.get(reverse("bangs:browse")).content.decode()


def test_a_visitor_with_a_session_or_a_message_waiting_is_not_served_from_the_cache(client, organiser_staff):
    make_bang_list(by=organiser_staff)
    client.get(reverse("home"))
    client.cookies["messages"] = "anything"
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert len(queries) > 1
    del client.cookies["messages"]
    client.cookies["sessionid"] = "not-a-session"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert len(queries) > 1


def test_absolute_links_follow_the_host_and_scheme_asked(client, organiser_staff, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    make_bang_list(by=organiser_staff, bangs=2)
    for url in ("/api/v1/bangs/?page_size=1", reverse("bangs:feed")):
        assert "http://testserver/" in client.get(url).content.decode()
        assert "http://other.example/" in client.get(url, HTTP_HOST="other.example").content.decode()
        assert "https://testserver/" in client.get(url, secure=True).content.decode()
    assert client.get("/api/v1/lists/", HTTP_ACCEPT="text/html").status_code == 406  # as without the cache


def test_each_language_is_kept_apart(client, organiser_staff):
    make_bang_list(by=organiser_staff)
    chinese = client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("home")).content.decode()
    del client.cookies["django_language"]
    assert '<html lang="zh-hans">' in chinese and '<html lang="en">' in english
    assert client.get(reverse("home")).content.decode() == chinese


def test_a_cache_that_fails_is_a_miss_not_an_error(client, organiser_staff, monkeypatch):
    make_bang_list(by=organiser_staff, title="照常显示")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["pages"], "get", broken)
    monkeypatch.setattr(caches["pages"], "set", broken)
    response = client.get(reverse("bangs:browse"))
    assert response.status_code == 200 and "照常显示" in response.content.decode()


def test_the_next_moment_is_the_nearest_opening_or_deadline(organiser_staff):
    now = timezone.now().replace(microsecond=0)
    soon = make_bang_list(by=organiser_staff)
    later = make_bang_list(by=organiser_staff)
    draft = make_bang_list(by=organiser_staff, publish=False)
    BangList.objects.filter(pk=soon.pk).update(deadline=now + datetime.timedelta(seconds=30))
    BangList.objects.filter(pk=later.pk).update(opens_at=now + datetime.timedelta(seconds=40))
    BangList.objects.filter(pk=draft.pk).update(deadline=now + datetime.timedelta(seconds=5))  # drafts are not public
    assert pagecache.boundary(now) == now + datetime.timedelta(seconds=31)
    BangList.objects.filter(pk=soon.pk).update(deadline=now - datetime.timedelta(days=1))
    assert pagecache.boundary(now) == now + datetime.timedelta(seconds=40)
    BangList.objects.filter(pk=later.pk).update(opens_at=now - datetime.timedelta(days=1))
    assert pagecache.boundary(now) == now + datetime.timedelta(seconds=60)  # at most PUBLIC_PAGE_CACHE_SECONDS


def test_the_language_choice_needs_no_csrf_token(organiser_staff):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert "csrfmiddlewaretoken" not in browser.get(reverse("home")).content.decode()


def test_the_language_choice_goes_back_to_this_site_only(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(reverse("set_language"), {"language": "en", "next": target})
        assert response.status_code == 302 and response["Location"] == "/"
    assert client.post(reverse("set_language"), {"language": "en", "next": "/bangs/"})["Location"] == "/bangs/"
