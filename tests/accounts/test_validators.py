

def test_full_width_digits_are_not_a_mobile_number():
    import pytest
    from django.core.exceptions import ValidationError

    from accounts.validators import validate_mobile, validate_phone

    for value in ("1391234567８", "１３９１２３４５６７８"):
        with pytest.raises(ValidationError):
            validate_mobile(value)
        with pytest.raises(ValidationError):
            validate_phone(value)
