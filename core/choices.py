from django.db import models


def choice_display(field_name: str, choices: type[models.Choices]):
    """A `get_<field>_display()` for a field whose choices are `choices`: one lookup and one
    translation for the row's value. Django's own rebuilds the whole choices dict, translating
    every label, on each call, which a list of 50 rows notices. Assign it in the model's class
    body (`get_state_display = choice_display("state", State)`); Django keeps a method defined there.
    An unknown value is shown as stored, as Django does."""

    def display(self):
        value = getattr(self, field_name)
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    display.__name__ = f"get_{field_name}_display"
    return display
