import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, Region, RoleGrant, User
from accounts.validators import uscc_check_character
from demands.models import CollectionRound, Demand, TechField


def credit_code(n: int, region: str = "150207") -> str:
    first17 = f"91{region}MA{n:07d}"
    return first17 + uscc_check_character(first17)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    # Far from the small numbers tests pick by hand (credit_code(902), (999), (4242)), which the
    # sequence reached in a worker that had made enough units before them.
    credit_code = factory.Sequence(lambda n: credit_code(n + 1_000_000))
    kind = OrganisationKind.ENTERPRISE
    region = factory.LazyFunction(lambda: Region.objects.get(code="150207"))
    address = "包头市九原区"
    postcode = "014060"
    legal_rep = "张三"
    legal_rep_phone = "0472-5100000"
    economic_nature = "private"
    staff_size = 100
    last_year_output = Decimal("1000.00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    mobile = "13800000000"
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            RoleGrant.objects.create(user=self, role=role)
        self.save()


def make_enterprise_user(**kwargs) -> User:
    org = kwargs.pop("organisation", None) or OrganisationFactory()
    user = UserFactory(organisation=org, roles=[Role.ENTERPRISE], **kwargs)
    if org.first_user_id is None:
        org.first_user = user
        org.save(update_fields=["first_user"])
    return user


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionRound
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"2026年第{n}批需求征集")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_on = None

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        self.fields.set(extracted if extracted is not None else TechField.objects.all())


def complete_demand_data(**overrides) -> dict:
    data = dict(
        field=TechField.objects.get(name="能源资源"),
        contact_name="李四", contact_title="总工程师", contact_mobile="13900000000",
        contact_email="lisi@example.com", name="高推力密度永磁同步直线电机研制",
        cooperation_mode="commissioned", background="背景" * 10, content="内容" * 10, basis="基础",
        solver_requirements="要求", ip_terms="双方共有", field_test="现场实测", period_months=36,
        total_investment=Decimal("800.00"),
    )
    data.update(overrides)
    return data


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(lambda d: make_enterprise_user(organisation=d.organisation))
    field = factory.LazyFunction(lambda: TechField.objects.get(name="能源资源"))
    contact_name = "李四"
    contact_title = "总工程师"
    contact_mobile = "13900000000"
    contact_email = "lisi@example.com"
    name = factory.Sequence(lambda n: f"高推力密度永磁同步直线电机研制{n}")
    cooperation_mode = "commissioned"
    background = "背景介绍"
    content = "需求内容"
    basis = "现有基础"
    solver_requirements = "对揭榜方要求"
    ip_terms = "双方共有"
    field_test = "现场实测"
    period_months = 36
    total_investment = Decimal("800.00")


# --- bangs -----------------------------------------------------------------------------------


def make_staff(organisation=None, **kwargs):
    from accounts.enums import Role

    org = organisation or OrganisationFactory(kind="government")
    return UserFactory(organisation=org, roles=[Role.STAFF], **kwargs)


def make_bang_list(*, by, bangs=1, publish=True, deadline_days=10, indicators=1, **spec):
    """A list of the organiser of `by`, with `bangs` complete bangs, published unless told otherwise."""
    from bangs import services as bang_services

    data = dict(
        title=spec.pop("title", "测试榜单"),
        opens_at=timezone.now() - datetime.timedelta(days=1),
        deadline=timezone.now() + datetime.timedelta(days=deadline_days),
        **spec,
    )
    invited = data.pop("invited", [])
    bang_list = bang_services.bang_list_create(data=data, invited=invited, by=by)
    for i in range(bangs):
        issuer = OrganisationFactory()
        bang_services.bang_save(
            bang_list=bang_list, bang=None,
            data=dict(
                title=f"高推力密度永磁同步直线电机研制{i}" if i == 0 else f"技术榜{i}",
                kind="tackling", field=TechField.objects.get(name="能源资源"), total_investment=Decimal("800"),
                contact_name="高乐乐", contact_department="稀土技术创新中心", contact_phone="13347199639",
            ),
            demands=[], issuers=[issuer],
            indicators=[dict(name=f"指标{j}", target="≥1", unit="", test_method="") for j in range(indicators)],
            by=by,
        )
    if publish:
        bang_services.bang_list_publish(bang_list=bang_list, by=by)
    bang_list.refresh_from_db()
    return bang_list
