"""__str__ of every model of the workflow apps survives a blank draft: it is what lists, the admin,
the activity log and notification texts show."""

import pytest
from django.apps import apps

from applications.models import Application
from bangs.models import Bang, BangList
from demands.models import Demand

MODELS = [model for label in ("demands", "bangs", "applications") for model in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_str_of_a_blank_instance_is_a_non_empty_string(model):
    text = str(model())
    assert isinstance(text, str) and text.strip()


@pytest.mark.parametrize("model", [Demand, BangList, Bang, Application], ids=lambda m: m.__name__)
def test_unnamed_drafts_get_a_placeholder(model):
    assert str(model()) == "（未命名草稿）"


def test_named_objects_keep_their_name():
    assert str(Demand(name="高推力密度永磁同步直线电机研制")) == "高推力密度永磁同步直线电机研制"
    assert str(BangList(title="测试榜单")) == "测试榜单"
