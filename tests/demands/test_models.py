"""The demand model's derived values."""

import datetime

import pytest

from ..factories import DemandFactory


@pytest.mark.django_db
def test_demand_number_takes_the_year_in_beijing_time():
    demand = DemandFactory()
    demand.created_at = datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.UTC)  # 2027-01-01 01:00 in Beijing
    assert demand.number.startswith("XQ2027")
