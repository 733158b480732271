"""Matching scores and the notifications of new matches."""

from decimal import Decimal

import pytest
from celery import current_app
from django.core import mail

from ecommerce import services
from ecommerce.matching import listing_words, match_score
from ecommerce.services import credit as board_credit
from ecommerce.services import listing_matches_refresh
from ecommerce.models import Match, Notification
from ecommerce.tasks import listing_matches_refresh_task, notification_email_task
from ecommerce.tests.factories import post

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def pair(make_enterprise):
    buyer, seller = make_enterprise(), make_enterprise()
    demand = post(buyer, kind="demand", title="求购油烟机用交流电机", attributes=[["电压", "220V"]],
                  quantity=D("3000"), unit="个", price_min=D("100"), price_max=D("125"))
    supply = post(seller, title="供应油烟机交流电机", attributes=[["电压", "220V"], ["功率", "180W"]],
                  moq=D("500"), price_min=D("110"))
    return demand, supply


def test_score_parts_category_text_quantity_price_credit(pair):
    # given
    demand, supply = pair
    # when
    score = match_score(demand=demand, supply=supply, supplier_credit_verified=False)
    # then: the words that describe the goods, boilerplate (求购/供应) and single characters (用) left out
    assert listing_words(demand) == {"油烟", "烟机", "油烟机", "交流", "电机", "220v"}
    assert listing_words(supply) == {"油烟", "烟机", "油烟机", "交流", "电机", "220v", "180w"}
    assert (score.category, score.text, score.quantity, score.price, score.credit) == (
        D("0.30"), D("0.3231"), D("0.15"), D("0.10"), D("0"))  # text: 0.35 × Dice 12/13
    assert score.total == D("0.8731")
    assert match_score(demand=demand, supply=supply, supplier_credit_verified=True).total == D("0.9731")


def test_score_drops_when_below_moq_dearer_than_budget_or_in_another_category(pair, make_enterprise):
    # given
    demand, supply = pair
    supply.moq, supply.price_min = D("5000"), D("130")
    sibling = post(make_enterprise(), title="供应油烟机交流电机", category_code="appl-parts-control")
    # when
    strict = match_score(demand=demand, supply=supply, supplier_credit_verified=False)
    other_category = match_score(demand=demand, supply=sibling, supplier_credit_verified=False)
    demand.quantity, demand.price_max = None, None
    unknown = match_score(demand=demand, supply=supply, supplier_credit_verified=False)
    # then
    assert (strict.quantity, strict.price) == (D("0"), D("0"))
    assert other_category.category == D("0.15")  # same parent category (家电配件)
    assert (unknown.quantity, unknown.price) == (D("0.075"), D("0.05"))


def test_new_match_above_the_threshold_is_stored_and_sent_to_both_posters_once(pair, make_enterprise):
    # given
    demand, supply = pair
    post(make_enterprise(), title="冰箱压缩机", category_code="appl-cooling-fridge")  # unrelated
    # when
    stored = listing_matches_refresh(listing=supply)
    again = listing_matches_refresh(listing=supply)
    # then
    assert [(m.demand_id, m.supply_id, m.score) for m in stored] == [(demand.pk, supply.pk, D("0.8731"))]
    assert [m.pk for m in again] == [stored[0].pk] and Match.objects.count() == 1
    assert Match.objects.get().notified_at is not None
    to_supplier = Notification.objects.get(user=supply.created_by, kind="match")
    to_buyer = Notification.objects.get(user=demand.created_by, kind="match")
    assert "1" in to_supplier.title and "求购油烟机用交流电机" in to_supplier.body
    assert to_buyer.url == f"/boards/l/{demand.pk}/#matches" and "87%" in to_buyer.body
    # the email (sent by the Celery task, run here in the test process)
    notification_email_task(to_buyer.pk)
    assert [m.to for m in mail.outbox] == [[demand.created_by.email]]


def test_weak_matches_are_kept_but_not_sent(pair, settings):
    # given
    demand, supply = pair
    settings.BOARDS_MATCH_NOTIFY_THRESHOLD = 0.95
    # when
    listing_matches_refresh_task(demand.pk)
    # then
    assert Match.objects.get().notified_at is None
    assert not Notification.objects.filter(kind="match").exists()
    # the supplier's credit gets verified: the pair now passes the threshold
    services.enterprise_card_credit_set(enterprise=supply.enterprise, verified=True)
    listing_matches_refresh(listing=demand)
    assert Match.objects.get().score == D("0.9731")
    assert Notification.objects.filter(kind="match").count() == 2


def test_own_enterprise_and_other_boards_are_never_matched(make_enterprise):
    # given
    e = make_enterprise()
    demand = post(e, kind="demand", title="求购交流电机")
    post(e, title="交流电机")  # same enterprise
    post(make_enterprise(), title="交流电机轴承", category_code="brg-rolling-deepgroove")  # another board
    # when / then
    assert listing_matches_refresh(listing=demand) == []


@pytest.fixture
def tasks_run_here():
    """Celery runs a queued task in this process (as a worker would), so what is queued after the commit
    happens within the test."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def test_a_credit_change_rescores_the_stored_matches_of_the_suppliers_listings_quietly(
        pair, tasks_run_here, django_capture_on_commit_callbacks):
    # given: a stored match (supplier unverified), not yet sent
    demand, supply = pair
    listing_matches_refresh(listing=demand, notify=False)
    assert Match.objects.get().score == D("0.8731")
    # when: the supplier's credit gets verified (the task is queued after the commit)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.enterprise_card_credit_set(enterprise=supply.enterprise, verified=True, level="A")
    # then: the pair's score has the credit part, and nobody was told
    match = Match.objects.get()
    assert (len(queued), match.score, match.details["credit"], match.notified_at) == (1, D("0.9731"), "0.10", None)
    assert not Notification.objects.filter(kind="match").exists()
    # when: the level alone changes, nothing is queued; when the flag is taken away, the part goes again
    with django_capture_on_commit_callbacks(execute=True) as unchanged:
        services.enterprise_card_credit_set(enterprise=supply.enterprise, verified=True, level="B")
    with django_capture_on_commit_callbacks(execute=True) as revoked:
        services.enterprise_card_credit_set(enterprise=supply.enterprise, verified=False)
    # then
    assert (len(unchanged), len(revoked), Match.objects.get().score) == (0, 1, D("0.8731"))


def test_a_credit_change_requeues_only_the_newest_visible_supply_listings(pair, make_enterprise, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    # given: the supplier has three visible supply listings, a demand and a closed supply; the buyer a demand
    demand, supply = pair
    seller = supply.enterprise
    newer = post(seller, title="供应洗衣机电机")
    newest = post(seller, title="供应空调电机")
    post(seller, kind="demand", title="求购铜线")
    services.listing_close(listing=post(seller, title="供应旧电机"), user=supply.created_by)
    monkeypatch.setattr(board_credit, "CREDIT_REMATCH_LIMIT", 2)
    # when: the callbacks are captured, not run (they would queue on the broker)
    with django_capture_on_commit_callbacks() as seller_queued:
        queued_ids = board_credit._credit_matches_refresh_queue(enterprise_id=seller.pk)
    with django_capture_on_commit_callbacks() as buyer_queued:
        services.enterprise_card_credit_set(enterprise=demand.enterprise, verified=True)
    # then: the newest two supply listings of the seller; nothing for the buyer (its demand's score has no
    # part of its own credit)
    assert (queued_ids, len(seller_queued)) == ([newest.pk, newer.pk], 2)
    assert buyer_queued == []


def test_the_matching_task_notifies_unless_told_not_to(pair):
    # given
    demand, supply = pair
    # when
    quiet = listing_matches_refresh_task(supply.pk, notify=False)
    # then
    assert (quiet, Match.objects.get().notified_at) == (1, None)
    assert not Notification.objects.filter(kind="match").exists()
    # when: the default (a new or renewed listing)
    assert listing_matches_refresh_task(demand.pk) == 1
    # then
    assert Match.objects.get().notified_at is not None
    assert Notification.objects.filter(kind="match").count() == 2
