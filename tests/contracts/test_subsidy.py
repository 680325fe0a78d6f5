"""The 到账 rule on hand-worked examples (contracts/subsidy.py)."""

from decimal import Decimal as D

from contracts.subsidy import refund_due, rule_due, tranche_room


def test_a_year_with_no_arrivals_the_year_before_allows_nothing():
    assert rule_due(year=2027, arrivals_by_year={2027: D("500")}, subsidy=D("300"), disbursed_total=D("0"),
                    disbursed_this_year=D("0")) == D("0.00")


def test_thirty_percent_of_last_years_arrivals():
    # 2026: 400 arrived → 2027 may disburse 120 of a 300 subsidy.
    assert rule_due(year=2027, arrivals_by_year={2026: D("400")}, subsidy=D("300"), disbursed_total=D("0"),
                    disbursed_this_year=D("0")) == D("120.00")
    # 50 already disbursed in 2027 → 70 more.
    assert rule_due(year=2027, arrivals_by_year={2026: D("400")}, subsidy=D("300"), disbursed_total=D("50"),
                    disbursed_this_year=D("50")) == D("70.00")


def test_arrivals_above_the_cap_are_held_to_what_remains_of_the_subsidy():
    # 2027: 1000 arrived → 30% is 300, but only 150 of the 300 subsidy remains.
    assert rule_due(year=2028, arrivals_by_year={2027: D("1000")}, subsidy=D("300"), disbursed_total=D("150"),
                    disbursed_this_year=D("0")) == D("150.00")


def test_a_case_by_case_award_follows_the_same_rule_on_its_own_amount():
    # 一事一议: a 1500 subsidy above the usual cap; 2026 arrivals of 2000 allow 600 in 2027.
    assert rule_due(year=2027, arrivals_by_year={2026: D("2000")}, subsidy=D("1500"), disbursed_total=D("0"),
                    disbursed_this_year=D("0")) == D("600.00")


def test_amounts_round_down_to_the_fen():
    assert rule_due(year=2027, arrivals_by_year={2026: D("33.33")}, subsidy=D("100"), disbursed_total=D("0"),
                    disbursed_this_year=D("0")) == D("9.99")


def test_tranches_count_only_when_their_condition_is_met():
    plan = [(D("120"), True), (D("120"), False), (D("60"), False)]
    assert tranche_room(tranches=plan, disbursed_total=D("0")) == D("120")
    assert tranche_room(tranches=plan, disbursed_total=D("120")) == D("0")
    assert tranche_room(tranches=[(D("120"), True), (D("120"), True)], disbursed_total=D("100")) == D("140")


def test_refund_is_what_was_disbursed_and_not_spent():
    assert refund_due(disbursed_total=D("120"), spent=D("80")) == D("40")
    assert refund_due(disbursed_total=D("120"), spent=D("200")) == D("0.00")
    assert refund_due(disbursed_total=D("120"), spent=None) == D("120")
