"""The fifth board, 物流运力 (freight capacity): its seed, RFQs and quotations on it, and the "quotation
accepted" hooks that the domains above the boards register (logistics.freight fills a shipment from them)."""

import importlib
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import current_app
from django.apps import apps
from django.utils import timezone

from ecommerce import hooks, services
from ecommerce.board_data import FREIGHT_BOARD, boards_write
from ecommerce.models import Board, Category
from ecommerce.tests.factories import owner_of, post

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def tasks_run_here():
    """Celery runs what an acceptance queues (notification mails) in this process."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def _freight_tree():
    board = Board.objects.get(code=FREIGHT_BOARD)
    return board, list(Category.objects.filter(board=board).order_by("sort_order")
                       .values_list("code", "name", "industry_codes", "parent_id"))


def test_the_freight_board_is_seeded_with_its_categories_and_industry_classes_idempotently():
    # given the seeded boards
    board, tree = _freight_tree()
    # then: the fifth board, road freight (543x) and express (6020)
    assert (board.name, board.name_en, board.industry_prefixes, board.sort_order) == (
        "物流运力", "Freight capacity", ["543", "602"], 4)
    assert tree == [("frt-ftl", "整车", ["5431", "5433", "5434"], None), ("frt-ltl", "零担", ["5431", "5439"], None),
                    ("frt-express", "快递", ["6020"], None), ("frt-cold", "冷链", ["5432"], None),
                    ("frt-city", "同城配送", ["5437"], None)]
    before = (Board.objects.count(), Category.objects.count())
    # when the data migration and the seeding run again
    migration = importlib.import_module("ecommerce.migrations.0005_seed_freight_board")
    migration.seed(apps, None)
    boards_write(Board, Category)
    # then nothing is added or changed
    assert (Board.objects.count(), Category.objects.count()) == before
    assert _freight_tree() == (board, tree)


def test_an_rfq_on_the_freight_board_is_quoted_and_accepted_and_the_hooks_run_after_the_commit(
        make_enterprise, tasks_run_here, django_capture_on_commit_callbacks, caplog):
    # given a freight RFQ and a logistics company's quotation for the whole load
    shipper, carrier = make_enterprise(), make_enterprise(name="宁波市顺达物流有限公司")
    rfq = post(shipper, kind="demand", category_code="frt-ltl", title="宁波市 → 上海市 32.5 kg", is_rfq=True,
               quantity=D("1"), unit="票")
    assert (rfq.board.code, rfq.rfq_open) == ("freight", True)
    quotation = services.quotation_submit(listing=rfq, enterprise=carrier, user=owner_of(carrier), unit_price="850",
                                          quantity="1", lead_time_days=2,
                                          valid_until=timezone.localdate() + timedelta(days=3))
    assert quotation.total == D("850.00")
    seen = []

    def recorder(*, quotation_id):
        seen.append(quotation_id)

    def broken(*, quotation_id):
        raise RuntimeError("the shipment is gone")

    hooks.quotation_accepted_register(broken)
    hooks.quotation_accepted_register(recorder)
    hooks.quotation_accepted_register(recorder)  # once only
    caplog.set_level(logging.ERROR, logger="ecommerce.hooks")
    try:
        # when the buyer accepts: the hooks wait for the commit
        with django_capture_on_commit_callbacks() as callbacks:
            services.quotation_accept(quotation=quotation, user=owner_of(shipper))
        assert seen == []
        for callback in callbacks:
            callback()
    finally:
        hooks.quotation_accepted_unregister(broken)
        hooks.quotation_accepted_unregister(recorder)
    # then each hook ran once; the broken one was logged and did not stop the other nor undo the acceptance
    quotation.refresh_from_db()
    rfq.refresh_from_db()
    assert (seen, quotation.status, rfq.closed_reason) == ([quotation.pk], "accepted", "accepted")
    assert "quotation-accepted hook" in caplog.text and "the shipment is gone" in caplog.text
