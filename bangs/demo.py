"""Demo lists written from the seeds (000: rare earth 2023, 002: 通辽 2024, 003: 鄂尔多斯), plus one
targeted list and a second 鄂尔多斯 list open to everyone (the first goes into review in reviews/demo.py). Issuing enterprises not named in the seeds are fictional. Idempotent by title."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.enums import EconomicNature, OrganisationKind
from accounts.models import Organisation, Region
from demands.enums import DemandState
from demands.models import Demand, TechField

from . import services
from .enums import DEFAULT_PROCESS
from .models import BangList, ChecklistItem, Contact

BEIJING = timezone.get_fixed_timezone(8 * 60)


def at(y, m, d, hh=0, mm=0, ss=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, ss, tzinfo=BEIJING)


def days_ahead(days: int) -> datetime.datetime:
    """The end of a day `days` from today, Beijing time (23:59:59)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return at(day.year, day.month, day.day, 23, 59, 59)


TONGLIAO_CONDITIONS = [
    "牵头揭榜单位应为通辽市内注册的企业、科研院所、高等院校、新型研发机构等，具有独立法人资格，具备较强的科技研发能力和条件，运行管理规范，应有完善的科技项目和科技经费管理制度（相关制度须在申报时提供附件）。",
    "揭榜方须联合相关高校、科研院所、企业等共同组织项目实施，牵头单位应与成员单位签署具有法律效力的联合协议或成立独立运营实体推进实施。鼓励组建创新联合体申报。",
    "揭榜方应针对榜单要求提出具体解决关键核心技术的实施方案，且须完成全部预期目标。实行首席科学家负责制，揭榜方应确定1名领军型科研人员作为首席科学家，负责牵头制定实施方案，有资金分配权并负责协调组织项目的顺利实施。",
    "企业牵头揭榜的，应具有完成项目所需的资金配套能力，申报时须提供近2年（2022年、2023年）报送税务局的企业年度财务报表（包括资产负债表、利润表或业务活动表、现金流量表），并签署企业资金匹配承诺书，企业成立不足2年的，须提供成立以来的财务报表。",
    "揭榜方科研诚信记录良好，未被列入联合惩戒名单或“黑名单”，近三年内无不良信用记录或重大违法行为，不得在“信用中国”网站或各级信用信息共享平台中列入失信被执行人名单。",
    "其他要求详见榜单（附件1）。",
]
TONGLIAO_PROCESS = """1.揭榜申报。请揭榜方于2024年4月12日23:59前登录平台，在线填写《通辽市“揭榜挂帅”项目实施方案》，并提交有关资料。
2.推荐报送。各旗县市区科技管理部门、市政府各主管部门对本地区本单位的揭榜单位及申报材料进行初审，于2024年4月16日前完成推荐，逾期不予受理。
3.遴选评审。申报截止后，市科技局牵头或委托第三方专业机构组织专家，对揭榜实施方案可行性等进行充分论证，遴选确定揭榜方。对于面向不同技术路线的可采取“赛马制”的方式，支持多支研发团队平行攻关。
4.揭榜定帅。市科技局根据评审情况，提出拟立项结果，向全社会公示。
5.组织签署“军令状”。项目公示无异议后，由市科技局履行相关程序，下达立项文件，组织签署“军令状”及任务书，拨付项目资金。"""

RARE_EARTH_CONDITIONS = [
    "揭榜方应为我国境内注册的具有独立法人资格的高校、科研机构、科技型企业或其组成的联合体，具有较强的研发团队、科研条件和自主研发能力，项目负责人在相关领域内具有较高技术水平，有能力完成榜单任务。",
    "揭榜方应针对榜单要求提出具体解决关键技术的实施方案，掌握自主知识产权，且须完成全部预期目标。",
    "项目（课题）负责人每年用于项目的工作时间不少于6个月；揭榜方至少推荐1名科研人员到稀土新材料技术创新中心从事科研攻关工作。",
    "揭榜方应签订科研诚信承诺书，无不良信用记录，不得提交有涉密内容的申请材料。",
]

ISSUERS = {
    # key: (name, first 17 of a fictional credit code, region code)
    "corn": ("通辽玉米种业有限公司", "91150502MA0T1A2B3", "150502"),
    "cattle": ("科尔沁肉牛产业有限公司", "91150521MA0T2C3D4", "150521"),
    "magnesium": ("通辽稀土镁合金有限公司", "91150581MA0T3E4F5", "150581"),
    "sandland": ("科尔沁沙地生态治理有限公司", "91150525MA0T4G5H6", "150525"),
    "yellow_river": ("鄂尔多斯黄河生态科技有限公司", "91150621MA0U1J2K3", "150621"),
    "allergy": ("鄂尔多斯健康医学研究有限公司", "91150602MA0U2L3M4", "150602"),
    "silicon": ("鄂尔多斯高纯硅材料有限公司", "91150627MA0U3N4P5", "150627"),
    "power": ("鄂尔多斯电力热能有限公司", "91150622MA0U4Q5R6", "150622"),
    "pigment": ("包头稀土环保颜料有限公司", "91150207MA0R1T2U3", "150207"),
}

def _org(name, first17, region):
    from accounts.validators import uscc_check_character

    org, _ = Organisation.objects.get_or_create(
        credit_code=first17 + uscc_check_character(first17),
        defaults=dict(
            name=name, kind=OrganisationKind.ENTERPRISE, region=Region.objects.get(code=region), is_verified=True,
            address=Region.objects.get(code=region).name, postcode="010000", legal_rep="（演示）",
            legal_rep_phone="0471-6000000", economic_nature=EconomicNature.PRIVATE, staff_size=100,
            last_year_output=Decimal("3000"),
        ),
    )
    return org


def _bang(field, title, kind="tackling", investment="300", teams=1, indicators=(), contact=("", "", ""), **extra):
    return dict(
        data=dict(
            title=title, kind=kind, field=TechField.objects.get(name=field), total_investment=Decimal(investment),
            max_teams=teams, period_months=extra.pop("period", 36),
            background=extra.pop("background", f"{title}是当地重点产业发展面临的关键技术问题，企业依靠自身力量难以解决。"),
            objectives=extra.pop("objectives", f"围绕{title}开展技术攻关，形成可推广应用的成套技术并在发榜企业实现应用。"),
            field_test=extra.pop("field_test", "在发榜企业现场实测，由第三方检测机构出具检测报告。"),
            solver_requirements="具有相关领域研究基础的高校、科研院所或科技型企业，鼓励组建创新联合体。",
            ip_terms="项目形成的知识产权归属由发榜方与揭榜方协议约定。",
            contact_name=contact[0], contact_department=contact[1], contact_phone=contact[2],
        ),
        indicators=[dict(name=n, target=t, unit=u, test_method=m) for n, t, u, m in indicators],
        **extra,
    )


def _make_list(*, title, organiser, by, spec, bangs, contacts=(), checklist=None, invited=(), published_at=None):
    if BangList.objects.filter(title=title).exists():
        return 0
    bang_list = services.bang_list_create(data=spec, invited=invited, by=by)
    if checklist is not None:
        ChecklistItem.objects.filter(bang_list=bang_list).delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(bang_list=bang_list, order=i, **row) for i, row in enumerate(checklist)
        )
    Contact.objects.bulk_create(Contact(bang_list=bang_list, order=i, **c) for i, c in enumerate(contacts))
    for bang in bangs:
        services.bang_save(
            bang_list=bang_list, bang=None, data=bang["data"], demands=bang.get("demands", []),
            issuers=bang["issuers"], indicators=bang["indicators"], by=by,
        )
    services.bang_list_publish(bang_list=bang_list, by=by, published_at=published_at)
    return 1


def load_demo_lists(*, users: dict, units: dict) -> int:
    created = 0
    orgs = {k: _org(*v) for k, v in ISSUERS.items()}
    organisers = {"ordos": units["ordos"], "rare_earth": units["rare_earth"]}

    # 1. 通辽 2024 (seed 002): four bangs, a contact per bang; closed since 2024-04-12 23:59.
    contact = lambda purpose, dept, name, phone, numbers="": dict(  # noqa: E731
        purpose=purpose, department=dept, name=name, phone=phone, bang_numbers=numbers
    )
    created += _make_list(
        title="2024年通辽市科技“突围”工程首批“揭榜挂帅”技术榜单",
        organiser=units["tongliao"], by=users["staff_tongliao"], published_at=at(2024, 3, 29, 9),
        spec=dict(
            title="2024年通辽市科技“突围”工程首批“揭榜挂帅”技术榜单",
            preamble="为深入贯彻落实国务院《关于推动内蒙古高质量发展 奋力书写中国式现代化新篇章的意见》精神，紧扣落实“五大任务”和科技“突围”工程要求，解决我市重点产业发展所面临的关键核心技术问题，按照“成熟一批，启动一批”的原则，现发布2024年通辽市科技“突围”工程首批“揭榜挂帅”技术榜单。",
            conditions=TONGLIAO_CONDITIONS, process=TONGLIAO_PROCESS,
            opens_at=at(2024, 3, 29, 9), deadline=at(2024, 4, 12, 23, 59), recommend_deadline=at(2024, 4, 16, 23, 59, 59),
            max_partners=5, notice_days=5,
        ),
        checklist=[
            dict(kind="management_rules", title="科技项目和科技经费管理制度", required=True, condition="always"),
            dict(kind="joint_agreement", title="具有法律效力的联合协议", required=True, condition="consortium"),
            dict(kind="financials", title="近2年（2022年、2023年）企业年度财务报表", required=True, condition="enterprise_lead"),
            dict(kind="fund_matching", title="企业资金匹配承诺书", required=True, condition="enterprise_lead"),
            dict(kind="integrity", title="科研诚信承诺书", required=True, condition="always"),
        ],
        contacts=[
            contact("组织申报", "市科技局战略规划科", "仇玉敏", "0475-8835398"),
            contact("业务咨询", "农村科技科", "张凤起", "0475-8835389", "1、2"),
            contact("业务咨询", "高新技术科", "田庚强", "0475-8835391", "3"),
            contact("业务咨询", "社会发展科", "李代文", "0475-8835394", "4"),
            contact("系统申报咨询", "系统技术支持", "包雪晶", "8835371，18747835566"),
        ],
        bangs=[
            dict(**_bang("现代农牧业", "玉米密植精准调控高产栽培关键技术", investment="400", indicators=[
                ("示范区玉米单产", "≥1200", "公斤/亩", "第三方实收测产")]), issuers=[orgs["corn"]]),
            dict(**_bang("现代农牧业", "肉牛高效繁育与健康养殖关键技术", investment="350", indicators=[
                ("母牛繁殖率", "≥85", "%", "养殖档案核查")]), issuers=[orgs["cattle"]]),
            dict(**_bang("能源资源", "稀土镁合金高性能压铸材料制备技术", investment="600", indicators=[
                ("抗拉强度", "≥280", "MPa", "GB/T 228.1")]), issuers=[orgs["magnesium"]]),
            dict(**_bang("生态环境", "科尔沁沙地退化草地生态修复关键技术", investment="300", indicators=[
                ("示范区植被盖度提高", "≥20", "%", "样方调查")]), issuers=[orgs["sandland"]]),
        ],
    )

    # 2. The 2023 rare-earth list of seed 000, organised with the innovation centre.
    motor = Demand.objects.filter(name="高推力密度永磁同步直线电机研制", state=DemandState.ACCEPTED).first()
    created += _make_list(
        title="内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单",
        organiser=organisers["rare_earth"], by=users["staff_rare"], published_at=at(2023, 8, 16, 9),
        spec=dict(
            title="内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单",
            preamble="自治区科技厅决定联合稀土新材料技术创新中心采取“揭榜挂帅”组织方式，启动实施自治区稀土科技创新重大示范工程，充分利用全国范围的优势创新资源解决关键技术难题。",
            conditions=RARE_EARTH_CONDITIONS, process=DEFAULT_PROCESS,
            opens_at=at(2023, 8, 16, 9), deadline=at(2023, 9, 20, 23, 59, 59), max_partners=5, notice_days=5,
        ),
        contacts=[
            contact("业务咨询", "稀土技术创新中心", "高乐乐", "13347199639"),
            contact("业务咨询", "科技厅高新技术处", "李艳丽", "0471-6328606"),
            contact("政策咨询", "科技厅战略规划处", "杨瑞", "0471-6328708"),
        ],
        bangs=[
            dict(**_bang("能源资源", "高推力密度永磁同步直线电机研制", investment="800", teams=2, indicators=[
                ("推力密度", "≥1.2", "N/cm²", "第三方台架测试"), ("推力波动", "<2", "%", "第三方台架测试")]),
                issuers=[units["changan"]], demands=[motor] if motor else []),
            dict(**_bang("能源资源", "稀土环保颜料耐高温关键技术", investment="550", indicators=[
                ("耐温", "≥1000", "℃", "GB/T 1735")]), issuers=[orgs["pigment"]]),
        ],
    )

    # 3. 鄂尔多斯 (seed 003): six demands, 1157.9万 in total; one racehorse bang. Created open (the demo
    # applications are filed on it), then put into expert review by reviews/demo.py.
    ordos_contact = ("王海", "鄂尔多斯市科学技术局", "0477-8581234")
    created += _make_list(
        title="鄂尔多斯市“揭榜挂帅”科技项目榜单",
        organiser=organisers["ordos"], by=users["staff_ordos"],
        spec=dict(
            title="鄂尔多斯市“揭榜挂帅”科技项目榜单",
            preamble="聚焦重大技术需求，鄂尔多斯市科技局发布“揭榜挂帅”科技项目榜单，诚邀天下英才揭榜攻关，共同解决关键核心技术难题。",
            opens_at=timezone.now() - datetime.timedelta(days=7), deadline=days_ahead(30),
            recommend_deadline=days_ahead(37), max_partners=4, notice_days=5,
        ),
        bangs=[
            dict(**_bang("生态环境", "沿黄河流域农田污染防治与资源高效利用关键技术研究与示范", investment="200",
                         contact=ordos_contact, indicators=[("示范区农田面源污染负荷削减", "≥30", "%", "第三方监测")]),
                 issuers=[orgs["yellow_river"]]),
            dict(**_bang("生态环境", "鄂尔多斯市黄河流域生态治理种质资源库研发及建设项目", investment="180",
                         contact=ordos_contact, indicators=[("入库乡土植物种质资源", "≥500", "份", "资源库台账")]),
                 issuers=[orgs["yellow_river"]]),
            dict(**_bang("其他", "鄂尔多斯地区过敏性鼻炎的流行病学调查及防治技术研发", investment="120",
                         contact=ordos_contact, indicators=[("流行病学调查样本量", "≥10000", "人", "调查数据库")]),
                 issuers=[orgs["allergy"]]),
            dict(**_bang("能源资源", "N型高纯硅料研发与应用", investment="260", teams=2, contact=ordos_contact,
                         indicators=[("硅料纯度", "≥11N", "", "GB/T 25074"), ("少子寿命", "≥1000", "μs", "第三方检测")]),
                 issuers=[orgs["silicon"]]),
            dict(**_bang("能源资源", "硅合金矿热炉炉前作业机器人开发", investment="197.9", contact=ordos_contact,
                         indicators=[("炉前作业替代率", "≥80", "%", "现场运行统计")]),
                 issuers=[orgs["silicon"]]),
            dict(**_bang("能源资源", "350MW超临界CFB锅炉深度调峰工况下NOx超低排放技术研发", investment="200",
                         contact=ordos_contact, indicators=[("深度调峰工况NOx排放浓度", "≤50", "mg/m³", "在线监测")]),
                 issuers=[orgs["power"]]),
        ],
    )

    # 4. A second 鄂尔多斯 list, open to everyone for 30 days from loading (the first is in review).
    created += _make_list(
        title="鄂尔多斯市2026年第二批“揭榜挂帅”科技项目榜单",
        organiser=organisers["ordos"], by=users["staff_ordos"],
        spec=dict(
            title="鄂尔多斯市2026年第二批“揭榜挂帅”科技项目榜单",
            preamble="鄂尔多斯市科技局发布2026年第二批“揭榜挂帅”科技项目榜单，面向全国征集揭榜团队。",
            opens_at=timezone.now() - datetime.timedelta(days=2), deadline=days_ahead(30),
            recommend_deadline=days_ahead(37), max_partners=4, notice_days=5,
        ),
        bangs=[
            dict(**_bang("能源资源", "煤矸石制备高性能建筑材料关键技术", investment="300", contact=ordos_contact,
                         indicators=[("煤矸石掺量", "≥60", "%", "配比记录及第三方检测")]),
                 issuers=[orgs["power"]]),
            dict(**_bang("生态环境", "库布其沙漠光伏治沙区植被恢复技术", investment="240", contact=ordos_contact,
                         indicators=[("示范区植被盖度", "≥35", "%", "样方调查")]),
                 issuers=[orgs["yellow_river"]]),
        ],
    )

    # 5. A targeted list (定向发榜): only 内蒙古大学 is invited.
    created += _make_list(
        title="2026年稀土新材料领域“揭榜挂帅”定向发榜技术榜单",
        organiser=organisers["rare_earth"], by=users["staff_rare"], invited=[units["imu"]],
        spec=dict(
            title="2026年稀土新材料领域“揭榜挂帅”定向发榜技术榜单",
            preamble="面向科技兴蒙“4+8+N”合作主体定向发榜。",
            opens_at=timezone.now() - datetime.timedelta(days=1), deadline=days_ahead(20), max_partners=3,
            is_targeted=True,
        ),
        bangs=[
            dict(**_bang("能源资源", "稀土永磁材料晶界扩散重稀土减量技术", investment="500",
                         contact=("高乐乐", "稀土技术创新中心", "13347199639"),
                         indicators=[("重稀土用量降低", "≥30", "%", "成分分析")]),
                 issuers=[units["changan"]]),
        ],
    )
    return created
