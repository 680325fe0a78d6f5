"""Demo expert review (issue 10): an expert pool with declared conflicts, the 鄂尔多斯 list in review
(panels drawn, some seats accepted and scored, 高专家 invited), and the 2023 rare-earth list with
scoring closed, the issuing enterprise's opinion and proposed awards (one racehorse bang, two routes).

Idempotent: experts by username, conflicts by (expert, unit), each list's review by its ReviewPlan.
Deadlines are moved into the past by setting the timestamps directly, as bangs/demo.py does."""

import datetime
import hashlib
from decimal import Decimal

from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, Region, RoleGrant, User
from accounts.validators import uscc_check_character
from applications import services as application_services
from applications.demo import _fill
from applications.enums import ApplicationState
from applications.models import Application, ApplicationVersion
from bangs.demo import ISSUERS, days_ahead
from bangs.models import Bang, BangList
from demands.models import TechField

from . import recusal, services
from .draw import Candidate, draw
from .enums import DEFAULT_RUBRIC, Recommendation
from .models import Assignment, ExpertConflict, ExpertProfile, PanelDraw, ReviewPlan

ORDOS = "鄂尔多斯市“揭榜挂帅”科技项目榜单"
RARE_EARTH = "内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单"

# key: (name, first 17 of a fictional credit code, region, kind)
EXPERT_UNITS = {
    "imut": ("内蒙古工业大学", "12150000460003456", "150105", OrganisationKind.UNIVERSITY),
    "imust": ("内蒙古科技大学", "12150200460004567", "150207", OrganisationKind.UNIVERSITY),
    "imau": ("内蒙古农业大学", "12150000460005678", "150105", OrganisationKind.UNIVERSITY),
    "immu": ("内蒙古医科大学", "12150000460006789", "150105", OrganisationKind.UNIVERSITY),
    "bre": ("包头稀土研究院", "12150200460007890", "150207", OrganisationKind.INSTITUTE),
    "ordos_tech": ("鄂尔多斯应用技术学院", "12150600460008901", "150602", OrganisationKind.UNIVERSITY),
    "ustb": ("北京科技大学", "12100000400012345", "110000", OrganisationKind.UNIVERSITY),
    "rcees": ("中国科学院生态环境研究中心", "12100000400023456", "110000", OrganisationKind.INSTITUTE),
    "ipe": ("中国科学院过程工程研究所", "12100000400034567", "110000", OrganisationKind.INSTITUTE),
    "hrbeu": ("哈尔滨工程大学", "12100000400045678", "230000", OrganisationKind.UNIVERSITY),
}

E, A, G, O = "能源资源", "现代农牧业", "生态环境", "其他"
# username, full name, unit key (from load_demo's units or EXPERT_UNITS), title, fields, specialties, mobile
EXPERTS = [
    ("expert", "高专家", "imu", "教授", [E, G], "稀土功能材料、环境化学", "13800000006"),
    ("expert01", "刘志强", "imut", "教授", [E], "电机设计、电力电子", "13900000101"),
    ("expert02", "陈晓燕", "imust", "教授", [E], "稀土冶金、稀土永磁材料", "13900000102"),
    ("expert03", "赵建国", "bre", "研究员", [E], "稀土发光材料、无机颜料", "13900000103"),
    ("expert04", "孙丽萍", "ordos_tech", "教授", [E, G], "煤化工、硅材料", "13900000104"),
    ("expert05", "周海涛", "imau", "教授", [G, A], "土壤修复、农业面源污染", "13900000105"),
    ("expert06", "吴敏", "imau", "研究员", [A], "作物栽培、种质资源", "13900000106"),
    ("expert07", "郑宏", "immu", "主任医师", [O], "耳鼻咽喉科、流行病学", "13900000107"),
    ("expert08", "马骏", "imut", "正高级工程师", [E], "锅炉燃烧、烟气NOx控制", "13900000108"),
    ("expert09", "王立新", "ustb", "教授", [E], "永磁电机、直线电机", "13900000109"),
    ("expert10", "杨帆", "ustb", "教授", [E], "粉末冶金、高纯金属材料", "13900000110"),
    ("expert11", "李静", "rcees", "研究员", [G], "水环境、农田生态", "13900000111"),
    ("expert12", "何振宇", "hrbeu", "教授", [E], "电机控制、电力传动", "13900000112"),
    ("expert13", "冯雪", "rcees", "研究员", [G, O], "环境流行病学、生态修复", "13900000113"),
    ("expert14", "韩冬", "ipe", "研究员", [E], "多晶硅提纯、冶金法工艺", "13900000114"),
    ("expert15", "唐文", "ipe", "研究员", [E, G], "清洁燃烧、固废资源化", "13900000115"),
    ("expert16", "鲍明", "imust", "教授", [E, A], "稀土农用、功能肥料", "13900000116"),
]
INACTIVE = {"expert16": "本人申请暂停参加评审（2026年度出国访学）。"}

# username, unit: a load_demo unit key or a bangs.demo issuer key (with "issuer:"), reason
CONFLICTS = [
    ("expert12", "hit", "曾在该单位任职，离职未满三年。"),
    ("expert02", "changan", "近三年与该单位有合作项目。"),
    ("expert04", "issuer:silicon", "近三年与该单位有合作论文。"),
]


def _unit(name, first17, region, kind):
    org, created = Organisation.objects.get_or_create(
        credit_code=first17 + uscc_check_character(first17),
        defaults=dict(name=name, kind=kind, region=Region.objects.get(code=region), is_verified=True,
                      address=Region.objects.get(code=region).name, postcode="010000"),
    )
    return org, created


def load_demo_experts(*, users: dict, units: dict) -> int:
    from core.management.commands.load_demo import DEMO_PASSWORD

    created = 0
    orgs = dict(units)
    for key, spec in EXPERT_UNITS.items():
        orgs[key], was_created = _unit(*spec)
        created += was_created
    for username, full_name, unit_key, title, fields, specialties, mobile in EXPERTS:
        unit = orgs[unit_key]
        user, was_created = User.objects.get_or_create(
            username=username, defaults=dict(full_name=full_name, organisation=unit, mobile=mobile,
                                             email=f"{username}@example.com"))
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        RoleGrant.objects.get_or_create(user=user, role=Role.EXPERT)
        if unit.first_user_id is None:
            unit.first_user = user
            unit.save(update_fields=["first_user"])
        users.setdefault(username, user)
        profile, was_created = ExpertProfile.objects.get_or_create(
            user=user, defaults=dict(unit=unit, title=title, specialties=specialties, phone=mobile, email=user.email,
                                     is_active=username not in INACTIVE,
                                     deactivated_reason=INACTIVE.get(username, "")))
        if was_created:
            profile.fields.set(TechField.objects.filter(name__in=fields))
            created += 1
    for username, unit_key, reason in CONFLICTS:
        if unit_key.startswith("issuer:"):
            name, first17, _region = ISSUERS[unit_key.removeprefix("issuer:")]
            credit_code = first17 + uscc_check_character(first17)
        else:
            name, credit_code = orgs[unit_key].name, orgs[unit_key].credit_code
        _conflict, was_created = ExpertConflict.objects.get_or_create(
            profile=ExpertProfile.objects.get(user__username=username), credit_code=credit_code,
            defaults=dict(unit_name=name, reason=reason))
        created += was_created
    return created


# --- helpers ---------------------------------------------------------------------------------


def _rubric() -> list[dict]:
    return [{"name": str(name), "weight": weight, "max_score": maximum} for name, weight, maximum in DEFAULT_RUBRIC]


def _draw(bang: Bang, by: User, *, want: User | None = None) -> PanelDraw:
    """panel_draw with a seed of its own, fixed by the bang (so the demo is the same every load), and,
    when `want` is given, the first such seed whose panel has `want` on it. The seed is stored as any
    other, so replay_draw checks it the same way."""
    plan = ReviewPlan.objects.get(bang_list=bang.bang_list)
    candidates, _excluded = recusal.screen(bang, plan, [bang.field_id])
    pool = [Candidate(c["id"], c["out_of_region"]) for c in candidates]
    for i in range(1000):
        seed = hashlib.sha256(f"jiebang-demo:{bang.bang_list.title}:{bang.number}:{i}".encode()).hexdigest()[:32]
        if want is None or want.pk in draw(seed, pool, size=plan.panel_size,
                                           out_of_region_share=plan.out_of_region_share).panel:
            break
    return services.panel_draw(bang=bang, by=by, seed=seed)


def _score(seat: Assignment, application: Application, *, submit: bool = True):
    """Scores between 70% and 95% of each maximum, varying by expert and application."""
    plan = ReviewPlan.objects.get(bang_list_id=seat.bang.bang_list_id)
    values = {}
    for criterion in plan.criteria.all():
        digest = hashlib.sha256(f"{seat.expert_id}:{application.pk}:{criterion.pk}".encode()).digest()[0]
        share = Decimal("0.70") + Decimal(digest % 26) / 100
        values[str(criterion.pk)] = str((criterion.max_score * share).quantize(Decimal("0.1")))
    return services.score_save(
        assignment=seat, application=application, by=seat.expert, values=values, comments={},
        comment="技术路线清晰，团队基础扎实，考核指标可达；建议细化中试阶段的风险控制措施。",
        recommendation=Recommendation.RECOMMEND, submit=submit)


def _accept_and_score(seat: Assignment, *, submit: bool = True) -> None:
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    seat.refresh_from_db()
    for application in Application.objects.filter(bang=seat.bang, state=ApplicationState.UNDER_REVIEW):
        _score(seat, application, submit=submit)


def _backdate(applications, when: datetime.datetime) -> None:
    """Move the applications' own timestamps to before the (moved) deadline, for a consistent demo."""
    applications = Application.objects.filter(pk__in=[a.pk for a in applications])
    applications.update(created_at=when - datetime.timedelta(days=5))
    applications.exclude(submitted_at=None).update(submitted_at=when - datetime.timedelta(days=3))
    applications.exclude(decided_at=None).update(decided_at=when - datetime.timedelta(days=1))
    applications.exclude(correction_deadline=None).update(correction_deadline=when)
    ApplicationVersion.objects.filter(application__in=applications).update(submitted_at=when - datetime.timedelta(days=3))


# --- the 鄂尔多斯 list: in review -------------------------------------------------------------


def load_demo_ordos_review(*, users: dict) -> int:
    bang_list = BangList.objects.filter(title=ORDOS).first()
    if bang_list is None or ReviewPlan.objects.filter(bang_list=bang_list).exists():
        return 0
    staff, hit = users["staff_ordos"], users["applicant"]
    # The out-of-region lead's submitted application goes to the organiser, who finds it eligible.
    still_open = bang_list.recommend_deadline is None or timezone.now() < bang_list.recommend_deadline
    for application in Application.objects.filter(bang__bang_list=bang_list, lead=hit.organisation,
                                                  state=ApplicationState.SUBMITTED) if still_open else ():
        application_services.application_recommend(application=application, by=staff,
                                                   note="区外牵头单位，材料齐全，符合揭榜条件。")
    # Time passes: applications and recommendations closed.
    now = timezone.now()
    deadline = days_ahead(-3)
    BangList.objects.filter(pk=bang_list.pk).update(opens_at=deadline - datetime.timedelta(days=37),
                                                     deadline=deadline, recommend_deadline=days_ahead(-1))
    _backdate(Application.objects.filter(bang__bang_list=bang_list), deadline)
    bang_list.refresh_from_db()
    services.review_open(bang_list=bang_list, by=staff, criteria=_rubric(), plan=dict(
        panel_size=3, out_of_region_share=Decimal("0.33"), deadline=now + datetime.timedelta(days=30),
        response_hours=720))
    created = 1
    expert = users["expert"]
    for bang in bang_list.bangs.order_by("number"):
        if not bang.applications.filter(state=ApplicationState.UNDER_REVIEW).exists():
            continue
        want = expert if expert.pk in {c["id"] for c in recusal.screen(
            bang, bang_list.review_plan, [bang.field_id])[0]} else None
        record = _draw(bang, staff, want=want)
        created += 1
        seats = [s for s in record.assignments.order_by("position") if s.expert_id != expert.pk]
        if want is not None:
            # 高专家's invitation is left pending; one colleague has submitted, another saved a draft.
            _accept_and_score(seats[0])
            _accept_and_score(seats[1], submit=False)
        else:
            # Two have submitted; the third declined, and the first of the reserve is invited.
            _accept_and_score(seats[0])
            _accept_and_score(seats[1])
            services.invitation_respond(assignment=seats[2], by=seats[2].expert, answer="decline",
                                        reason="评审期间在外出差，无法按时完成评审。")
    return created


# --- the rare-earth list: scoring closed, awards proposed --------------------------------------


def load_demo_rare_earth_review(*, users: dict) -> int:
    bang_list = BangList.objects.filter(title=RARE_EARTH).first()
    if bang_list is None or ReviewPlan.objects.filter(bang_list=bang_list).exists():
        return 0
    staff, hit, imun, recommender = users["staff_rare"], users["applicant"], users["imun"], users["recommender"]
    motor = bang_list.bangs.get(title="高推力密度永磁同步直线电机研制")
    pigment = bang_list.bangs.get(title="稀土环保颜料耐高温关键技术")
    if motor.max_teams < 2:  # a database loaded before the list's spec allowed two teams
        Bang.objects.filter(pk=motor.pk).update(max_teams=2)
        motor.refresh_from_db()
    created = 0
    if not Application.objects.filter(bang__bang_list=bang_list).exists():
        # The applications came in while the list was open (2023): open it for a moment to file them.
        original = {"opens_at": bang_list.opens_at, "deadline": bang_list.deadline}
        BangList.objects.filter(pk=bang_list.pk).update(deadline=timezone.now() + datetime.timedelta(hours=1))
        entries = [
            (motor, hit, "横向磁通+油冷散热", "寇宝泉", staff),
            (motor, imun, "Halbach阵列+模块化定子", "包伟", recommender),
            (pigment, hit, "溶胶-凝胶包覆", "寇宝泉", staff),
        ]
        filed = []
        for bang, applicant, route, chief, decider in entries:
            application = application_services.application_start(bang=bang, by=applicant)
            _fill(application, applicant, route=route, chief=chief)
            application_services.application_submit(application=application, by=applicant)
            application.refresh_from_db()
            application_services.application_recommend(application=application, by=decider,
                                                       note="材料齐全，符合揭榜条件。")
            filed.append(application)
            created += 1
        BangList.objects.filter(pk=bang_list.pk).update(**original)
        _backdate(filed, original["deadline"])
        bang_list.refresh_from_db()
    plan = services.review_open(bang_list=bang_list, by=staff, criteria=_rubric(), plan=dict(
        panel_size=5, out_of_region_share=Decimal("0.40"), deadline=timezone.now() + datetime.timedelta(days=10)))
    created += 1
    for bang in (motor, pigment):
        record = _draw(bang, staff)
        created += 1
        for seat in record.assignments.order_by("position"):
            _accept_and_score(seat)
    services.scoring_close(plan=plan, by=staff)
    enterprise = users["enterprise"]  # 包头长安永磁电机, the motor bang's issuer
    opinions = {
        hit.organisation_id: (True, "横向磁通方案推力密度潜力大，团队有直线电机工程化经验，愿意合作。"),
        imun.organisation_id: (True, "Halbach阵列方案推力波动小，与我公司现有产线兼容，愿意合作。"),
    }
    for application in motor.applications.filter(state=ApplicationState.UNDER_REVIEW):
        willing, reason = opinions[application.lead_id]
        services.enterprise_opinion_record(application=application, by=enterprise, willing=willing, reason=reason)
    for bang in (motor, pigment):
        ids = list(bang.applications.filter(state=ApplicationState.UNDER_REVIEW).values_list("pk", flat=True))
        services.award_propose(bang=bang, by=staff, application_ids=ids, override_reason=(
            "两条技术路线并行攻关，经厅党组会议一事一议同意超出补助上限。"), override_approver="内蒙古自治区科学技术厅党组")
        created += 1
    return created


def load_demo_reviews(*, users: dict, units: dict) -> int:
    users = dict(users)
    created = load_demo_experts(users=users, units=units)
    created += load_demo_ordos_review(users=users)
    created += load_demo_rare_earth_review(users=users)
    return created
