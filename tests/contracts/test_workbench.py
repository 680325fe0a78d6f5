"""The task-book blocks of the workbench: staff see their lists awaiting signatures, the lead unit
its drafts to fill in and the task books to seal, the issuing enterprise those it must seal; each
block in a fixed number of queries."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from contracts.enums import PartyKind
from contracts.workbench import my_task_books_block, signing_lists_block
from core.workbench import blocks_for_user

from ..core.test_workbench import fresh
from ..factories import UserFactory
from .helpers import drafted, finalised, lead_user
from .test_ceremony import confirmed_list, sign

pytestmark = pytest.mark.django_db


def keys(user) -> list[str]:
    return [block.key for block in blocks_for_user(fresh(user))]


def issuer_user(task_book):
    issuer = task_book.award.decision.bang.issuers.get()
    return UserFactory(organisation=issuer, roles=[Role.ENTERPRISE])


def test_staff_see_the_lists_awaiting_signatures(organiser_staff, other_organiser_staff):
    task_book = finalised(organiser_staff)
    block = signing_lists_block(fresh(organiser_staff))
    assert block.total == 1
    [item] = block.items
    assert item.url == reverse("contracts:ceremony", args=[task_book.award.decision.bang.bang_list_id])
    assert item.note == "待签署1份，起草中0份"
    assert signing_lists_block(fresh(other_organiser_staff)).items == []
    assert signing_lists_block(fresh(lead_user(task_book))) is None


def test_the_lead_unit_sees_its_draft_then_what_it_must_sign(organiser_staff):
    task_book = drafted(organiser_staff)
    lead = lead_user(task_book)
    block = my_task_books_block(fresh(lead))
    assert block.total == 1 and block.items[0].url == reverse("contracts:detail", args=[task_book.pk])
    assert block.items[0].note == "请核对填写任务书"
    # The issuing enterprise has nothing to do while the lead drafts.
    enterprise = issuer_user(task_book)
    assert my_task_books_block(fresh(enterprise)) is None
    assert "my_task_books" not in keys(enterprise)


def test_each_unit_sees_the_task_book_until_it_has_signed(organiser_staff):
    task_book = finalised(organiser_staff)
    lead, enterprise = lead_user(task_book), issuer_user(task_book)
    for user in (lead, enterprise):
        block = my_task_books_block(fresh(user))
        assert block.total == 1 and block.items[0].note == "请下载任务书，盖章后上传扫描件"
    sign(task_book.parties.get(kind=PartyKind.LEAD), lead)
    assert my_task_books_block(fresh(lead)) is None
    assert my_task_books_block(fresh(enterprise)).total == 1
    assert "my_task_books" in keys(enterprise)
    # Staff have their own block, not this one.
    assert my_task_books_block(fresh(organiser_staff)) is None


@pytest.mark.parametrize("block_fn, queries", [(signing_lists_block, 1), (my_task_books_block, 2)])
def test_blocks_run_a_fixed_number_of_queries(organiser_staff, django_assert_num_queries, block_fn, queries):
    _small, small_books = confirmed_list(organiser_staff, 1)
    _big, books = confirmed_list(organiser_staff, 3)
    users = [organiser_staff] if block_fn is signing_lists_block else [lead_user(small_books[0]), issuer_user(books[0])]
    for user in users:
        user = fresh(user)
        with django_assert_num_queries(queries):
            block = block_fn(user)
        assert block is not None and block.items
