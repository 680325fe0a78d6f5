from django import forms
from django.forms import formset_factory

from core.forms import formset_rows


class Row(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)


RowSet = formset_factory(Row, extra=2, can_delete=True)


def _post(rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "2", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_untouched_initial_rows_are_kept_and_blank_or_deleted_rows_dropped():
    initial = [{"name": "甲"}, {"name": "乙"}]
    formset = RowSet(_post([{"name": "甲"}, {"name": "乙", "DELETE": "on"}, {"name": "丙"}, {}]), initial=initial)
    assert formset.is_valid()
    assert [r["name"] for r in formset_rows(formset)] == ["甲", "丙"]
