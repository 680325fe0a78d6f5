"""The expert pool (专家库): staff keep it, experts keep their own profile (issue 10, section 1)."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.enums import Role
from accounts.models import Organisation, Region, User
from core.models import ActivityLog
from core.selectors import activity_list_for
from demands.models import TechField
from reviews import pool
from reviews.models import ExpertConflict, ExpertProfile
from tests.factories import OrganisationFactory, UserFactory, credit_code
from tests.html import text, texts

pytestmark = pytest.mark.django_db

ENERGY = "能源资源"


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", roles=[Role.ADMIN])


@pytest.fixture
def energy():
    return TechField.objects.get(name=ENERGY)


@pytest.fixture
def out_unit():
    """A unit in Beijing: its experts are 区外."""
    return OrganisationFactory(name="北京某研究院", region=Region.objects.get(code="110000"), kind="institute")


def make_profile(*, unit=None, fields=None, name="专家", active=True, **kwargs) -> ExpertProfile:
    user = UserFactory(full_name=name, roles=[Role.EXPERT], **kwargs)
    profile = ExpertProfile.objects.create(user=user, unit=unit or OrganisationFactory(kind="university"),
                                           title="教授", specialties="永磁电机", is_active=active)
    profile.fields.set(fields or [TechField.objects.get(name=ENERGY)])
    return profile


def profile_post(unit, fields, **extra):
    return {"unit": unit.pk, "title": "研究员", "fields": [f.pk for f in fields], "specialties": "稀土、储能",
            "phone": "0471-6328607", "email": "e@example.com", **extra}


# --- permissions ---------------------------------------------------------------------------------

POOL_PAGES = ["reviews:pool", "reviews:pool_create", "reviews:pool_import", "reviews:pool_template"]


@pytest.mark.parametrize("name", POOL_PAGES)
def test_pool_pages_send_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role_fixture", ["alice", "applicant", "expert", "recommender"])
@pytest.mark.parametrize("name", POOL_PAGES)
def test_pool_pages_refuse_other_roles(request, client_for, role_fixture, name):
    if role_fixture == "recommender":
        user = UserFactory(username="rec", roles=[Role.RECOMMENDER])
    else:
        user = request.getfixturevalue(role_fixture)
    assert client_for(user).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("role_fixture", ["alice", "applicant", "expert"])
def test_pool_detail_and_changes_refused_to_other_roles(request, client_for, role_fixture):
    profile = make_profile()
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.get(reverse("reviews:pool_detail", args=[profile.pk])).status_code == 403
    assert client.post(reverse("reviews:pool_deactivate", args=[profile.pk]), {"reason": "x"}).status_code == 403
    profile.refresh_from_db()
    assert profile.is_active


@pytest.mark.parametrize("role_fixture", ["staff", "admin"])
def test_pool_is_open_to_staff_and_admins(request, client_for, role_fixture):
    profile = make_profile(name="王五")
    response = client_for(request.getfixturevalue(role_fixture)).get(reverse("reviews:pool"))
    assert response.status_code == 200
    assert "王五" in text(response, "pool-list")
    assert profile.unit.name in text(response, "pool-list")


@pytest.mark.parametrize("role_fixture", ["alice", "applicant", "staff"])
def test_own_profile_is_for_experts_only(request, client_for, role_fixture):
    assert client_for(request.getfixturevalue(role_fixture)).get(reverse("reviews:my_profile")).status_code == 403


def test_own_profile_sends_visitors_to_login(client):
    response = client.get(reverse("reviews:my_profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_reactivate_is_post_only(client_for, staff):
    profile = make_profile(active=False)
    assert client_for(staff).get(reverse("reviews:pool_reactivate", args=[profile.pk])).status_code == 405


# --- staff: create, edit, deactivate, reactivate -------------------------------------------------


def test_admin_creates_an_expert_with_an_account_and_a_welcome_mail(client_for, admin, energy, out_unit):
    data = {"account-full_name": "赵六", "account-mobile": "13912345678", "account-email": "zhao@example.com",
            **profile_post(out_unit, [energy])}
    response = client_for(admin).post(reverse("reviews:pool_create"), data)
    profile = ExpertProfile.objects.get(user__mobile="13912345678")
    assert response.status_code == 302 and response.url == reverse("reviews:pool_detail", args=[profile.pk])
    user = profile.user
    assert user.full_name == "赵六" and user.username == "zj13912345678"
    assert user.has_role(Role.EXPERT) and not user.has_usable_password()
    assert profile.unit == out_unit and not profile.in_region
    assert [f.name for f in profile.fields.all()] == [ENERGY]
    assert [m.to for m in mail.outbox] == [["zhao@example.com"]]
    assert [e.action for e in activity_list_for(profile)] == ["加入专家库"]


def test_staff_creating_an_expert_are_told_the_password_mail_is_for_an_administrator(client_for, staff, energy,
                                                                                     out_unit):
    data = {"account-full_name": "赵六", "account-mobile": "13912345678", "account-email": "zhao@example.com",
            **profile_post(out_unit, [energy])}
    response = client_for(staff).post(reverse("reviews:pool_create"), data, follow=True)
    assert ExpertProfile.objects.filter(user__mobile="13912345678").exists()
    assert mail.outbox == []
    assert "设置密码的邮件须由平台管理员在用户管理中发送" in response.content.decode()


def test_create_shows_errors_next_to_the_fields(client_for, staff, out_unit):
    response = client_for(staff).post(reverse("reviews:pool_create"),
                                      {"account-full_name": "", "account-mobile": "123", "account-email": "x", **profile_post(out_unit, []),
                                       "fields": []})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请输入11位手机号码" in html and "请至少选择一个技术领域" in html
    assert not ExpertProfile.objects.exists()


def test_create_refuses_a_mobile_that_has_an_account(client_for, staff, energy, out_unit, expert):
    response = client_for(staff).post(reverse("reviews:pool_create"), {
        "account-full_name": "重复", "account-mobile": expert.mobile, "account-email": "d@example.com", **profile_post(out_unit, [energy])})
    assert response.status_code == 200
    assert "该手机号已有账号" in response.content.decode()
    assert not ExpertProfile.objects.exists()


def test_staff_edit_a_profile_and_the_change_is_logged(client_for, staff, energy, out_unit):
    profile = make_profile(name="旧名")
    other = TechField.objects.exclude(pk=energy.pk).first()
    response = client_for(staff).post(reverse("reviews:pool_edit", args=[profile.pk]),
                                      {"account-full_name": "新名", **profile_post(out_unit, [energy, other])})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.user.full_name == "新名" and profile.unit == out_unit and profile.title == "研究员"
    assert set(profile.fields.all()) == {energy, other}
    entry = activity_list_for(profile).get()
    assert entry.action == "修改专家信息" and "职称：教授 → 研究员" in entry.note and "姓名：旧名 → 新名" in entry.note


def test_deactivation_needs_a_reason_and_reactivation_restores(client_for, staff):
    profile = make_profile()
    client = client_for(staff)
    url = reverse("reviews:pool_deactivate", args=[profile.pk])
    assert "确认停用" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    profile.refresh_from_db()
    assert profile.is_active
    response = client.post(url, {"reason": "身体原因暂停评审"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.is_active and profile.deactivated_reason == "身体原因暂停评审"
    assert profile not in pool.pool_active_experts()
    detail = client.get(reverse("reviews:pool_detail", args=[profile.pk]))
    assert text(detail, "deactivated-reason") == "停用原因：身体原因暂停评审"
    page = client.post(reverse("reviews:pool_reactivate", args=[profile.pk]), follow=True)
    assert "重新启用原因：此项为必填项" in page.content.decode()
    page = client.post(reverse("reviews:pool_reactivate", args=[profile.pk]), {"reason": "a\x00b"}, follow=True)
    assert "空字符" in page.content.decode()
    profile.refresh_from_db()
    assert not profile.is_active
    client.post(reverse("reviews:pool_reactivate", args=[profile.pk]), {"reason": "本人来函恢复评审"})
    client.post(reverse("reviews:pool_reactivate", args=[profile.pk]), {"reason": "本人来函恢复评审"})  # a repeated click changes nothing
    profile.refresh_from_db()
    assert profile.is_active and profile.deactivated_reason == ""
    assert [e.action for e in activity_list_for(profile).order_by("pk")] == ["停用专家", "启用专家"]


def test_deactivate_service_refuses_a_blank_reason(staff):
    from core.exceptions import DomainError

    profile = make_profile()
    with pytest.raises(DomainError):
        pool.expert_set_active(profile=profile, active=False, reason="  ", by=staff)


def test_active_experts_for_the_draw(energy, out_unit):
    other_field = TechField.objects.exclude(pk=energy.pk).first()
    wanted = make_profile(unit=out_unit)
    make_profile(active=False)
    make_profile(fields=[other_field])
    gone = make_profile()
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    rows = list(pool.pool_active_experts(fields=[energy]))
    assert rows == [wanted]
    assert [f.name for f in rows[0].fields.all()] == [ENERGY] and rows[0].in_region is False


# --- list: filters, junk, query count ------------------------------------------------------------


def test_list_filters_by_search_field_and_region(client_for, staff, energy, out_unit):
    other_field = TechField.objects.exclude(pk=energy.pk).first()
    make_profile(name="区内甲", fields=[energy])
    make_profile(name="区外乙", unit=out_unit, fields=[other_field])
    client = client_for(staff)

    def names(**params):
        return [row.split(" ")[0] for row in texts(client.get(reverse("reviews:pool"), params), "pool-row")]

    assert len(names()) == 2
    assert names(region="out") == ["区外乙"]
    assert names(region="in") == ["区内甲"]
    assert names(field=other_field.pk) == ["区外乙"]
    assert names(q="北京某") == ["区外乙"]
    assert len(names(q="永磁")) == 2
    assert names(city="150200") == ["区内甲"]  # 包头市: the factory's units are in 九原区


@pytest.mark.parametrize("params", [
    {"field": "abc"}, {"field": "99999999999999999999"}, {"field": "2147483000"}, {"region": "mars"},
    {"city": "999999"}, {"active": "maybe"}, {"page": "x"}, {"q": "\x00" * 5},
])
def test_junk_query_strings_warn_instead_of_failing(client_for, staff, params):
    make_profile()
    response = client_for(staff).get(reverse("reviews:pool"), params)
    assert response.status_code == 200
    if set(params) - {"page", "q"}:
        assert "已忽略" in response.content.decode()


def test_list_query_count_at_two_sizes_is_equal(client_for, staff, out_unit):
    """The same check in one test, so it holds under any test ordering or parallel split."""
    client = client_for(staff)

    def count():
        client.get(reverse("reviews:pool"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("reviews:pool"))
        return len(queries)

    make_profile(unit=out_unit)
    one = count()
    for i in range(4):
        make_profile(name=f"专家{i}", unit=out_unit if i % 2 else None,
                     fields=list(TechField.objects.all()[:2]))
    assert count() == one


# --- import --------------------------------------------------------------------------------------

HEADER = ["姓名", "手机", "电子邮箱", "工作单位", "统一社会信用代码", "单位所在地区代码", "职称", "技术领域", "研究专长"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("experts.xlsx", out.getvalue())


def report(response) -> list[list[str]]:
    """(line, name, result, note) of each row of the import report, as shown."""
    return list(zip(*(texts(response, f"import-{part}") for part in ("line", "name", "status", "note")),
                    strict=True))


def test_template_download_has_the_headers_and_an_example(client_for, staff):
    response = client_for(staff).get(reverse("reviews:pool_template"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 2 and rows[1][0] == "张三"


def test_import_reports_every_row(client_for, staff, energy, expert):
    registered = OrganisationFactory(name="内蒙古大学")
    new_code = credit_code(7654321, region="150105")
    existing_expert_profile = make_profile(unit=registered)
    existing_expert_profile.user.mobile = "13700000001"
    existing_expert_profile.user.save(update_fields=["mobile"])
    rows = [
        ["甲", "13600000001", "jia@example.com", "内蒙古大学", registered.credit_code, "", "教授", ENERGY, "储能"],
        ["乙", "12345", "", "内蒙古大学", registered.credit_code, "", "", ENERGY, ""],  # bad mobile
        ["丙", "13600000003", "", "某新单位", new_code, "150105", "研究员", ENERGY, ""],  # placeholder unit
        ["丁", "13600000004", "", "某单位", "91150000XXXXXXXXXX", "", "", ENERGY, ""],  # bad credit code
        ["戊", "13600000005", "", "内蒙古大学", registered.credit_code, "", "", "量子玄学", ""],  # unknown field
        ["己", "13600000006", "", "另一新单位", credit_code(7654322), "990000", "", ENERGY, ""],  # unknown region
        ["", "13600000007", "", "内蒙古大学", registered.credit_code, "", "", ENERGY, ""],  # missing name
        ["甲二", "13600000001", "", "内蒙古大学", registered.credit_code, "", "", ENERGY, ""],  # duplicate of row 2
        ["老专家", "13700000001", "", "内蒙古大学", registered.credit_code, "", "首席", ENERGY, "新专长"],  # update
        ["庚", "13600000010", "", "内蒙古大学", registered.credit_code, "", "", f"{ENERGY}、不存在", ""],
    ]
    response = client_for(staff).post(reverse("reviews:pool_import"), {"file": xlsx(rows)})
    assert response.status_code == 200
    got = report(response)
    assert [(r[0], r[2]) for r in got] == [
        ("2", "新建"), ("3", "未导入"), ("4", "新建"), ("5", "未导入"), ("6", "未导入"), ("7", "未导入"),
        ("8", "未导入"), ("9", "未导入"), ("10", "更新"), ("11", "未导入"),
    ]
    assert "手机号码无效：12345" in got[1][3]
    assert "已按代填单位登记：某新单位" in got[2][3]
    assert "统一社会信用代码无效" in got[3][3]
    assert "未知的技术领域：量子玄学" in got[4][3]
    assert "未知的地区代码：990000" in got[5][3]
    assert "缺少姓名" in got[6][3]
    assert "与第 2 行手机号重复" in got[7][3]
    assert "未知的技术领域：不存在" in got[9][3]
    assert text(response, "import-summary") == "新建 2 行，更新 1 行，未导入 7 行。"

    jia = ExpertProfile.objects.get(user__mobile="13600000001")
    assert jia.unit == registered and jia.user.has_role(Role.EXPERT) and jia.email == "jia@example.com"
    placeholder = Organisation.objects.get(credit_code=new_code)
    assert placeholder.is_placeholder and placeholder.region.code == "150105"
    assert ExpertProfile.objects.get(user__mobile="13600000003").unit == placeholder
    assert not Organisation.objects.filter(credit_code=credit_code(7654322)).exists()  # the refused row left nothing
    existing_expert_profile.refresh_from_db()
    assert existing_expert_profile.title == "首席" and existing_expert_profile.specialties == "新专长"
    assert ExpertProfile.objects.count() == 3


def test_import_grants_the_role_to_an_existing_account_without_a_profile(client_for, staff, energy, alice):
    alice.mobile = "13611112222"
    alice.save(update_fields=["mobile"])
    unit = OrganisationFactory()
    rows = [["爱丽丝", "13611112222", "", unit.name, unit.credit_code, "", "", ENERGY, ""]]
    got = report(client_for(staff).post(reverse("reviews:pool_import"), {"file": xlsx(rows)}))
    assert got[0][2] == "更新"
    alice = User.objects.get(pk=alice.pk)
    assert alice.has_role(Role.EXPERT) and alice.expert_profile.unit == unit


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("experts.xlsx", b"%PDF-1.4 not a sheet" * 10), "文件内容不是允许的格式"),
    (SimpleUploadedFile("experts.xlsx", b"PK\x03\x04" + b"\x00" * 200), "文件内容不是允许的格式"),
    (SimpleUploadedFile("experts.xlsx", b""), ""),
])
def test_import_refuses_a_file_that_is_no_xlsx(client_for, staff, upload, message):
    response = client_for(staff).post(reverse("reviews:pool_import"), {"file": upload})
    assert response.status_code == 200
    assert "import-line" not in response.content.decode()
    assert message in response.content.decode()
    assert not ExpertProfile.objects.exists()


def zipped(files: dict) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("content, message", [
    (zipped({"hello.txt": "not a workbook"}), "文件内容不是允许的格式"),
    # Looks like a workbook to a sniffer, but openpyxl cannot open it.
    (zipped({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "broken", "docProps/app.xml": "x"}), ""),
])
def test_import_refuses_a_zip_that_is_no_workbook(client_for, staff, content, message):
    response = client_for(staff).post(reverse("reviews:pool_import"),
                                      {"file": SimpleUploadedFile("experts.xlsx", content)})
    html = response.content.decode()
    assert response.status_code == 200 and "import-line" not in html
    assert message in html and ("文件内容不是允许的格式" in html or "无法读取该文件" in html)


def test_import_refuses_a_sheet_with_other_headers(client_for, staff):
    response = client_for(staff).post(reverse("reviews:pool_import"), {"file": xlsx([["x"]], header=["名字", "电话"])})
    assert "表头与模板不一致" in response.content.decode()


def test_import_caps_the_rows(client_for, staff, monkeypatch):
    from reviews import importer

    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    rows = [[f"人{i}", f"1360000{i:04d}", "", "单位", "", "", "", ENERGY, ""] for i in range(4)]
    response = client_for(staff).post(reverse("reviews:pool_import"), {"file": xlsx(rows)})
    assert "一次最多导入 3 行" in response.content.decode()
    assert not ExpertProfile.objects.exists()


# --- the expert's own profile --------------------------------------------------------------------


def test_an_expert_without_a_profile_gets_a_form_with_their_unit(client_for, expert):
    response = client_for(expert).get(reverse("reviews:my_profile"))
    assert response.status_code == 200
    assert text(response, "no-profile") == "您尚未填写专家信息，请填写后保存。"
    assert response.context["form"].initial["unit"] == expert.organisation_id


def test_an_expert_creates_and_edits_their_profile(client_for, expert, energy, out_unit):
    client = client_for(expert)
    response = client.post(reverse("reviews:my_profile"), {"action": "profile", **profile_post(expert.organisation,
                                                                                               [energy])})
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=expert)
    assert profile.unit == expert.organisation and profile.specialties == "稀土、储能"
    client.post(reverse("reviews:my_profile"), {"action": "profile", **profile_post(out_unit, [energy]),
                                                "title": "高级工程师"})
    profile.refresh_from_db()
    assert profile.unit == out_unit and profile.title == "高级工程师" and not profile.in_region
    assert [e.action for e in activity_list_for(profile).order_by("pk")] == ["填写专家信息", "修改专家信息"]


def test_own_profile_errors_are_shown_next_to_the_fields(client_for, expert, energy):
    response = client_for(expert).post(reverse("reviews:my_profile"), {
        "action": "profile", **profile_post(expert.organisation, [energy]), "phone": "12", "fields": []})
    html = response.content.decode()
    assert response.status_code == 200 and "请输入有效的电话号码" in html and "请至少选择一个技术领域" in html
    assert not ExpertProfile.objects.exists()


def test_a_forged_user_field_does_not_touch_another_profile(client_for, expert, energy, out_unit):
    victim = make_profile(name="受害者")
    victim_unit = victim.unit
    mine = make_profile(name="我")
    ExpertProfile.objects.filter(pk=mine.pk).update(user=expert)
    client = client_for(expert)
    client.post(reverse("reviews:my_profile"), {
        "action": "profile", **profile_post(out_unit, [energy]), "user": victim.user.pk, "profile": victim.pk,
        "id": victim.pk, "pk": victim.pk})
    victim.refresh_from_db()
    assert victim.unit == victim_unit and victim.title == "教授"
    assert ExpertProfile.objects.get(user=expert).unit == out_unit


def test_an_expert_declares_and_withdraws_conflicts(client_for, expert):
    profile = make_profile()
    ExpertProfile.objects.filter(pk=profile.pk).update(user=expert)
    known = OrganisationFactory(name="某能源集团")
    client = client_for(expert)
    response = client.post(reverse("reviews:my_profile"), {
        "action": "conflict", "credit_code": known.credit_code.lower() + " ", "unit_name": "", "reason": "曾在该单位任职"})
    assert response.status_code == 302
    conflict = ExpertConflict.objects.get(profile=profile)
    assert conflict.credit_code == known.credit_code and conflict.unit_name == "某能源集团"
    # The same unit twice: refused next to the field.
    response = client.post(reverse("reviews:my_profile"), {
        "action": "conflict", "credit_code": known.credit_code, "reason": "again"})
    assert "已申明过与该单位的利益冲突" in response.content.decode()
    # A bad code.
    response = client.post(reverse("reviews:my_profile"), {
        "action": "conflict", "credit_code": "91150000XXXXXXXXXX", "unit_name": "x", "reason": "y"})
    assert "统一社会信用代码" in response.content.decode() and ExpertConflict.objects.count() == 1
    # An unregistered unit needs its name.
    response = client.post(reverse("reviews:my_profile"), {
        "action": "conflict", "credit_code": credit_code(4444444), "unit_name": "", "reason": "合作"})
    assert "请填写单位名称" in response.content.decode()
    page = client.get(reverse("reviews:my_profile"))
    assert "某能源集团" in text(page, "my-conflicts")
    client.post(reverse("reviews:my_conflict_withdraw", args=[conflict.pk]))
    assert not ExpertConflict.objects.exists()
    assert [e.action for e in activity_list_for(profile).order_by("pk")] == ["申明利益冲突", "撤回利益冲突申明"]


def test_an_expert_cannot_withdraw_another_experts_conflict(client_for, expert):
    mine = make_profile()
    ExpertProfile.objects.filter(pk=mine.pk).update(user=expert)
    other = make_profile()
    theirs = ExpertConflict.objects.create(profile=other, credit_code=credit_code(1), unit_name="某单位", reason="r")
    logged = ActivityLog.objects.count()
    response = client_for(expert).post(reverse("reviews:my_conflict_withdraw", args=[theirs.pk]), follow=True)
    assert "该申明不存在或已撤回" in response.content.decode()
    assert ExpertConflict.objects.filter(pk=theirs.pk).exists()
    assert ActivityLog.objects.count() == logged


def test_conflict_withdraw_is_post_only(client_for, expert):
    assert client_for(expert).get(reverse("reviews:my_conflict_withdraw", args=[1])).status_code == 405


def test_an_expert_cannot_reach_another_profile_through_the_pool(client_for, expert, energy):
    other = make_profile()
    client = client_for(expert)
    assert client.get(reverse("reviews:pool_edit", args=[other.pk])).status_code == 403
    assert client.post(reverse("reviews:pool_edit", args=[other.pk]),
                       {"account-full_name": "x", **profile_post(other.unit, [energy]), "title": "伪造"}).status_code == 403
    other.refresh_from_db()
    assert other.title == "教授"


def test_a_forged_profile_field_on_a_declaration_lands_on_the_experts_own_profile(client_for, expert):
    mine = make_profile()
    ExpertProfile.objects.filter(pk=mine.pk).update(user=expert)
    other = make_profile()
    client_for(expert).post(reverse("reviews:my_profile"), {
        "action": "conflict", "credit_code": credit_code(3), "unit_name": "某单位", "reason": "合作",
        "profile": other.pk, "profile_id": other.pk})
    assert list(ExpertConflict.objects.values_list("profile_id", flat=True)) == [mine.pk]


def test_an_unknown_action_is_answered_with_a_message(client_for, expert):
    response = client_for(expert).post(reverse("reviews:my_profile"), {"action": "drop"})
    assert response.status_code == 200 and "无法识别的操作" in response.content.decode()


def test_pool_services_refuse_someone_who_does_not_manage_the_pool(expert):
    from core.exceptions import DomainError

    profile = make_profile()
    with pytest.raises(DomainError):
        pool.expert_set_active(profile=profile, active=False, reason="x", by=expert)
    with pytest.raises(DomainError):
        pool.expert_update(profile=profile, data={"title": "伪造"}, by=expert)
    profile.refresh_from_db()
    assert profile.is_active and profile.title == "教授"


def test_a_chinese_template_imports_when_the_page_is_in_english(rf):
    """The headers are matched in the page's language or in Chinese, whichever the sheet has."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation
    from openpyxl import Workbook

    from reviews.importer import HEADER_SOURCES, read_rows

    wb = Workbook()
    wb.active.append(HEADER_SOURCES)
    wb.active.append(["王五", "13900000001", "", "某大学", "", "", "教授", "能源资源", ""])
    out = io.BytesIO()
    wb.save(out)
    with translation.override("en"):
        rows = read_rows(SimpleUploadedFile("experts.xlsx", out.getvalue()))
    assert len(rows) == 1
