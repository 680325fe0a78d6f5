"""The data set of `make bench` (issue 9): lists, bangs, demands, applications and expert
assignments at provincial scale, the deadline-crush drafts and the sweep rows.

Small things go through the services (lists, publication, submissions, expert assignments); what the
services would take minutes to write row by row (units, users, drafts, the sweep set) is written with
bulk_create, as the services would have left it: the same fields, the same activity-log lines, the
same snapshot in each ApplicationVersion (tests/core/test_bench.py compares them).
"""

import datetime
import hashlib
import json
import random
from decimal import Decimal

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import EconomicNature, OrganisationKind, Role
from accounts.models import Department, Organisation, Region, RoleGrant, User
from accounts.validators import uscc_check_character
from applications import services as application_services
from applications.enums import ApplicationState, CostCategory
from applications.models import (
    Application,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    Commitment,
    Milestone,
    RecommenderRoute,
    submitted_summary,
)
from applications.services import DRAFT_FIELDS, SOURCE_FIELDS
from bangs import services as bang_services
from bangs.enums import AttachmentCondition, BangListState
from bangs.models import Bang, BangList, Contact, Indicator
from core import pagecache
from core.files import RandomUploadPath
from core.models import ActivityLog
from demands.enums import CooperationMode, DemandState
from demands.models import CollectionRound, Demand, TechField
from notifications.models import Notification

PASSWORD = "Jiebang@2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BEIJING = timezone.get_fixed_timezone(8 * 60)

# --- words ---------------------------------------------------------------------------------

PLACES = ["呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔", "乌兰察布", "锡林郭勒", "阿拉善", "兴安"]
SUBJECTS = {
    "能源资源": ["稀土永磁材料", "高纯硅料", "煤基新材料", "氢能储运", "风光储一体化", "稀土镁合金", "煤矸石综合利用",
             "储能电池", "稀土抛光粉", "碳化硅单晶", "煤制烯烃", "光伏组件回收"],
    "现代农牧业": ["玉米密植高产", "肉牛高效繁育", "奶牛健康养殖", "马铃薯脱毒种薯", "燕麦新品种", "羊绒精深加工",
              "牧草种质资源", "盐碱地改良", "向日葵病害防控", "骨肽生物制品"],
    "生态环境": ["沙地退化草地修复", "黄河流域面源污染防治", "矿区生态修复", "荒漠化防治", "工业固废资源化",
             "湖泊水质改善", "草原鼠害绿色防控"],
    "其他": ["蒙医药现代化", "过敏性疾病诊疗", "智慧矿山", "工业互联网平台", "北斗精准定位应用"],
}
VERBS = ["关键技术研究与示范", "制备技术开发及产业化", "关键装备研制", "工艺优化与中试", "集成技术与应用",
         "核心部件国产化", "检测评价技术研究"]
INDICATORS = [
    ("产品纯度", "≥99.9999", "%", "第三方检测（GB/T 12963）"), ("抗拉强度", "≥280", "MPa", "GB/T 228.1"),
    ("示范区单产", "≥1200", "公斤/亩", "第三方实收测产"), ("综合能耗降低", "≥15", "%", "能源审计"),
    ("母牛繁殖率", "≥85", "%", "养殖档案核查"), ("植被盖度提高", "≥20", "%", "样方调查"),
    ("推力密度", "≥1.2", "N/cm²", "第三方台架测试"), ("连续运行时间", "≥2000", "小时", "现场运行记录"),
    ("成本降低", "≥20", "%", "财务核算"), ("授权发明专利", "≥3", "项", "专利证书"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文包乌"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建国志红斌宇浩凯鹏飞云峰海燕巴特尔其其格乌云"
UNIT_KINDS = [
    (OrganisationKind.UNIVERSITY, "{p}{n}大学"), (OrganisationKind.INSTITUTE, "{p}{n}研究院"),
    (OrganisationKind.ENTERPRISE, "{p}{n}科技有限公司"), (OrganisationKind.NEW_RD, "{p}{n}产业技术研究院"),
]
NAME_WORDS = ["工业", "理工", "农业", "科技", "稀土", "能源", "生物", "材料", "草原", "黄河", "北方", "新能", "绿色", "智能"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(n: int) -> str:
    return f"139{n:08d}"


def credit_code(prefix: str, n: int, region: str) -> str:
    first17 = f"{prefix}{region}MA{n:07d}"[:17]
    return first17 + uscc_check_character(first17)


def bang_title(rng: random.Random, field: str, n: int) -> str:
    return f"{rng.choice(SUBJECTS[field])}{rng.choice(VERBS)}（{n:04d}）"


def at(day: datetime.date, hh=23, mm=59, ss=59) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=BEIJING)


# --- units and people ----------------------------------------------------------------------


class Loader:
    """Writes the bench data set. `counts` holds what was written, `manifest` what the bench needs."""

    def __init__(self, *, seed: int = 9, log=lambda msg: None):
        self.rng = random.Random(seed)
        self.log = log
        self.password = make_password(PASSWORD)
        self.regions = {r.code: r for r in Region.objects.all()}
        self.fields = {f.name: f for f in TechField.objects.select_related("department")}
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.manifest: dict = {"users": {}, "sessions": {}}
        self._serial = 0
        # Units and users take their numbers (credit codes, usernames) from counters of their own that
        # start past every row already there, so a second load (--crush-only) never repeats one.
        self._unit = Organisation.objects.count()
        self._user = User.objects.count()
        self._pdf_name = None
        self.app_ct = ContentType.objects.get_for_model(Application)

    def serial(self) -> int:
        self._serial += 1
        return self._serial

    def units(self, n: int, *, kind=None, regions=("150502", "150521", "150105", "150207", "150602", "230000"),
              prefix="91") -> list[Organisation]:
        orgs = []
        for _ in range(n):
            self._unit += 1
            s = self._unit
            k, pattern = (kind, "{p}{n}科技有限公司") if kind else self.rng.choice(UNIT_KINDS)
            region = self.regions[self.rng.choice(regions)]
            orgs.append(Organisation(
                name=pattern.format(p=self.rng.choice(PLACES), n=self.rng.choice(NAME_WORDS) + str(s)),
                credit_code=credit_code(prefix, s, region.code[:6]), kind=k, region=region,
                address=f"{region.name}创新大道{s % 300 + 1}号", postcode="010000", legal_rep=person(self.rng),
                legal_rep_phone=f"0471-6{s % 1000000:06d}",
                economic_nature=EconomicNature.PRIVATE if k == OrganisationKind.ENTERPRISE else "",
                staff_size=self.rng.randint(50, 3000),
                last_year_output=Decimal(self.rng.randint(1000, 90000)) if k == OrganisationKind.ENTERPRISE else None,
                is_verified=True,
            ))
        orgs = Organisation.objects.bulk_create(orgs)
        self.counts["units"] = self.counts.get("units", 0) + len(orgs)
        return orgs

    def users(self, orgs, role: str, *, prefix: str, department=None) -> list[User]:
        """One user per unit, with `role`; each becomes its unit's first user."""
        users = []
        for org in orgs:
            self._user += 1
            s = self._user
            users.append(User(
                username=f"{prefix}{s}", password=self.password, organisation=org, department=department,
                full_name=person(self.rng), mobile=mobile(s), title="研究员", email=f"{prefix}{s}@example.com",
            ))
        users = User.objects.bulk_create(users)
        RoleGrant.objects.bulk_create(RoleGrant(user=u, role=role) for u in users)
        for org, user in zip(orgs, users, strict=True):
            org.first_user = user
        Organisation.objects.bulk_update(orgs, ["first_user"])
        self.counts["users"] = self.counts.get("users", 0) + len(users)
        return users

    def session(self, user: User) -> str:
        """A signed-in session for `user`, as the login view leaves it."""
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    def named_user(self, key: str, org, role: str, *, department=None) -> User:
        user = self.users([org], role, prefix=f"bench_{key}_", department=department)[0]
        self.manifest["users"][key] = user.username
        self.manifest["sessions"][key] = self.session(user)
        return user

    def reuse_base(self) -> None:
        """The organisers, staff, issuers and recommender of an earlier load, to add sets to it."""
        staff = User.objects.get(username__startswith="bench_staff_")
        self.organisers = [staff.organisation]
        self.staff = {staff.organisation_id: staff}
        self.issuers = list(Organisation.objects.filter(members__username__startswith="bench_ent_"))

    # --- lists and bangs -------------------------------------------------------------------

    def base(self) -> None:
        """Organisers with their staff, issuing enterprises, the recommender and its route, the expert."""
        kjt = self.units(1, kind=OrganisationKind.GOVERNMENT, regions=("150000",), prefix="11")[0]
        kjt.name = "内蒙古自治区科学技术厅（基准测试）"
        kjt.save(update_fields=["name"])
        Department.objects.filter(organisation__isnull=True).update(organisation=kjt)
        cities = self.units(7, kind=OrganisationKind.GOVERNMENT, regions=("150502", "150602", "150207", "150105"),
                            prefix="11")
        for org, place in zip(cities, ["通辽市", "鄂尔多斯市", "包头市", "呼和浩特市", "赤峰市", "乌海市", "兴安盟"], strict=True):
            org.name = f"{place}科学技术局（{org.pk}）"
        Organisation.objects.bulk_update(cities, ["name"])
        self.organisers = [kjt, *cities]
        hightech = Department.objects.get(name="高新技术处")
        self.staff = {kjt.pk: self.named_user("staff", kjt, Role.STAFF, department=hightech)}
        for org in cities:
            self.staff[org.pk] = self.users([org], Role.STAFF, prefix="bench_cityst_")[0]
        self.issuers = self.units(50, kind=OrganisationKind.ENTERPRISE,
                                  regions=("150207", "150602", "150502", "150105", "150402"))
        self.enterprise_users = self.users(self.issuers, Role.ENTERPRISE, prefix="bench_ent_")
        recommender = self.units(1, kind=OrganisationKind.GOVERNMENT, regions=("150502",), prefix="11")[0]
        recommender.name = "通辽市科学技术局（推荐单位）"
        recommender.save(update_fields=["name"])
        RecommenderRoute.objects.update_or_create(region=self.regions["150500"], defaults={"recommender": recommender})
        self.recommender = self.named_user("recommender", recommender, Role.RECOMMENDER)
        expert_unit = self.units(1, kind=OrganisationKind.UNIVERSITY, regions=("150105",), prefix="12")[0]
        self.expert = self.named_user("expert", expert_unit, Role.EXPERT)
        self.round = CollectionRound.objects.create(
            title="2025年度内蒙古自治区“揭榜挂帅”项目需求征集（基准测试）",
            opens_at=self.now - datetime.timedelta(days=200), closes_on=None,
            min_self_investment=Decimal("500"), max_period_months=36,
        )
        self.round.fields.set(self.fields.values())

    def bang_list(self, *, n_bangs: int, organiser, opens_at, deadline, title=None, publish=True) -> BangList:
        """A list made through the services, its bangs bulk-written, then published through the service."""
        by = self.staff[organiser.pk]
        place = self.rng.choice(PLACES)
        year = timezone.localtime(opens_at).year
        bang_list = bang_services.bang_list_create(data=dict(
            title=title or f"{year}年{place}市“揭榜挂帅”科技项目技术榜单（第{self.serial()}批）",
            preamble=f"为解决{place}重点产业发展面临的关键核心技术问题，按照“成熟一批、发布一批”的原则，"
                     f"现面向全社会发布“揭榜挂帅”技术榜单，诚邀有能力的单位揭榜攻关。",
            opens_at=opens_at, deadline=deadline, recommend_deadline=deadline + datetime.timedelta(days=7),
            max_partners=5, notice_days=5,
        ), by=by)
        Contact.objects.bulk_create([
            Contact(bang_list=bang_list, purpose="组织申报", department="战略规划科", name=person(self.rng),
                    phone=f"0471-63{self.serial() % 100000:05d}", order=0),
            Contact(bang_list=bang_list, purpose="系统技术支持", department="信息中心", name=person(self.rng),
                    phone=f"1874783{self.serial() % 10000:04d}", order=1),
        ])
        bangs = []
        for number in range(1, n_bangs + 1):
            field = self.rng.choice(list(SUBJECTS))
            title = bang_title(self.rng, field, self.serial() % 10000)
            investment = Decimal(self.rng.randrange(200, 3000, 50))
            bangs.append(Bang(
                bang_list=bang_list, number=number, title=title, kind=self.rng.choice(("tackling", "tackling", "transfer")),
                field=self.fields[field], period_months=self.rng.choice((24, 36)), total_investment=investment,
                background=f"{title.split('（')[0]}是当地重点产业发展面临的关键技术问题，企业依靠自身力量难以解决，"
                           f"国内同类技术与国际先进水平仍有差距。",
                objectives=f"围绕{title.split('（')[0]}开展技术攻关，形成可推广应用的成套技术并在发榜企业实现应用。",
                field_test="在发榜企业现场实测，由第三方检测机构出具检测报告。",
                solver_requirements="具有相关领域研究基础的高校、科研院所或科技型企业，鼓励组建创新联合体。",
                ip_terms="项目形成的知识产权归属由发榜方与揭榜方协议约定。",
                max_teams=self.rng.choice((1, 1, 2)), contact_name=person(self.rng), contact_department="技术中心",
                contact_phone=f"0477-85{self.serial() % 100000:05d}",
            ))
        bangs = Bang.objects.bulk_create(bangs)
        Indicator.objects.bulk_create(
            Indicator(bang=bang, order=i, name=name, target=target, unit=unit, test_method=method)
            for bang in bangs for i, (name, target, unit, method) in enumerate(self.rng.sample(INDICATORS, 2))
        )
        Bang.issuers.through.objects.bulk_create(
            Bang.issuers.through(bang_id=bang.pk, organisation_id=self.rng.choice(self.issuers).pk) for bang in bangs
        )
        if publish:
            bang_services.bang_list_publish(bang_list=bang_list, by=by, published_at=opens_at)
        self.counts["lists"] = self.counts.get("lists", 0) + 1
        self.counts["bangs"] = self.counts.get("bangs", 0) + len(bangs)
        return bang_list

    def lists(self, *, n_bangs: int, n_lists: int) -> list[BangList]:
        """About 60% open now, the rest closed; every list published; list 0 is the big one (科技厅)."""
        lists = []
        per = max(1, n_bangs // n_lists)
        today = timezone.localdate()
        for i in range(n_lists):
            organiser = self.organisers[0] if i == 0 else self.rng.choice(self.organisers)
            if i == 0 or i % 5 < 3:
                opens = self.now - datetime.timedelta(days=self.rng.randint(5, 20))
                deadline = at(today + datetime.timedelta(days=self.rng.randint(10, 60)))
            else:
                opens = self.now - datetime.timedelta(days=self.rng.randint(150, 300))
                deadline = at(timezone.localdate(opens) + datetime.timedelta(days=self.rng.randint(30, 60)))
            lists.append(self.bang_list(n_bangs=per, organiser=organiser, opens_at=opens, deadline=deadline))
            if i % 20 == 19:
                self.log(f"  lists: {i + 1}/{n_lists}")
        self.manifest["big_list"] = lists[0].pk
        self.manifest["bang"] = lists[0].bangs.order_by("number").first().pk
        return lists

    # --- demands and expert opinions --------------------------------------------------------

    def demands(self, n: int, *, assignments: int) -> None:
        """Demands of the issuing enterprises: a third in the queue (submitted), most accepted; the
        expert is assigned through the service to `assignments` accepted ones."""
        mix = [DemandState.SUBMITTED] * 4 + [DemandState.ACCEPTED] * 4 + [DemandState.RETURNED, DemandState.DRAFT]
        by_org = dict(zip((o.pk for o in self.issuers), self.enterprise_users, strict=True))
        rows = []
        for i in range(n):
            org = self.rng.choice(self.issuers)
            field = "能源资源" if i % 5 < 3 else self.rng.choice(list(SUBJECTS))
            state = mix[i % len(mix)]
            name = bang_title(self.rng, field, i).replace("（", "需求（")
            submitted = self.now - datetime.timedelta(days=self.rng.randint(1, 150), minutes=i)
            user = by_org[org.pk]
            rows.append(Demand(
                round=self.round, organisation=org, created_by=user, state=state, field=self.fields[field],
                contact_name=user.full_name, contact_title="技术总监", contact_mobile=user.mobile, contact_email=user.email,
                name=name, cooperation_mode=self.rng.choice([CooperationMode.COMMISSIONED, CooperationMode.RETROFIT]),
                background=f"{name}所涉及的技术长期依赖进口，制约了企业产能提升和产品升级。",
                content=f"围绕{name}，攻克关键工艺与装备难题，形成成套技术，主要技术指标达到国内领先水平。",
                basis="企业已建成中试线，具备检测条件，研发团队30余人。",
                solver_requirements="在相关领域具有较强研发能力的高校、科研院所。",
                ip_terms="合作产生的知识产权由双方共有，发榜方享有优先实施权。",
                field_test="在发榜方生产线进行实测，由第三方检测机构出具检测报告。",
                period_months=self.rng.choice((24, 36)), total_investment=Decimal(self.rng.randrange(500, 3000, 50)),
                enterprise_snapshot=org.snapshot() if state != DemandState.DRAFT else {},
                submitted_at=submitted if state != DemandState.DRAFT else None,
                decided_at=submitted + datetime.timedelta(days=3)
                if state in {DemandState.ACCEPTED, DemandState.RETURNED} else None,
            ))
        demands = Demand.objects.bulk_create(rows)
        self.counts["demands"] = len(demands)
        staff = self.staff[self.organisers[0].pk]
        accepted = [d for d in demands
                    if d.state == DemandState.ACCEPTED and d.field.department_id == staff.department_id]
        for demand in accepted[:assignments]:
            bang_services.demand_experts_assign(demand=demand, experts=[self.expert], by=staff)
        self.counts["expert_assignments"] = min(assignments, len(accepted))

    # --- applications ----------------------------------------------------------------------

    def pdf_name(self) -> str:
        if self._pdf_name is None:
            self._pdf_name = default_storage.save(RandomUploadPath("applications")(None, "材料.pdf"), ContentFile(PDF))
        return self._pdf_name

    def drafts(self, pairs, *, complete: bool = True) -> list[Application]:
        """Drafts as application_start leaves them (commitments, budget lines, the log line), and if
        `complete`, as application_save_draft and application_attachment_add then leave them: every
        section filled, two milestones, a budget, every checklist item of a single university lead."""
        apps = []
        for bang, user in pairs:
            org = user.organisation
            route = self.rng.choice(["改良西门子法", "冶金法提纯", "数字孪生", "生物发酵", "膜分离", "精准调控"])
            values = dict(
                lead_name=user.full_name, lead_title=user.title, lead_unit=org.name, lead_phone=user.mobile,
                lead_email=user.email, chief_unit=org.name,
            )
            if complete:
                values.update(
                    route_label=route, route_description=f"采用{route}路线开展攻关，分阶段完成小试、中试与示范。",
                    chief_name=person(self.rng), chief_title="教授", lead_months=8,
                    objectives=f"完成“{bang.title}”全部考核指标，并在发榜企业实现应用。",
                    route_innovation=f"{route}的关键工艺优化与装备集成。", basis="团队在该方向已有十年研究积累。",
                    team="首席科学家牵头，骨干12人，其中正高级职称5人。", ip_arrangements="按榜单约定执行。",
                    risks="中试放大风险，采用分段验证控制。",
                )
            apps.append(Application(bang=bang, lead=org, created_by=user, **values))
        apps = Application.objects.bulk_create(apps, batch_size=2000)
        by_user = {a.pk: u for a, (_b, u) in zip(apps, pairs, strict=True)}
        indicators: dict[int, list[Indicator]] = {}
        for ind in Indicator.objects.filter(bang__in={a.bang_id for a in apps}):
            indicators.setdefault(ind.bang_id, []).append(ind)
        Commitment.objects.bulk_create(
            (Commitment(application=a, indicator=i, value=i.target) for a in apps for i in indicators.get(a.bang_id, [])),
            batch_size=5000,
        )
        lines = []
        for a in apps:
            for c in CostCategory:
                line = BudgetLine(application=a, category=c)
                if complete and c == CostCategory.EQUIPMENT:
                    line.subsidy, line.enterprise, line.self_raised = Decimal("60"), Decimal("80"), Decimal("20")
                elif complete and c == CostCategory.MATERIALS:
                    line.enterprise, line.self_raised = Decimal("40"), Decimal("10")
                elif complete and c == CostCategory.LABOUR:
                    line.self_raised = Decimal("15")
                lines.append(line)
        BudgetLine.objects.bulk_create(lines, batch_size=5000)
        logs = [ActivityLog(content_type=self.app_ct, object_id=a.pk, actor=by_user[a.pk], action="创建申报草稿",
                            to_state=ApplicationState.DRAFT) for a in apps]
        if complete:
            Milestone.objects.bulk_create(
                (Milestone(application=a, due_date=due, deliverable=what, indicator=ind, order=i)
                 for a in apps for i, (due, what, ind) in enumerate([
                     (datetime.date(2027, 12, 31), "完成小试", "关键指标达到目标值的80%"),
                     (datetime.date(2028, 12, 31), "完成中试与示范", "全部指标达标")])),
                batch_size=5000,
            )
            checklists: dict[int, list] = {}
            attachments = []
            name, digest = self.pdf_name(), hashlib.sha256(PDF).hexdigest()
            for a in apps:
                list_id = a.bang.bang_list_id
                if list_id not in checklists:
                    checklists[list_id] = [i for i in a.bang.bang_list.checklist.all()
                                           if i.condition == AttachmentCondition.ALWAYS]
                for item in checklists[list_id]:
                    attachments.append(Attachment(application=a, item=item, file=name, original_name=f"{item.title}.pdf",
                                                  size=len(PDF), sha256=digest, uploaded_by=by_user[a.pk]))
                    logs.append(ActivityLog(content_type=self.app_ct, object_id=a.pk, actor=by_user[a.pk],
                                            action="上传附件", note=f"{item.title}：{item.title}.pdf"))
            Attachment.objects.bulk_create(attachments, batch_size=5000)
        ActivityLog.objects.bulk_create(logs, batch_size=5000)
        return apps

    def applicants(self, n: int, *, regions) -> list[User]:
        return self.users(self.units(n, kind=OrganisationKind.UNIVERSITY, regions=regions, prefix="12"),
                          Role.APPLICANT, prefix="bench_app_")

    def applications(self, n: int, bang_list: BangList) -> None:
        """`n` submitted applications on the big list, submitted through application_submit."""
        bangs = list(bang_list.bangs.select_related("bang_list").order_by("number"))
        units = self.applicants(max(1, -(-n // len(bangs))), regions=("150502", "150521", "150105", "230000"))
        pairs = [(bangs[i % len(bangs)], units[i // len(bangs)]) for i in range(n)]
        apps = self.drafts(pairs)
        for i, (app, (_bang, user)) in enumerate(zip(apps, pairs, strict=True)):
            application_services.application_submit(application=app, by=user)
            if i % 250 == 249:
                self.log(f"  submitted: {i + 1}/{n}")
        self.counts["applications"] = n
        self.manifest["application"] = apps[0].pk if apps else None

    def crush(self, n: int, *, deadline: datetime.datetime) -> dict:
        """An open list of 20 bangs and `n` complete drafts, each from its own unit and its own user."""
        bang_list = self.bang_list(
            n_bangs=20, organiser=self.organisers[0], opens_at=self.now - datetime.timedelta(days=10),
            deadline=deadline, title=f"基准测试：截止高峰榜单（{self.serial()}）",
        )
        bangs = list(bang_list.bangs.select_related("bang_list").order_by("number"))
        users = self.applicants(n, regions=("150502", "150521", "150522", "150523"))
        apps = self.drafts([(bangs[i % len(bangs)], user) for i, user in enumerate(users)])
        return {
            "list": bang_list.pk,
            "drafts": [[a.pk, self.session(u)] for a, u in zip(apps, users, strict=True)],
        }

    # --- the sweep set ---------------------------------------------------------------------

    def sweeps(self, rows: int) -> None:
        """`rows` drafts on a list closing in two days (draft reminders), `rows` submitted applications
        on a list closed yesterday whose reviewers were never told (recommender notices, deadline
        summaries), and `rows` notifications whose e-mail was never queued (the e-mail sweep)."""
        today = timezone.localdate()
        n_bangs = 20
        soon = self.bang_list(n_bangs=n_bangs, organiser=self.organisers[0], opens_at=self.now - datetime.timedelta(days=20),
                              deadline=at(today + datetime.timedelta(days=2)), title="基准测试：两日后截止的榜单")
        closed = self.bang_list(n_bangs=n_bangs, organiser=self.organisers[0],
                                opens_at=self.now - datetime.timedelta(days=20),
                                deadline=at(today - datetime.timedelta(days=1)), title="基准测试：昨日截止的榜单")
        units = self.applicants(-(-rows // n_bangs), regions=("150502", "150521", "150105", "230000"))
        for bang_list, complete in ((soon, False), (closed, True)):
            bangs = list(bang_list.bangs.select_related("bang_list").order_by("number"))
            for start in range(0, rows, 5000):
                pairs = [(bangs[i % n_bangs], units[i // n_bangs]) for i in range(start, min(rows, start + 5000))]
                apps = self.drafts(pairs, complete=complete)
                if complete:
                    self.submitted_in_bulk(apps, dict((a.pk, u) for a, (_b, u) in zip(apps, pairs, strict=True)),
                                           at=bang_list.deadline - datetime.timedelta(hours=2))
                self.log(f"  sweep rows: {bang_list.title} {start + len(pairs)}/{rows}")
        stale = self.now - datetime.timedelta(hours=1)
        users = list(User.objects.filter(username__startswith="bench_app_").exclude(email="")[:rows])
        Notification.objects.bulk_create(
            (Notification(recipient=users[i % len(users)], event_key=f"bench:pending:{i}", title="基准测试：待发送的邮件通知",
                          url="/", created_at=stale) for i in range(rows)),
            batch_size=5000,
        )
        self.counts["sweep_rows"] = rows
        self.manifest["sweep_list"] = closed.pk

    def submitted_in_bulk(self, apps: list[Application], users: dict, *, at: datetime.datetime) -> None:
        """What application_submit leaves, without the notice to reviewers (lost, for the sweep)."""
        routes = {r.region_id: r.recommender_id for r in RecommenderRoute.objects.all()}
        apps = list(Application.objects.filter(pk__in=[a.pk for a in apps])
                    .select_related("bang__bang_list", "lead__region__parent__parent")
                    .prefetch_related("milestones", "budget_lines", "commitments__indicator", "attachments__item",
                                      "avoided_experts"))
        versions, logs = [], []
        for a in apps:
            a.number = f"JB{timezone.localtime(at):%Y}{a.pk:06d}"
            data = snapshot(a)
            payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
            receipt = f"{a.number}-01"
            versions.append(ApplicationVersion(
                application=a, number=1, receipt=receipt, submitted_at=at, submitted_by=users[a.pk], data=data,
                digest=hashlib.sha256(payload.encode()).hexdigest(),
            ))
            region = a.lead.region
            a.recommender_id = next((routes[r.pk] for r in (region, region.parent, region.parent and region.parent.parent)
                                     if r is not None and r.pk in routes), None)
            a.state, a.submitted_at, a.revising = ApplicationState.SUBMITTED, at, False
            a.submitted_summary = submitted_summary(data)
            logs.append(ActivityLog(content_type=self.app_ct, object_id=a.pk, actor=users[a.pk], action="提交申报",
                                    from_state=ApplicationState.DRAFT, to_state=ApplicationState.SUBMITTED,
                                    note=receipt, created_at=at))
        ApplicationVersion.objects.bulk_create(versions, batch_size=2000)
        Application.objects.bulk_update(
            apps, ["number", "state", "submitted_at", "submitted_summary", "recommender", "revising"],
            batch_size=2000
        )
        ActivityLog.objects.bulk_create(logs, batch_size=5000)


def snapshot(a: Application) -> dict:
    """application_snapshot, from prefetched rows (single leads: no partners)."""
    lines = list(a.budget_lines.all())
    by_source = {s: sum((getattr(line, s) for line in lines), Decimal("0")) for s in SOURCE_FIELDS}
    return {
        "bang": {"id": a.bang_id, "number": a.bang.number, "title": a.bang.title, "list": a.bang.bang_list.title},
        "lead": a.lead.snapshot(),
        "fields": {name: getattr(a, name) for name in DRAFT_FIELDS},
        "partners": [],
        "milestones": [{"due_date": m.due_date.isoformat(), "deliverable": m.deliverable, "indicator": m.indicator}
                       for m in sorted(a.milestones.all(), key=lambda m: (m.due_date, m.order))],
        "budget": {
            "lines": [{"category": line.category, **{s: str(getattr(line, s)) for s in SOURCE_FIELDS}} for line in lines],
            "by_source": {s: str(v) for s, v in by_source.items()},
            "total": str(sum(by_source.values(), Decimal("0"))),
        },
        "commitments": [
            {"indicator": c.indicator.name, "target": c.indicator.target, "unit": c.indicator.unit, "value": c.value,
             "weaker": c.is_weaker}
            for c in sorted(a.commitments.all(), key=lambda c: (c.indicator.order, c.indicator.pk))
        ],
        "attachments": [
            {"id": x.pk, "item": x.item.title, "name": x.original_name, "sha256": x.sha256, "size": x.size}
            for x in sorted((x for x in a.attachments.all() if not x.superseded),
                            key=lambda x: (x.item.order, -x.uploaded_at.timestamp()))
        ],
        "avoid": [{"name": x.name, "unit": x.unit, "reason": x.reason}
                  for x in sorted(a.avoided_experts.all(), key=lambda x: (x.order, x.pk))],
    }


def crush_arm(*, list_id: int, seconds: int) -> datetime.datetime:
    """Move the crush list's deadline to `seconds` from now (to the second), as the bench's clock."""
    deadline = (timezone.now() + datetime.timedelta(seconds=seconds)).replace(microsecond=0)
    with transaction.atomic():
        BangList.objects.filter(pk=list_id, state=BangListState.PUBLISHED).update(deadline=deadline)
        pagecache.bump()  # an update() sends no signal: public pages show the new deadline at once
    return deadline


def crush_report(*, list_id: int) -> dict:
    bang_list = BangList.objects.get(pk=list_id)
    versions = ApplicationVersion.objects.filter(application__bang__bang_list=bang_list)
    return {
        "deadline": bang_list.deadline.isoformat(),
        "versions": {str(app): at.isoformat() for app, at in versions.values_list("application_id", "submitted_at")},
    }


def receipt_url(version_pk: int) -> str:
    return reverse("applications:receipt", args=[version_pk])
