import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import Role
from applications import services
from applications.enums import CostCategory

from ..factories import OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_applicant(**kwargs):
    org = kwargs.pop("organisation", None) or OrganisationFactory(kind="university")
    return UserFactory(organisation=org, roles=[Role.APPLICANT], **kwargs)


def fill(application, by, *, partners=(), subsidy="200", lead_months=8):
    """Complete every section of a draft, upload every required attachment."""
    data = dict(
        route_label="改良西门子法", route_description="技术路线说明", chief_name="寇宝泉", chief_title="教授",
        chief_unit="哈尔滨工业大学", lead_name="张三", lead_title="研究员", lead_unit="哈尔滨工业大学",
        lead_phone="13800000000", lead_email="pi@example.com", lead_months=lead_months, objectives="目标",
        route_innovation="创新点", basis="基础", team="团队", ip_arrangements="知识产权", risks="风险",
    )
    budget = {c.value: {"subsidy": Decimal("0"), "enterprise": Decimal("0"), "self_raised": Decimal("0"),
                        "other": Decimal("0")} for c in CostCategory}
    budget["equipment"]["subsidy"] = Decimal(subsidy)
    budget["equipment"]["enterprise"] = Decimal("300")
    services.application_save_draft(
        application=application, data=data,
        partners=[dict(credit_code=p.credit_code, role="联合攻关", work_share=Decimal("20")) for p in partners],
        milestones=[dict(due_date=datetime.date(2027, 6, 30), deliverable="样机", indicator="推力密度≥1.2")],
        budget=budget, by=by,
    )
    for item in services.required_checklist(application):
        services.application_attachment_add(
            application=application, item_id=item.pk, upload=SimpleUploadedFile(f"{item.kind}.pdf", PDF), by=by
        )
    application.refresh_from_db()
    return application
