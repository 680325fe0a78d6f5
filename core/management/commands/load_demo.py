"""Demo data written from the seeds: units, one account per role, a collection round and demands,
lists, applications, the expert review, the result notices and the task books (bangs/, applications/,
reviews/, notices/ and contracts/demo.py).

Idempotent: every object is looked up by a natural key first, so a second run adds nothing.
The credit codes below are fictional (their check characters are computed, so they validate).
"""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.demo import load_demo_two_factor
from accounts.enums import EconomicNature, OrganisationKind, Role
from accounts.models import Department, Organisation, Region, RoleGrant, User
from accounts.validators import uscc_check_character
from applications.demo import load_demo_applications
from bangs.demo import load_demo_lists
from contracts.demo import load_demo_contracts
from contracts.demo_execution import load_demo_execution
from demands import services as demand_services
from demands.enums import CooperationMode, DemandState
from demands.models import CollectionRound, Demand, TechField
from notices.demo import load_demo_notices
from reviews.demo import load_demo_reviews
from stats.demo import load_demo_stats

DEMO_PASSWORD = "Jiebang@2026"


def code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


UNITS = {
    "kjt": dict(
        name="内蒙古自治区科学技术厅", credit_code=code("11150000011512345"), kind=OrganisationKind.GOVERNMENT,
        region="150000", address="呼和浩特市赛罕区敕勒川大街", postcode="010098",
    ),
    "tongliao": dict(
        name="通辽市科学技术局", credit_code=code("11150500011598765"), kind=OrganisationKind.GOVERNMENT,
        region="150502", address="通辽市科尔沁区", postcode="028000",
    ),
    "ordos": dict(
        name="鄂尔多斯市科学技术局", credit_code=code("11150600011523456"), kind=OrganisationKind.GOVERNMENT,
        region="150602", address="鄂尔多斯市康巴什区", postcode="017010",
    ),
    "rare_earth": dict(
        name="内蒙古稀土新材料技术创新中心", credit_code=code("52150200MA0W1X2Y3"), kind=OrganisationKind.NEW_RD,
        region="150207", address="包头市稀土高新区", postcode="014030",
    ),
    "changan": dict(
        name="包头长安永磁电机有限公司", credit_code=code("91150207MA0N2C3K7"), kind=OrganisationKind.ENTERPRISE,
        region="150207", address="包头市九原区稀土高新区", postcode="014060", legal_rep="张继鹏",
        legal_rep_phone="0472-5100000", economic_nature=EconomicNature.PRIVATE, staff_size=260,
        last_year_output=Decimal("18600.00"),
    ),
    "mengtai": dict(
        name="内蒙古蒙肽生物工程有限公司", credit_code=code("91150100MA0Q8R5T1"), kind=OrganisationKind.ENTERPRISE,
        region="150105", address="呼和浩特市赛罕区", postcode="010020", legal_rep="温宇旗",
        legal_rep_phone="0471-3300000", economic_nature=EconomicNature.PRIVATE, staff_size=120,
        last_year_output=Decimal("5200.00"),
    ),
    "hit": dict(
        name="哈尔滨工业大学", credit_code=code("12100000401234567"), kind=OrganisationKind.UNIVERSITY,
        region="230000", address="黑龙江省哈尔滨市南岗区西大直街92号", postcode="150001",
    ),
    "imun": dict(
        name="内蒙古民族大学", credit_code=code("12150500460012345"), kind=OrganisationKind.UNIVERSITY,
        region="150502", address="通辽市科尔沁区霍林河大街536号", postcode="028000",
    ),
    "imu": dict(
        name="内蒙古大学", credit_code=code("12150000460001234"), kind=OrganisationKind.UNIVERSITY,
        region="150105", address="呼和浩特市赛罕区大学西街235号", postcode="010021",
    ),
}

USERS = [
    # username, full name, unit, department, roles, mobile
    ("staff", "李艳丽", "kjt", "高新技术处", [Role.STAFF], "13800000001"),
    ("staff_agri", "王农", "kjt", "农村科技处", [Role.STAFF], "13800000002"),
    ("staff_tongliao", "田庚强", "tongliao", None, [Role.STAFF], "13800000008"),
    ("staff_ordos", "王海", "ordos", None, [Role.STAFF], "13800000009"),
    ("staff_rare", "高乐乐", "rare_earth", None, [Role.STAFF], "13800000010"),
    ("enterprise", "张继鹏", "changan", None, [Role.ENTERPRISE], "13800000003"),
    ("mengtai", "温宇旗", "mengtai", None, [Role.ENTERPRISE], "13800000004"),
    ("applicant", "寇宝泉", "hit", None, [Role.APPLICANT], "13800000005"),
    ("imun", "包伟", "imun", None, [Role.APPLICANT], "13800000011"),
    ("expert", "高专家", "imu", None, [Role.EXPERT], "13800000006"),
    ("recommender", "仇玉敏", "tongliao", None, [Role.RECOMMENDER], "13800000007"),
    ("useradmin", "赵平台", "kjt", None, [Role.ADMIN], "13800000012"),
]

DEMANDS = [
    dict(
        unit="changan", user="enterprise", field="能源资源", target=DemandState.ACCEPTED,
        name="高推力密度永磁同步直线电机研制", cooperation_mode=CooperationMode.COMMISSIONED,
        background="稀土永磁电机是稀土产业“延链补链”的重要领域，高推力密度永磁同步直线电机代表行业发展的重要方向。"
        "国外同类产品推力密度高、温升低，国内产品在推力波动和散热方面仍有差距。",
        content="研制高推力密度永磁同步直线电机样机：推力密度不低于国外同类产品水平，推力波动小于2%，"
        "连续运行温升满足工业现场要求；形成设计、控制与工艺的成套技术。",
        basis="公司长期从事稀土永磁电机研发生产，具备电机设计、装配与测试条件，已开展直线电机预研。",
        solver_requirements="希望与在直线电机设计、控制方面处于国内领先水平的高校或科研院所合作。",
        ip_terms="合作产生的知识产权由双方共有，发榜方享有优先实施权。",
        field_test="在发榜方生产线进行整机实测，由第三方检测机构出具推力与温升测试报告。",
        period_months=36, total_investment=Decimal("800.00"),
    ),
    dict(
        unit="mengtai", user="mengtai", field="现代农牧业", target=DemandState.SUBMITTED,
        name="骨肽乳酸菌口服液开发及产业化", cooperation_mode=CooperationMode.COMMISSIONED,
        background="我区畜骨资源丰富，深加工程度低。骨肽具有增强骨密度的功能，市场尚无成熟的骨肽乳酸菌口服液产品。",
        content="制得具有增强骨密度功能的骨肽乳酸菌口服液，完成工艺优化、功效评价和中试放大，推动骨类农副产品深加工。",
        basis="公司已建成骨肽提取生产线，具备中试条件。",
        solver_requirements="希望与微生物、农产品加工领域的科研院所合作。",
        ip_terms="专利由双方共同申请，产业化收益按协议分配。",
        field_test="在发榜方中试车间完成三批次中试，产品功效由具备资质的机构检测。",
        period_months=24, total_investment=Decimal("600.00"),
    ),
    dict(
        unit="changan", user="enterprise", field="能源资源", target=DemandState.RETURNED,
        name="稀土环保颜料耐高温关键技术", cooperation_mode=CooperationMode.RETROFIT,
        background="稀土环保颜料可替代含铅、含铬颜料，但耐高温性能不足限制了其在陶瓷、工程塑料中的应用。",
        content="开发耐温不低于1000℃的稀土环保颜料制备技术，色牢度满足下游用户要求。",
        basis="已完成实验室小试。",
        solver_requirements="熟悉稀土功能材料的高校或科研院所。",
        ip_terms="双方协商。",
        field_test="在下游用户产线试用。",
        period_months=30, total_investment=Decimal("550.00"),
        return_reason="请补充耐温指标的测试方法和现有小试数据。",
    ),
    dict(
        unit="mengtai", user="mengtai", field="现代农牧业", target=DemandState.DRAFT,
        name="氢燃料转子发动机开发", cooperation_mode=CooperationMode.OTHER, cooperation_other="联合攻关",
        background="", content="", basis="", solver_requirements="", ip_terms="", field_test="",
        period_months=None, total_investment=None,
    ),
]


class Command(BaseCommand):
    help = "Load demo units, accounts, a collection round and demands (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        units = {}
        for key, data in UNITS.items():
            data = dict(data)
            data["region"] = Region.objects.get(code=data["region"])
            org, was_created = Organisation.objects.get_or_create(credit_code=data["credit_code"], defaults=data)
            if was_created:
                org.is_verified = True
                org.save(update_fields=["is_verified"])
            created += was_created
            units[key] = org
        Department.objects.filter(organisation__isnull=True).update(organisation=units["kjt"])

        users = {}
        for username, full_name, unit, department, roles, mobile in USERS:
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults=dict(
                    full_name=full_name, organisation=units[unit], mobile=mobile, email=f"{username}@example.com",
                    department=Department.objects.get(name=department) if department else None,
                ),
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                created += 1
            for role in roles:
                RoleGrant.objects.get_or_create(user=user, role=role)
            if units[unit].first_user_id is None:
                units[unit].first_user = user
                units[unit].save(update_fields=["first_user"])
            users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD, full_name="系统管理员")
            created += 1
        created += load_demo_two_factor()

        round_, was_created = CollectionRound.objects.get_or_create(
            title="2021年度内蒙古自治区“揭榜挂帅”项目需求征集",
            defaults=dict(
                opens_at=timezone.make_aware(datetime.datetime(2021, 7, 16)),
                closes_on=None,
                min_self_investment=Decimal("500"),
                max_period_months=36,
            ),
        )
        if was_created:
            round_.fields.set(TechField.objects.all())
            created += 1

        for spec in DEMANDS:
            spec = dict(spec)
            unit, username, target = units[spec.pop("unit")], users[spec.pop("user")], spec.pop("target")
            return_reason = spec.pop("return_reason", "")
            if Demand.objects.filter(organisation=unit, name=spec["name"]).exists():
                continue
            spec["field"] = TechField.objects.get(name=spec["field"])
            spec["round"] = round_
            spec.update(
                contact_name=username.full_name, contact_title="总经理", contact_mobile=username.mobile,
                contact_email=username.email,
            )
            demand = demand_services.demand_save_draft(demand=None, data=spec, by=username)
            created += 1
            if target == DemandState.DRAFT:
                continue
            demand = demand_services.demand_submit(demand=demand, by=username)
            screener = User.objects.filter(department=spec["field"].department, role_grants__role=Role.STAFF).first()
            if target == DemandState.ACCEPTED:
                demand_services.demand_accept(demand=demand, by=screener, note="符合征集要求，纳入需求库。")
            elif target == DemandState.RETURNED:
                demand_services.demand_return(demand=demand, by=screener, reason=return_reason)

        created += load_demo_downloads(by=users["staff"])
        created += load_demo_lists(users=users, units=units)
        created += load_demo_applications(users=users, units=units)
        created += load_demo_reviews(users=users, units=units)
        created += load_demo_notices(users=users, units=units)
        created += load_demo_contracts(users=users, units=units)
        created += load_demo_execution(users=users, units=units)
        created += load_demo_stats(users=users, units=units)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} objects created)."))


DOWNLOADS = [
    ("揭榜挂帅项目需求表（附件1）", "企业填报技术需求用；也可在平台在线填报。", [
        "一、企业基本情况：单位名称、统一社会信用代码、所在地区、法定代表人、联系人及电话",
        "二、需求名称、所属领域、合作方式",
        "三、需求背景（不超过1000字）", "四、需求内容及技术指标（不超过3000字）",
        "五、现有基础（不超过1000字）", "六、对揭榜方的要求（不超过1000字）",
        "七、知识产权归属及收益分配（不超过1000字）", "八、企业研发投入（万元）及项目周期", "九、实测方式",
    ]),
    ("揭榜挂帅项目实施方案（格式）", "揭榜单位编写实施方案时参照；在线申报的各栏目与此一致。", [
        "一、牵头单位及联合体成员、首席科学家、项目负责人", "二、目标与主要内容", "三、技术路线与创新点",
        "四、现有基础与团队情况", "五、进度安排与考核指标", "六、经费预算（按来源和科目）",
        "七、知识产权安排", "八、风险分析与对策",
    ]),
]


def load_demo_downloads(*, by) -> int:
    """The 下载中心's official templates, as PDFs made here (staff replace them with the real files)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import FormTemplate
    from core.pdf import html_to_pdf
    from core.services import form_template_save

    created = 0
    for order, (title, description, sections) in enumerate(DOWNLOADS):
        if FormTemplate.objects.filter(title=title).exists():
            continue
        body = "".join(f"<h2>{line}</h2><p>&nbsp;</p>" for line in sections)
        pdf = html_to_pdf(f"<html><body><h1>{title}</h1>{body}</body></html>")
        form_template_save(template=FormTemplate(), title=title, description=description, order=order,
                           upload=SimpleUploadedFile(f"{title}.pdf", pdf), by=by)
        created += 1
    return created
