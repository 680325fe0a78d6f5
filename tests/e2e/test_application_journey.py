import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import Region
from applications.enums import ApplicationState
from applications.models import Application, RecommenderRoute

from ..factories import OrganisationFactory, credit_code, make_bang_list, make_staff
from .conftest import PASSWORD, login
from .conftest import journey_user as _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_applicant_submits_recommender_returns_applicant_corrects_recommender_recommends(new_page):
    organiser = make_staff()
    bang_list = make_bang_list(by=organiser, title="鄂尔多斯市“揭榜挂帅”科技项目榜单", max_partners=3)
    bang = bang_list.bangs.get()
    tongliao = Region.objects.get(code="150500")
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局", credit_code=credit_code(900, "150500"))
    RecommenderRoute.objects.create(region=tongliao, recommender=bureau)
    _user(username="tuijian", organisation=bureau, roles=[Role.RECOMMENDER])
    lead_org = OrganisationFactory(kind="university", name="内蒙古民族大学", region=Region.objects.get(code="150502"),
                                   credit_code=credit_code(901, "150502"))
    _user(username="imun", full_name="包伟", organisation=lead_org, roles=[Role.APPLICANT])
    partners = [OrganisationFactory(kind="institute", name=n, credit_code=credit_code(902 + i))
                for i, n in enumerate(("中国科学院过程工程研究所", "内蒙古大学"))]

    # 1. The applicant fills every section with two partners, uploads, submits, gets the receipt.
    ap = new_page()
    login(ap, "imun", PASSWORD)
    ap.goto(f"/bangs/{bang.pk}/")
    ap.get_by_role("button", name="我要揭榜").click()
    expect(ap.get_by_text("已创建申报草稿")).to_be_visible()
    for i, org in enumerate(partners):
        ap.fill(f"input[name='partners-{i}-credit_code']", org.credit_code)
        ap.fill(f"input[name='partners-{i}-role']", "工艺研究" if i == 0 else "检测评价")
        ap.fill(f"input[name='partners-{i}-work_share']", "25")
    ap.fill("#id_route_label", "冶金法提纯")
    ap.fill("#id_route_description", "定向凝固与真空精炼相结合。")
    ap.fill("#id_chief_name", "包伟")
    ap.fill("#id_chief_title", "教授")
    ap.fill("#id_lead_title", "研究员")
    ap.fill("#id_lead_months", "8")
    for field in ("objectives", "route_innovation", "basis", "team", "ip_arrangements", "risks"):
        ap.fill(f"#id_{field}", f"{field}：按榜单要求完成。")
    ap.fill("input[name='milestones-0-due_date']", "2027-12-31")
    ap.fill("input[name='milestones-0-deliverable']", "完成小试")
    ap.fill("input[name='equipment__subsidy']", "200")
    ap.fill("input[name='equipment__self_raised']", "400")
    ap.get_by_role("button", name="保存草稿").click()
    expect(ap.get_by_text("草稿已保存")).to_be_visible()
    expect(ap.get_by_test_id("budget-total")).to_have_text("600")

    rows = ap.get_by_test_id("attachments").locator("tbody tr")
    expect(rows).to_have_count(3)  # integrity, joint agreement (consortium), management rules
    for i in range(3):
        row = ap.get_by_test_id("attachments").locator("tbody tr").nth(i)
        row.locator("input[type=file]").set_input_files(
            {"name": f"材料{i}.pdf", "mimeType": "application/pdf", "buffer": PDF})
        row.get_by_role("button", name="上传").click()
        expect(ap.get_by_test_id("attachments").locator("tbody tr").nth(i)).to_contain_text(f"材料{i}.pdf")

    ap.get_by_role("button", name="保存并检查提交").click()
    expect(ap.get_by_test_id("application-summary")).to_contain_text("中国科学院过程工程研究所")
    expect(ap.get_by_test_id("submit-errors")).to_have_count(0)
    ap.get_by_role("button", name="确认提交").click()
    receipt = ap.get_by_test_id("receipt-number")
    expect(receipt).to_contain_text("JB")
    with ap.expect_download() as download:
        ap.get_by_test_id("receipt-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    application = Application.objects.get(lead=lead_org)
    assert application.state == ApplicationState.SUBMITTED and application.recommender == bureau

    # 2. The recommender returns it for correction.
    rc = new_page()
    login(rc, "tuijian", PASSWORD)
    rc.goto("/applications/review/")
    rc.get_by_role("link", name=application.number).click()
    rc.fill("#id_reason", "请补充成员单位的联合协议签字页。")
    rc.get_by_role("button", name="退回补正").click()
    expect(rc.get_by_text("已退回补正，补正截止")).to_be_visible()

    # 3. The applicant corrects it and resubmits.
    ap.goto(f"/applications/{application.pk}/")
    expect(ap.get_by_test_id("correction-notice")).to_be_visible()
    ap.get_by_role("link", name="编辑").click()
    row = ap.get_by_test_id("attachments").locator("tbody tr").nth(1)
    row.locator("input[type=file]").set_input_files(
        {"name": "联合协议（含签字页）.pdf", "mimeType": "application/pdf", "buffer": PDF})
    row.get_by_role("button", name="上传").click()
    expect(ap.get_by_test_id("attachments")).to_contain_text("联合协议（含签字页）.pdf")
    ap.get_by_role("button", name="保存并检查提交").click()
    ap.get_by_role("button", name="确认提交").click()
    expect(ap.get_by_test_id("receipt-number")).to_contain_text("-02")

    # 4. The recommender recommends it.
    rc.goto(f"/applications/{application.pk}/")
    rc.get_by_role("button", name="推荐", exact=True).click()
    expect(rc.get_by_text("已推荐。")).to_be_visible()
    expect(rc.get_by_test_id("application-state")).to_contain_text("形式审查通过")
    assert application.versions.count() == 2
