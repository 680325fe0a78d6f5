import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_credit_code

# Every example of shared/DOMAIN.md.
VALID = [
    "91110000600037341L",
    "121200004013590816",
    "911522010783710635",
    "91152201078371135X",
    "91310115MA1K3BTP2B",
    "91350100M000100Y43",
]
INVALID = ["91110000600037341N", "91350100M000100Y4Z"]


@pytest.mark.parametrize("code", VALID)
def test_credit_code_valid_examples_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", [c.lower() for c in VALID])
def test_credit_code_lower_case_is_accepted(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", INVALID)
def test_credit_code_invalid_examples_fail_on_check_character(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code in {"checksum", "alphabet"}


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("9111000060003734", "length"),
        ("91110000600037341LX", "length"),
        ("9111000060003734IL", "alphabet"),
        ("91AB0000600037341L", "region"),
    ],
)
def test_credit_code_malformed_codes_name_the_problem(code, error):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code == error


def test_credit_code_letters_in_first_positions_are_allowed():
    # stdnum rejects these; the standard allows them (e.g. N1 rural collectives, Y registrar).
    from accounts.validators import uscc_check_character

    for prefix in ("N1150207", "Y1150207", "A1150207"):
        first17 = prefix + "MA0000001"
        validate_credit_code(first17 + uscc_check_character(first17))
