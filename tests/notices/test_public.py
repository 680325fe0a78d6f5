"""The public side of result notices (issue 11): the notices, the feed, the API, filing an objection by
real name, its receipt and status; no objector data ever on a public page."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.enums import ObjectionState, ObjectorKind
from notices.models import Notice, Objection

from ..applications.helpers import PDF
from .test_services import proposed, publish  # noqa: F401  (the fixture, reused)

pytestmark = pytest.mark.django_db

# A distinctive objector: none of this may appear on a public page, the feed or the API.
SECRET = {"name": "欧阳秘密人", "id_number": "11010519491231002X", "mobile": "13987654321",
          "email": "secret-objector@example.com"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def person_post(entry, **overrides):
    data = {"entry": entry.pk, "kind": "person", **SECRET, "grounds": "牵头单位业绩材料不实。", "pledge": "on"}
    data.update(overrides)
    return data


@pytest.fixture
def notice(organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    return publish(bang_list, organiser_staff)


def end_text(notice) -> str:
    return timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M:%S")


# --- the notices -------------------------------------------------------------------------------


def test_index_and_detail_render_for_anonymous_with_countdown_and_end_time(client, notice, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    page = client.get(reverse("notices:index")).content.decode()
    assert notice.title in page and bang_list.title in page
    assert "剩余" in page and "天" in page
    assert f"截止 {end_text(notice)}（北京时间）" in page

    response = client.get(reverse("notices:detail", args=[notice.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"截止 {end_text(notice)}（北京时间）" in page and 'data-testid="countdown"' in page
    assert "依据……经专家评审" in page and "书面实名提出" in page
    assert f"{bang.number}. {bang.title}" in page
    assert apps[0].lead.name in page and "公示中" in page
    assert "对本公示提出异议" in page and reverse("notices:object", args=[notice.pk]) in page


def test_countdown_text():
    from notices.selectors import countdown

    now = timezone.now().replace(microsecond=0)
    assert countdown(now + datetime.timedelta(days=3, hours=5), now) == "剩余3天5小时"
    assert countdown(now, now).startswith("剩余")  # the last second still counts
    assert countdown(now - datetime.timedelta(seconds=1), now) == "公示期已结束"


def test_ended_notice_has_no_objection_button_and_filters_work(client, notice):
    Notice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "公示期已结束" in page and 'data-testid="object-button"' not in page
    assert notice.title not in client.get(reverse("notices:index"), {"status": "running"}).content.decode()
    assert notice.title in client.get(reverse("notices:index"), {"status": "ended"}).content.decode()
    assert notice.title in client.get(reverse("notices:index"), {"q": "揭榜结果"}).content.decode()
    assert notice.title not in client.get(reverse("notices:index"), {"q": "没有这个"}).content.decode()


@pytest.mark.parametrize("query", [{"page": "abc"}, {"page": "99999999999999999999"}, {"status": "zzz"},
                                   {"q": "a\x00b"}, {"q": "x" * 5000}])
def test_junk_query_strings_give_200(client, notice, query):
    response = client.get(reverse("notices:index"), query)
    assert response.status_code == 200
    if "status" in query:
        assert "已忽略" in response.content.decode()


def test_index_query_count_is_the_same_at_two_sizes(client, notice, organiser_staff):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notices:index")).status_code == 200
        return len(queries)

    small = count()
    for i in range(6):
        Notice.objects.create(bang_list=notice.bang_list, title=f"公示{i}", basis="b", how_to_object="h",
                              period_days=5, published_at=notice.published_at, ends_at=notice.ends_at,
                              published_by=organiser_staff)
    from django.core.cache import caches

    caches["pages"].clear()
    assert count() == small


def test_home_page_lists_the_notice_in_its_notices(client, notice):
    page = client.get(reverse("home")).content.decode()
    assert notice.title in page and reverse("notices:detail", args=[notice.pk]) in page


# --- no objector data on public pages ------------------------------------------------------------


def test_no_objector_data_in_detail_feed_or_api(client, notice):
    entry = notice.entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=SECRET, grounds="独特理由ZZQ")
    pages = [
        client.get(reverse("notices:index")).content.decode(),
        client.get(reverse("notices:detail", args=[notice.pk])).content.decode(),
        client.get(reverse("notices:feed")).content.decode(),
        json.dumps(client.get("/api/v1/notices/").json(), ensure_ascii=False),
        json.dumps(client.get(f"/api/v1/notices/{notice.pk}/").json(), ensure_ascii=False),
    ]
    for page in pages:
        for value in (*SECRET.values(), "独特理由ZZQ", objection.number, "已提交（待受理）"):
            assert value not in page, value
    feed, api = pages[2], json.loads(pages[3])
    assert notice.title in feed and "<feed" in feed
    item = api["results"][0]
    assert item["title"] == notice.title and item["ends_at"] and item["period_days"] == notice.period_days
    assert item["entries"][0]["awards"][0]["lead"] and item["entries"][0]["state"] == "noticed"
    assert "objections" not in json.dumps(item)


def test_api_is_in_the_schema(client):
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/notices/" in schema


# --- filing an objection -------------------------------------------------------------------------


def test_person_files_through_the_form_gets_a_receipt_then_reads_the_reply(client, notice, organiser_staff):
    entry = notice.entries.get()
    form = client.get(reverse("notices:object", args=[notice.pk])).content.decode()
    assert 'data-testid="person-fieldset"' in form and 'data-testid="organisation-fieldset"' in form
    assert "本人承诺所提供信息真实" in form and "data-confirm" in form
    response = client.post(reverse("notices:object", args=[notice.pk]),
                           person_post(entry, evidence=[SimpleUploadedFile("证据.pdf", PDF)]), follow=True)
    objection = Objection.objects.get()
    page = response.content.decode()
    assert objection.number in page and "1101**********002X" in page and SECRET["id_number"] not in page
    assert objection.files.count() == 1 and objection.kind == ObjectorKind.PERSON

    client.logout()
    status_url = reverse("notices:status")
    page = client.post(status_url, {"number": objection.number, "phone": SECRET["mobile"]}).content.decode()
    assert "已提交（待受理）" in page
    services.objection_accept(objection=objection, by=organiser_staff)
    services.objection_decide(objection=objection, by=organiser_staff, upheld=False, reply="经核查，异议不成立。答复ABC")
    page = client.post(status_url, {"number": objection.number, "phone": SECRET["mobile"]}).content.decode()
    assert "异议不成立" in page and "答复ABC" in page


def test_wrong_pair_says_not_found_without_saying_which(client, notice):
    objection = services.objection_file(entry=notice.entries.get(), kind=ObjectorKind.PERSON, data=SECRET, grounds="理由")
    url = reverse("notices:status")
    wrong_phone = client.post(url, {"number": objection.number, "phone": "13900000000"}).content.decode()
    wrong_number = client.post(url, {"number": "YY000", "phone": SECRET["mobile"]}).content.decode()
    for page in (wrong_phone, wrong_number):
        assert "未找到" in page and "异议不成立" not in page and 'data-testid="objection-status"' not in page


def test_status_lookups_are_throttled_per_address(client, notice):
    from notices.views_public import IP_LOOKUPS_PER_HOUR

    url = reverse("notices:status")
    for _ in range(IP_LOOKUPS_PER_HOUR):
        client.post(url, {"number": "YY1", "phone": "13900000000"})
    assert "查询过于频繁" in client.post(url, {"number": "YY1", "phone": "13900000000"}).content.decode()


def test_organisation_files_with_a_sealed_letter(client, notice):
    entry = notice.entries.get()
    data = {"entry": entry.pk, "kind": "organisation", "unit_name": "某某科技有限公司", "credit_code": "91110000600037341L",
            "legal_rep": "王五", "contact_name": "赵六", "contact_phone": "0471-6328607", "grounds": "技术路线抄袭。",
            "pledge": "on", "letter": SimpleUploadedFile("异议函.png", PNG)}
    response = client.post(reverse("notices:object", args=[notice.pk]), data, follow=True)
    objection = Objection.objects.get()
    assert objection.kind == ObjectorKind.ORGANISATION and objection.files.get().role == "letter"
    assert objection.number in response.content.decode()
    # The status by the unit's contact phone.
    page = client.post(reverse("notices:status"), {"number": objection.number, "phone": "0471-6328607"})
    assert "已提交（待受理）" in page.content.decode()


def test_organisation_without_letter_and_anonymous_person_refused_with_field_messages(client, notice):
    entry = notice.entries.get()
    url = reverse("notices:object", args=[notice.pk])
    response = client.post(url, {"entry": entry.pk, "kind": "organisation", "unit_name": "某某公司",
                                 "grounds": "理由写在这里", "pledge": "on"})
    form = response.context["form"]
    assert "letter" in form.errors and "credit_code" in form.errors and "legal_rep" in form.errors
    assert "理由写在这里" in response.content.decode()  # nothing typed is lost
    response = client.post(url, {"entry": entry.pk, "kind": "person", "grounds": "匿名理由"})
    form = response.context["form"]
    assert {"name", "id_number", "mobile", "pledge"} <= set(form.errors)
    response = client.post(url, person_post(entry, id_number="110105194912310021"))
    assert "id_number" in response.context["form"].errors and SECRET["name"] in response.content.decode()
    assert not Objection.objects.exists()


def test_bad_evidence_refused_next_to_the_field_and_the_files_must_be_chosen_again(client, notice):
    entry = notice.entries.get()
    response = client.post(reverse("notices:object", args=[notice.pk]),
                           person_post(entry, evidence=[SimpleUploadedFile("x.pdf", b"not a pdf at all")]))
    assert "evidence" in response.context["form"].errors
    assert "文件未保留" in response.content.decode()
    assert not Objection.objects.exists()


def test_late_filing_refused_with_the_end_time(client, notice):
    entry = notice.entries.get()
    ended = timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=1)
    Notice.objects.filter(pk=notice.pk).update(ends_at=ended)
    response = client.post(reverse("notices:object", args=[notice.pk]), person_post(entry))
    page = response.content.decode()
    assert f"公示期已于{timezone.localtime(ended):%Y-%m-%d %H:%M:%S}结束" in page
    assert SECRET["name"] in page  # what was typed is kept
    assert not Objection.objects.exists()
    page = client.get(reverse("notices:object", args=[notice.pk])).content.decode()
    assert "公示期已于" in page and 'data-testid="objection-form"' not in page


def test_filings_are_throttled_per_address(client, notice, monkeypatch):
    from notices import views_public

    monkeypatch.setattr(views_public, "IP_FILINGS_PER_HOUR", 1)
    entry = notice.entries.get()
    url = reverse("notices:object", args=[notice.pk])
    client.post(url, person_post(entry))
    response = client.post(url, person_post(entry, mobile="13700000000"))
    assert "一小时内最多提交1份" in response.content.decode()
    assert Objection.objects.count() == 1


def test_receipt_only_for_the_browser_that_filed(client, notice):
    objection = services.objection_file(entry=notice.entries.get(), kind=ObjectorKind.PERSON, data=SECRET, grounds="理由")
    assert client.get(reverse("notices:receipt", args=[objection.number])).status_code == 404
    assert objection.state == ObjectionState.FILED



def test_home_page_lists_a_correction_too(client, notice, organiser_staff):
    services.notice_amend(notice=notice, by=organiser_staff, title="更正联系电话", body="联系电话改为0477-1111111")
    page = client.get(reverse("home")).content.decode()
    assert f"{notice.title}：更正联系电话" in page


def test_cached_notice_page_shows_a_new_correction_and_a_settled_entry(client, notice, organiser_staff):
    url = reverse("notices:detail", args=[notice.pk])
    assert "更正公告" not in client.get(url).content.decode()
    services.notice_amend(notice=notice, by=organiser_staff, title="更正补助金额说明", body="补助金额以任务书为准。")
    page = client.get(url).content.decode()
    assert "更正补助金额说明" in page and 'id="amendment-' in page
    assert "更正补助金额说明" in client.get(reverse("notices:feed")).content.decode()


def test_a_signed_in_user_files_too(client, notice, applicant):
    client.force_login(applicant)
    response = client.post(reverse("notices:object", args=[notice.pk]), person_post(notice.entries.get()), follow=True)
    assert Objection.objects.get().number in response.content.decode()
