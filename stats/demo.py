"""Inner Mongolia's 2021 first batch (shared/DOMAIN.md "Money"), as history for the statistics page:
15 bangs with 27,440万 of budgeted R&D investment; 12 reached agreement (a confirmed award whose task
book all three parties sealed), three of them racehorse bangs with two teams on different routes,
so 15 projects: 1.9亿 agreed investment, 5,700万 subsidy, and 12 of the 15 winning leads from
outside the region (the published "80%").

The batch concluded years before the portal, so its rows are written directly (no services, no
notifications): the list, its bangs, the awarded applications, the confirmed decisions (three 未揭榜),
the awards, the task books in force with their sealed parties, and the projects in progress. Their
execution since then is then recorded through the execution services (stats/demo_execution.py).
Everything the page shows is computed from these rows.
Idempotent: nothing is written when the list exists. Credit codes are fictional (valid check characters);
哈尔滨工业大学 and 内蒙古民族大学 are the demo units of core's load_demo (same credit codes).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.enums import OrganisationKind
from accounts.models import Organisation, Region
from accounts.validators import uscc_check_character
from applications.enums import ApplicationState
from applications.models import Application
from bangs.enums import BangKind, BangListState
from bangs.models import Bang, BangList
from contracts.enums import PartyKind, ProjectState, TaskBookState
from contracts.fingerprint import fingerprint
from contracts.models import Project, SigningParty, TaskBook, TaskBookVersion
from contracts.projects import project_open
from contracts.services import draft_content
from demands.models import TechField
from reviews.enums import DecisionOutcome, DecisionState
from reviews.models import Award, BangDecision

from .demo_execution import load_demo_stats_execution

TITLE = "2021年第一批揭榜挂帅榜单"


def _code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def _at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


# The winning leads of the first (or only) team of each signed bang, in bang order:
# (name, first 17 of a fictional credit code, region, kind). Ten from outside.
LEADS = [
    ("清华大学", "12100000400000624", "110000", OrganisationKind.UNIVERSITY),
    ("北京科技大学", "12100000400001821", "110000", OrganisationKind.UNIVERSITY),
    ("上海交通大学", "12100000425006132", "310000", OrganisationKind.UNIVERSITY),
    ("哈尔滨工程大学", "12100000414001534", "230000", OrganisationKind.UNIVERSITY),
    ("浙江大学", "12100000470003263", "330000", OrganisationKind.UNIVERSITY),
    ("西安交通大学", "12100000435201467", "610000", OrganisationKind.UNIVERSITY),
    ("华中科技大学", "12100000441620836", "420000", OrganisationKind.UNIVERSITY),
    ("天津大学", "12100000401359245", "120000", OrganisationKind.UNIVERSITY),
    ("东北大学", "12100000417601968", "210000", OrganisationKind.UNIVERSITY),
    ("中南大学", "12100000444870573", "430000", OrganisationKind.UNIVERSITY),
    # In the region: the same units (and credit codes) as reviews/demo.py.
    ("内蒙古农业大学", "12150000460005678", "150105", OrganisationKind.UNIVERSITY),
    ("包头稀土研究院", "12150200460007890", "150207", OrganisationKind.INSTITUTE),
]

# The racehorse bangs (max_teams 2): bang number -> (the second team's lead, the first team's route,
# the second team's route, each team's agreed investment). Two of the three second teams are from outside.
RACEHORSE = {
    1: (("哈尔滨工业大学", "12100000401234567", "230000", OrganisationKind.UNIVERSITY),
        "晶界扩散重稀土减量路线", "热变形无重稀土磁体路线", "1300", "1300"),
    4: (("大连理工大学", "12100000400118963", "210000", OrganisationKind.UNIVERSITY),
        "振动与油液多源数据故障预警路线", "整机数字孪生健康管理路线", "900", "900"),
    6: (("内蒙古民族大学", "12150500460012345", "150502", OrganisationKind.UNIVERSITY),
        "胚胎移植与性别控制路线", "基因组选择育种路线", "800", "800"),
}

# Written into each task book (the batch predates online applications): the indicators and the
# schedule whose stage goals become the projects' stage reports.
INDICATORS = [
    {"key": "k1", "name": "核心技术指标", "target": "达到榜单规定值", "unit": "", "test_method": "第三方检测机构检测"},
    {"key": "k2", "name": "发榜企业现场应用", "target": "不少于1条产线（示范点）", "unit": "条",
     "test_method": "发榜企业现场实测"},
]
SCHEDULE = [
    ("2022-12-31", "完成关键技术方案设计与小试验证"),
    ("2023-12-31", "完成中试，核心指标达到榜单要求的80%"),
    ("2024-12-31", "在发榜企业完成现场应用与实测，形成成套技术"),
]

# (title, field, issuing enterprise, its region, budget 万元, agreed investment or None if 未揭榜).
BANGS = [
    ("稀土永磁材料高效制备关键技术", "能源资源", "包头天和磁材科技股份有限公司", "150207", "2600", "2600"),
    ("高纯稀土金属绿色冶炼技术", "能源资源", "内蒙古包钢稀土冶炼有限公司", "150207", "2200", "2200"),
    ("煤制烯烃副产物高值化利用", "能源资源", "内蒙古久泰新材料有限公司", "150602", "2000", "2000"),
    ("大型风电机组智能运维关键技术", "能源资源", "内蒙古能源风电运维有限公司", "150105", "1800", "1800"),
    ("乳制品益生菌菌种自主选育", "现代农牧业", "内蒙古乳业菌种科技有限公司", "150105", "1700", "1700"),
    ("肉羊高效繁育关键技术集成", "现代农牧业", "内蒙古草原羊业科技有限公司", "150502", "1600", "1600"),
    ("光伏组件回收与材料再生技术", "能源资源", "鄂尔多斯光伏材料有限公司", "150602", "1500", "1500"),
    ("盐碱地改良与饲草种植技术", "现代农牧业", "通辽科尔沁饲草有限公司", "150502", "1400", "1400"),
    ("露天煤矿生态修复关键技术", "生态环境", "鄂尔多斯矿区生态治理有限公司", "150602", "1300", "1300"),
    ("氢能重卡燃料电池系统集成", "能源资源", "内蒙古氢能重卡科技有限公司", "150207", "1100", "1100"),
    ("工业固废制备新型建材技术", "生态环境", "包头固废资源化有限公司", "150207", "1000", "1000"),
    ("马铃薯脱毒种薯繁育技术", "现代农牧业", "乌兰察布种薯科技有限公司", "150105", "800", "800"),
    ("稀土催化材料国产化替代", "能源资源", "内蒙古稀土催化材料有限公司", "150207", "3000", None),
    ("高端石墨负极材料制备技术", "能源资源", "乌兰察布石墨新材料有限公司", "150105", "2940", None),
    ("荒漠化沙地光伏治沙协同技术", "生态环境", "库布其治沙科技有限公司", "150602", "2500", None),
]


def _org(name, first17, region, kind) -> Organisation:
    place = Region.objects.get(code=region)
    org, _ = Organisation.objects.get_or_create(
        credit_code=_code(first17),
        defaults={"name": name, "kind": kind, "region": place, "is_verified": True, "address": place.name,
                  "postcode": "010000", "legal_rep": "（演示）"},
    )
    return org


def load_demo_stats(*, users: dict, units: dict) -> int:
    if BangList.objects.filter(title=TITLE).exists():
        return 0
    staff = users["staff"]
    organiser = units["kjt"]
    published = _at(2021, 9, 10, 9)
    deadline = _at(2021, 10, 20, 23, 59, 59)
    settled = _at(2021, 12, 28, 17)
    bang_list = BangList.objects.create(
        organiser=organiser, title=TITLE, state=BangListState.CONCLUDED, opens_at=published, deadline=deadline,
        published_at=published, created_by=staff, created_at=published,
        preamble="根据《内蒙古自治区“揭榜挂帅”项目管理办法（试行）》，现发布2021年第一批“揭榜挂帅”技术榜单。",
    )
    fields = {f.name: f for f in TechField.objects.all()}
    leads = [_org(*lead) for lead in LEADS]
    created = 1
    lead_iter = iter(leads)
    second_number = 12
    for number, (title, field_name, issuer_name, region, budget, agreed) in enumerate(BANGS, start=1):
        issuer = _org(issuer_name, f"91{region}MA0J{number:05d}", region, OrganisationKind.ENTERPRISE)
        racehorse = RACEHORSE.get(number) if agreed is not None else None
        bang = Bang.objects.create(
            bang_list=bang_list, number=number, title=title, kind=BangKind.TACKLING, field=fields[field_name],
            total_investment=Decimal(budget), period_months=36, created_at=published, max_teams=2 if racehorse else 1,
            objectives=f"围绕“{title}”开展攻关，形成可在发榜企业实测验证的成套技术。",
        )
        bang.issuers.add(issuer)
        created += 1
        if agreed is None:
            BangDecision.objects.create(
                bang=bang, outcome=DecisionOutcome.UNAWARDED, state=DecisionState.CONFIRMED,
                reason="无符合条件的揭榜团队。", decided_by=staff, decided_at=settled)
            continue
        if racehorse:
            second, route, second_route, investment, second_investment = racehorse
            second_number += 1
            teams = [(next(lead_iter), route, Decimal(investment), number),
                     (_org(*second), second_route, Decimal(second_investment), second_number)]
        else:
            teams = [(next(lead_iter), "", Decimal(agreed), number)]
        subsidies = [_subsidy(investment) for _lead, _route, investment, _n in teams]
        decision = BangDecision.objects.create(
            bang=bang, outcome=DecisionOutcome.AWARDED, state=DecisionState.CONFIRMED, total_subsidy=sum(subsidies),
            decided_by=staff, decided_at=_at(2021, 12, 10, 10))
        for rank, ((lead, route, investment, serial), subsidy) in enumerate(zip(teams, subsidies), start=1):
            _team(bang, decision, rank, lead, route, investment, subsidy, serial, issuer, organiser, staff, published)
            created += 1
    return created + load_demo_stats_execution(bang_list=bang_list, staff=staff)


def _subsidy(investment: Decimal) -> Decimal:
    return min((investment * Decimal("0.30")).quantize(Decimal("0.01")), Decimal("1000.00"))


def _team(bang, decision, rank, lead, route, investment, subsidy, serial, issuer, organiser, staff, published):
    """One awarded team: its application, award, task book in force sealed by the three parties, and project."""
    application = Application.objects.create(
        bang=bang, lead=lead, created_by=staff, state=ApplicationState.AWARDED,
        number=f"JB2021-{serial:03d}", route_label=route, submitted_at=_at(2021, 10, 18, 10), created_at=published)
    award = Award.objects.create(
        decision=decision, application=application, rank=rank, score=Decimal("86.50") - rank + 1,
        investment=investment, subsidy=subsidy, project_number=f"NMKJ-JBGS-2021-{serial:03d}")
    content = draft_content(award, today=datetime.date(2022, 1, 1))
    content["indicators"] = [{**row, "bang_target": row["target"], "committed": row["target"], "confirmed": ""}
                             for row in INDICATORS]
    content["schedule"] = [{"due_date": due, "goal": goal, "indicator": ""} for due, goal in SCHEDULE]
    task_book = TaskBook.objects.create(
        award=award, state=TaskBookState.IN_FORCE, content=content, project_number=award.project_number,
        project_name=content["project"]["name"], fingerprint=fingerprint(content),
        finalised_at=_at(2021, 12, 30, 10), finalised_by=staff, in_force_at=_at(2022, 1, 1, 9),
        created_at=_at(2021, 12, 29, 9))
    TaskBookVersion.objects.create(task_book=task_book, number=1, content=content, saved_by=staff,
                                   note="2021年第一批（历史数据导入）")
    for order, (kind, org) in enumerate(((PartyKind.ORGANISER, organiser), (PartyKind.LEAD, lead),
                                         (PartyKind.ISSUER, issuer))):
        SigningParty.objects.create(task_book=task_book, kind=kind, organisation=org, name=org.name, order=order,
                                    signer_name="（历史数据）", signed_at=_at(2021, 12, 31, 16))
    Project.objects.create(award=award, task_book=task_book, state=ProjectState.IN_PROGRESS,
                           project_number=award.project_number, subsidy=subsidy, started_at=_at(2022, 1, 1, 9))
    project_open(task_book)  # the stage reports due, from the schedule
