from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangs import services
from bangs.models import subsidy_cap

from ..factories import make_bang_list


@pytest.mark.parametrize(
    ("kind", "total", "cap"),
    [
        # 技术攻关类: 30% up to 1000万
        ("tackling", "1000", "300.00"),  # well below the cap: 30%
        ("tackling", "3333.33", "999.99"),  # just below the cap
        ("tackling", "3333.34", "1000.00"),  # 30% would be 1000.002: the cap
        ("tackling", "5000", "1000.00"),  # above: the cap
        # 成果转化类: 30% up to 500万
        ("transfer", "1000", "300.00"),
        ("transfer", "1666.66", "499.99"),
        ("transfer", "1666.67", "500.00"),
        ("transfer", "3000", "500.00"),
        ("tackling", "0", "0.00"),
    ],
)
def test_subsidy_cap_by_rule(kind, total, cap):
    assert subsidy_cap(kind, Decimal(total)) == Decimal(cap)


@pytest.mark.django_db
def test_override_needs_reason_and_approver(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    bang = bang_list.bangs.get()
    data = dict(title=bang.title, kind="tackling", field=bang.field, total_investment=Decimal("5000"),
                subsidy_override=Decimal("1500"), contact_name="a", contact_phone="13800000000")
    with pytest.raises(ValidationError):
        services.bang_save(bang_list=bang_list, bang=bang, data=data, demands=[], issuers=bang.issuers.all(),
                           indicators=[dict(name="x", target="1")], by=organiser_staff)
    data.update(override_reason="特别重大项目，一事一议", override_approver="厅长办公会")
    bang = services.bang_save(bang_list=bang_list, bang=bang, data=data, demands=[], issuers=bang.issuers.all(),
                              indicators=[dict(name="x", target="1")], by=organiser_staff)
    assert bang.rule_cap == Decimal("1000")
    assert bang.subsidy_cap == Decimal("1500")


@pytest.mark.django_db
def test_bang_page_shows_the_computed_cap(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    page = client.get(f"/bangs/{bang.pk}/").content.decode()
    assert 'data-testid="subsidy-cap">240<' in page  # 30% of 800
