"""Demo applications on the open 鄂尔多斯 list, in several states: an out-of-region lead, and the
racehorse bang (N型高纯硅料, two teams) with two technical routes. Idempotent."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Region
from bangs.models import Bang

from . import services
from .enums import CostCategory
from .models import Application, RecommenderRoute

# A minimal, valid PDF: attachments are checked by content.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _fill(application, by, *, route, chief, partners=(), subsidy="60"):
    budget = {c.value: {} for c in CostCategory}
    budget["equipment"] = {"subsidy": Decimal(subsidy), "enterprise": Decimal("80"), "self_raised": Decimal("20")}
    budget["materials"] = {"enterprise": Decimal("40"), "self_raised": Decimal("10")}
    budget["labour"] = {"self_raised": Decimal("15")}
    services.application_save_draft(
        application=application, by=by,
        data=dict(
            route_label=route, route_description=f"采用{route}路线开展攻关，分阶段完成小试、中试与示范。",
            chief_name=chief, chief_title="教授", chief_unit=by.organisation.name, lead_name=by.full_name,
            lead_title="研究员", lead_unit=by.organisation.name, lead_phone=by.mobile, lead_email=by.email,
            lead_months=8, objectives="完成榜单全部考核指标，并在发榜企业实现应用。",
            route_innovation=f"{route}的关键工艺优化与装备集成。", basis="团队在该方向已有十年研究积累。",
            team="首席科学家牵头，骨干12人。", ip_arrangements="按榜单约定执行。", risks="中试放大风险，采用分段验证控制。",
        ),
        partners=[dict(credit_code=p.credit_code, role="联合攻关", work_share=Decimal("30")) for p in partners],
        milestones=[
            dict(due_date=datetime.date(2027, 12, 31), deliverable="完成小试", indicator="关键指标达到目标值的80%"),
            dict(due_date=datetime.date(2028, 12, 31), deliverable="完成中试与示范", indicator="全部指标达标"),
        ],
        budget=budget,
    )
    for item in services.required_checklist(application):
        services.application_attachment_add(
            application=application, item_id=item.pk, by=by,
            upload=SimpleUploadedFile(f"{item.title}.pdf", DEMO_PDF, content_type="application/pdf"),
        )


def load_demo_applications(*, users: dict, units: dict) -> int:
    RecommenderRoute.objects.get_or_create(region=Region.objects.get(code="150500"),
                                           defaults={"recommender": units["tongliao"]})
    bangs = {b.title: b for b in Bang.objects.filter(bang_list__title="鄂尔多斯市“揭榜挂帅”科技项目榜单")}
    if not bangs or Application.objects.filter(bang__in=bangs.values()).exists():
        return 0
    hit, imun, recommender = users["applicant"], users["imun"], users["recommender"]
    silicon = bangs["N型高纯硅料研发与应用"]

    # Racehorse bang, route 1: out-of-region lead with a partner; submitted (goes to the organiser).
    a = services.application_start(bang=silicon, by=hit)
    _fill(a, hit, route="改良西门子法", chief="寇宝泉", partners=[units["imu"]])
    services.application_submit(application=a, by=hit)

    # Racehorse bang, route 2: in-region lead (通辽), returned for correction by its recommender.
    b = services.application_start(bang=silicon, by=imun)
    _fill(b, imun, route="冶金法提纯", chief="包伟")
    services.application_submit(application=b, by=imun)
    services.application_return(application=b, by=recommender, reason="请补充近两年承担同类项目的证明材料。")

    # Another bang: recommended (eligible).
    c = services.application_start(bang=bangs["沿黄河流域农田污染防治与资源高效利用关键技术研究与示范"], by=imun)
    _fill(c, imun, route="生态沟渠+精准施肥", chief="包伟")
    services.application_submit(application=c, by=imun)
    services.application_recommend(application=c, by=recommender, note="材料齐全，符合揭榜条件。")

    # A draft not yet submitted.
    d = services.application_start(bang=bangs["硅合金矿热炉炉前作业机器人开发"], by=hit)
    services.application_save_draft(application=d, data={"route_label": "视觉引导机械臂"}, by=hit)
    return 4
