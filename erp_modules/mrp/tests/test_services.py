"""MRP runs against the database: inputs read from each area's tables, results written, runs that
never overlap, a failed run that keeps the previous results, comparison and conversion."""

import time
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.jobs import LockKey
from core.testing import codes
from erp_modules.catalog.models import BomLine, Item
from erp_modules.inventory.services import reservation_create
from erp_modules.mrp import engine, selectors, services
from erp_modules.mrp.models import MasterScheduleEntry, MrpException, MrpItemPlan, MrpRun, PlannedOrder
from erp_modules.mrp.tests.factories import (approved_po, confirmed_order, hood_family, make_bom, make_customer,
                                             make_item, make_supplier, receive, week)
from erp_modules.production.models import WorkOrder
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.workspace.testing import main_location


def run_now(**kwargs) -> MrpRun:
    """What the worker does with a requested run, in this process."""
    run = services.mrp_run_request(**kwargs)
    return services.mrp_run_execute(run_id=run.pk)


def plan_of(run: MrpRun, item: Item) -> list[tuple]:
    return [(o.quantity, o.release_date, o.due_date) for o in
            PlannedOrder.objects.filter(run=run, item=item).order_by("due_date")]


def test_a_run_plans_from_sales_orders_schedule_stock_and_open_purchase_orders(erp):
    """Week buckets (which group quantities and never move dates). FG: SO-00001 5 on Wednesday of
    week 2, master schedule 8 in week 4 (its Monday).
        FG 5 due Wednesday of week 2 (released 2 days earlier: Monday), 8 due Monday of week 4
            (released Saturday of week 3).
        SA: 2 × 5 = 10 needed Monday of week 2, 2 × 8 = 16 on Saturday of week 3; 4 in stock
            → 6 due Monday of week 2, 16 due Saturday of week 3 (released 3 days earlier).
        RM: 3 × 6 = 18 needed Friday of week 1, 3 × 16 = 48 on Wednesday of week 3; PO 10 arrives
            Monday of week 1 → 8 due Friday of week 1, 48 due Wednesday of week 3, released 7 days
            earlier (the price list's lead time)."""
    fg, sa, rm, supplier = hood_family()
    confirmed_order(make_customer(), [(fg, 5)], delivery=week(2) + timedelta(days=2))
    MasterScheduleEntry.objects.create(item=fg, week_start=week(4), quantity=Decimal(8))
    approved_po(supplier, rm, 10, expected=week(1))

    run = run_now(bucket="week")

    assert run.status == "done" and run.progress == 100 and run.error == ""
    d = timedelta
    assert plan_of(run, fg) == [(5, week(2), week(2) + d(2)), (8, week(4) - d(2), week(4))]
    assert plan_of(run, sa) == [(6, week(2) - d(3), week(2)), (16, week(4) - d(5), week(4) - d(2))]
    assert plan_of(run, rm) == [(8, week(0) + d(4), week(1) + d(4)), (48, week(2) + d(2), week(3) + d(2))]
    first = PlannedOrder.objects.filter(run=run, item=rm).order_by("due_date").first()
    assert first.order_type == "buy" and first.supplier == supplier and first.lead_time_days == 7
    assert first.is_late == (week(0) + d(4) < timezone.localdate())
    assert first.reason_zh == "需求 SO-00001 第 1 行 经 FG-900 → SA-FAN, 缺 8 个, 提前期 7 天"
    assert first.reason_en == "Demand SO-00001 line 1 via FG-900 → SA-FAN, short 8 piece, lead time 7 days"
    sa_first = PlannedOrder.objects.filter(run=run, item=sa).order_by("due_date").first()
    assert first.pegging == [{"k": "order", "key": sa_first.key, "qty": 8}]
    fg_orders = PlannedOrder.objects.filter(run=run, item=fg).order_by("due_date")
    assert fg_orders[0].order_type == "make" and fg_orders[0].bom.item == fg
    assert fg_orders[1].reason_en.startswith(f"Master schedule {week(4).isocalendar()[0]}-W"
                                             f"{week(4).isocalendar()[1]:02d}, short 8 piece")
    assert run.planned_count == 6
    assert MrpItemPlan.objects.get(run=run, item=sa).series["projected"][:4] == [4.0, 4.0, 0.0, 0.0]
    assert run.bucket_starts[0] == timezone.localdate().isoformat()
    # the pegging tree of the first RM order reaches the sales order through SA and FG
    tree, tops = selectors.pegging_tree(order=first)
    assert [n.label for n in tree] == ["SA-FAN 风机组件"]
    assert [n.label for n in tree[0].children] == ["FG-900 油烟机 900"]
    assert tops == [{"kind": "so", "label": "SO-00001 / 1", "quantity": 8.0,
                     "date": (week(2) + d(2)).isoformat()}]


def test_day_and_week_runs_give_a_four_level_chain_the_same_dates(erp):
    """Issue 11 through the real run (inputs read from the tenant's tables, results written):
    FG (2 days) = 2 SA (3 days) = 3 CP each (4 days) = 2 RM each (5 days); 5 FG ordered for
    delivery in 20 days. Both bucket sizes plan FG 5 due day 20, SA 10 due 18, CP 30 due 15,
    RM 60 due 11 (released day 6): nothing late, nothing moved to a Monday."""
    fg = make_item("FG-4L", item_type=Item.Type.FINISHED, lead_time_days=2)
    sa = make_item("SA-4L", item_type=Item.Type.SUBASSEMBLY, lead_time_days=3)
    cp = make_item("CP-4L", item_type=Item.Type.COMPONENT, lead_time_days=4)
    rm = make_item("RM-4L", item_type=Item.Type.RAW, lead_time_days=5)
    make_bom(fg, [(sa, 2)])
    make_bom(sa, [(cp, 3)])
    make_bom(cp, [(rm, 2)])
    today = timezone.localdate()
    confirmed_order(make_customer(), [(fg, 5)], delivery=today + timedelta(days=20))
    day = lambda n: today + timedelta(days=n)  # noqa: E731
    expected = {fg: [(5, day(18), day(20))], sa: [(10, day(15), day(18))], cp: [(30, day(11), day(15))],
                rm: [(60, day(6), day(11))]}

    for bucket in ("day", "week"):
        run = run_now(bucket=bucket)

        assert run.status == "done" and run.bucket == bucket
        assert {item: plan_of(run, item) for item in expected} == expected, bucket
        assert not PlannedOrder.objects.filter(run=run, is_late=True).exists(), bucket
        assert not MrpException.objects.filter(run=run, kind="late").exists(), bucket


def test_a_failed_run_leaves_the_previous_results_in_place(erp, monkeypatch):
    fg, *_ = hood_family()
    MasterScheduleEntry.objects.create(item=fg, week_start=week(2), quantity=Decimal(3))
    first = run_now()
    assert first.status == "done" and first.planned_count == 3

    def crash(*args, **kwargs):  # a crash inside the computation (out of memory, a bug …)
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(engine, "mrp_compute", crash)
    second = run_now()

    assert second.status == "failed" and "RuntimeError" in second.error and "simulated crash" not in second.error
    assert selectors.run_latest_done() == first
    assert PlannedOrder.objects.filter(run=first).count() == 3
    assert PlannedOrder.objects.filter(run=second).count() == 0
    assert selectors.run_latest_failed_after(run=first) == second
    # and the next run works again
    monkeypatch.undo()
    assert run_now().status == "done"


def test_a_crash_while_writing_rolls_back_everything_of_that_run(erp, monkeypatch):
    fg, *_ = hood_family()
    MasterScheduleEntry.objects.create(item=fg, week_start=week(2), quantity=Decimal(3))
    real_copy = services._copy

    def copy_then_fail(model, columns):
        real_copy(model, columns)
        if model is MrpException:
            raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_copy", copy_then_fail)
    run = run_now()
    assert run.status == "failed" and PlannedOrder.objects.filter(run=run).count() == 0
    assert selectors.run_latest_done() is None


def test_two_runs_of_an_enterprise_cannot_overlap(erp):
    queued = services.mrp_run_request()
    with pytest.raises(ValidationError) as exc:
        services.mrp_run_request()
    assert codes(exc.value) == ["run_in_progress"]
    # the database refuses a second active row whatever the code does (unique partial index)
    with pytest.raises(IntegrityError), transaction.atomic():
        MrpRun.objects.create(status=MrpRun.Status.RUNNING)
    assert MrpRun.objects.filter(status__in=MrpRun.ACTIVE_STATUSES).get() == queued


def _other_session():
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True)


def test_a_run_being_computed_blocks_the_next_and_a_dead_worker_does_not(erp):
    """A worker holds the enterprise's advisory lock while it computes: while it does, a running
    run blocks new requests and another worker leaves it alone; once the lock is gone (the
    worker's connection died), the stale row is marked failed and a new run may start."""
    run = services.mrp_run_request()
    MrpRun.objects.filter(pk=run.pk).update(status=MrpRun.Status.RUNNING)
    worker = _other_session()
    try:
        worker.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [int(LockKey.MRP_RUN), connection.schema_name])
        with pytest.raises(ValidationError) as exc:
            services.mrp_run_request()
        assert codes(exc.value) == ["run_in_progress"]
        assert services.mrp_run_execute(run_id=run.pk).status == "running"  # not computed twice
    finally:
        worker.close()  # the worker dies: PostgreSQL releases its lock (when the backend has exited)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
                           [int(LockKey.MRP_RUN)])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)
    again = services.mrp_run_request()
    run.refresh_from_db()
    assert run.status == "failed" and run.error == gettext("The background worker stopped before finishing this run.")
    assert again.status == "queued"


def test_an_invalid_bucket_is_refused(erp):
    with pytest.raises(ValidationError) as exc:
        services.mrp_run_request(bucket="month")
    assert exc.value.error_dict["bucket"][0].code == "invalid_bucket"


def test_the_comparison_lists_added_removed_and_changed_orders(erp):
    """Run 1: FG 5 in week 2, 8 in week 3. Run 2: 8 → 12 in week 3, the 5 moved to week 5, and a
    new 4 in week 6 → FG: quantity changed (week 3), date changed (week 2 → 5), added (week 6)."""
    fg = make_item("FG-CMP", item_type=Item.Type.FINISHED, lead_time_days=1)
    rm = make_item("RM-CMP", item_type=Item.Type.RAW, lead_time_days=1)
    make_bom(fg, [(rm, 1)])
    week2 = MasterScheduleEntry.objects.create(item=fg, week_start=week(2), quantity=Decimal(5))
    week3 = MasterScheduleEntry.objects.create(item=fg, week_start=week(3), quantity=Decimal(8))
    first = run_now()
    week3.quantity = Decimal(12)
    week3.save()
    week2.week_start = week(5)
    week2.save()
    MasterScheduleEntry.objects.create(item=fg, week_start=week(6), quantity=Decimal(4))
    second = run_now()

    changes = [c for c in selectors.run_compare(run=second, previous=selectors.run_previous(run=second))
               if c["item_code"] == "FG-CMP"]
    assert [(c["change"], c["old_quantity"], c["new_quantity"], c["old_due"], c["new_due"]) for c in changes] == [
        ("added", None, Decimal(4), None, week(6)),
        ("quantity", Decimal(8), Decimal(12), week(3), week(3)),
        ("date", Decimal(5), Decimal(5), week(2), week(5)),
    ]
    assert selectors.run_previous(run=second) == first
    assert selectors.run_compare(run=first, previous=None) == []


def test_converting_groups_purchases_by_supplier_and_makes_work_orders(erp):
    fg, sa, rm, supplier = hood_family()
    other = make_item("RM-BOLT", item_type=Item.Type.RAW, lead_time_days=3)
    make_bom(fg, [(sa, 2), (other, 4)])  # v2 of FG's BOM, in force from today
    second_supplier = make_supplier("慈溪紧固件厂", items=[(other, "0.3", None)])
    MasterScheduleEntry.objects.create(item=fg, week_start=week(3), quantity=Decimal(5))
    run = run_now()
    orders = list(PlannedOrder.objects.filter(run=run).order_by("key"))
    assert {(o.item.code, o.order_type) for o in orders} == {
        ("FG-900", "make"), ("SA-FAN", "make"), ("RM-STEEL", "buy"), ("RM-BOLT", "buy")}

    created = services.planned_orders_convert(run=run, order_ids=[o.pk for o in orders])

    pos = sorted(created["purchase_orders"], key=lambda p: p.supplier.code)
    assert [(p.supplier, p.status) for p in pos] == [(supplier, "draft"), (second_supplier, "draft")]
    assert [(line.item.code, line.quantity) for line in pos[0].lines.all()] == [("RM-STEEL", Decimal(18))]
    assert [(line.item.code, line.quantity) for line in pos[1].lines.all()] == [("RM-BOLT", Decimal(20))]
    wos = {w.item.code: w for w in created["work_orders"]}
    assert set(wos) == {"FG-900", "SA-FAN"}
    fg_order = next(o for o in orders if o.item == fg)
    assert (wos["FG-900"].quantity, wos["FG-900"].planned_start, wos["FG-900"].planned_end) == (
        Decimal(5), fg_order.release_date, fg_order.due_date)
    assert wos["FG-900"].bom == fg_order.bom and wos["FG-900"].status == "draft"
    refs = dict(PlannedOrder.objects.filter(run=run).values_list("item__code", "converted_ref"))
    assert refs == {"FG-900": wos["FG-900"].number, "SA-FAN": wos["SA-FAN"].number,
                    "RM-STEEL": pos[0].number, "RM-BOLT": pos[1].number}
    # converting again is refused, naming the order; nothing more is created
    with pytest.raises(ValidationError) as exc:
        services.planned_orders_convert(run=run, order_ids=[orders[0].pk])
    assert codes(exc.value) == ["already_converted"]
    assert PurchaseOrder.objects.count() == 2 and WorkOrder.objects.count() == 2
    # the next run counts the drafts as supply: nothing is planned twice
    after = run_now()
    assert PlannedOrder.objects.filter(run=after).count() == 0
    assert [c["change"] for c in selectors.run_compare(run=after, previous=run)] == ["removed"] * 4
    # and the older run's orders can no longer be converted
    with pytest.raises(ValidationError) as exc:
        services.planned_orders_convert(run=run, order_ids=[orders[0].pk])
    assert codes(exc.value) == ["not_latest_run"]


def test_conversion_is_all_or_nothing(erp):
    fg = make_item("FG-NOBOM", item_type=Item.Type.FINISHED, lead_time_days=2)  # no BOM
    rm = make_item("RM-NOSUP", item_type=Item.Type.RAW, lead_time_days=2)  # no supplier
    ok = make_item("RM-OK", item_type=Item.Type.RAW, lead_time_days=2)
    make_supplier(items=[(ok, "1", None)])
    for item in (fg, rm, ok):
        MasterScheduleEntry.objects.create(item=item, week_start=week(2), quantity=Decimal(1))
    run = run_now()
    with pytest.raises(ValidationError) as exc:
        services.planned_orders_convert(run=run, order_ids=list(run.planned_orders.values_list("pk", flat=True)))
    assert sorted(codes(exc.value)) == ["no_bom", "no_supplier"]
    assert "FG-NOBOM" in " ".join(exc.value.messages) and "RM-NOSUP" in " ".join(exc.value.messages)
    assert PurchaseOrder.objects.count() == 0 and not run.planned_orders.exclude(converted_ref="").exists()
    with pytest.raises(ValidationError) as exc:
        services.planned_orders_convert(run=run, order_ids=[])
    assert codes(exc.value) == ["nothing_selected"]


def test_kit_availability_counts_a_component_on_two_lines_once(erp):
    """Kit = 2 C1 + 1 C2 + 1 C1 (3 C1 per kit). C1: 12 on hand, 2 reserved → 10 free → 3 kits;
    C2: 5 free → 5. Available: 3, limited by C1."""
    kit = make_item("KIT-01", item_type=Item.Type.KIT, uom="set")
    c1, c2 = make_item("C1"), make_item("C2")
    make_bom(kit, [(c1, 2), (c2, 1), (c1, 1)])
    receive(c1, 12)
    receive(c2, 5)
    reservation_create(item=c1, location=main_location(), quantity=Decimal(2), reference_type="test",
                       reference_id=1)
    [row] = selectors.kit_availability_list()
    assert (row["kit"], row["available"], row["limiting"], row["limiting_free"]) == (kit, 3, c1, 10)


def test_a_kit_sold_is_planned_through_its_components(erp):
    kit = make_item("KIT-02", item_type=Item.Type.KIT, uom="set")
    c1 = make_item("C1-K", item_type=Item.Type.RAW, lead_time_days=4)
    make_bom(kit, [(c1, 2), (c1, 1)])
    receive(c1, 10)  # confirming the order reserves the components
    confirmed_order(make_customer(), [(kit, 4)], delivery=week(2))
    run = run_now()
    assert PlannedOrder.objects.filter(run=run, item=kit).count() == 0
    assert plan_of(run, c1) == [(2, week(2) - timedelta(days=4), week(2))]  # 12 needed, 10 on hand


def test_a_kit_confirmed_before_its_bom_changed_is_planned_with_the_components_it_reserved(erp):
    # given 4 kits confirmed with BOM v1 (2 C1 each, none in stock), then v2 released (3 C2 each)
    kit = make_item("KIT-03", item_type=Item.Type.KIT, uom="set")
    c1 = make_item("C1-V1", item_type=Item.Type.RAW, lead_time_days=4)
    c2 = make_item("C2-V2", item_type=Item.Type.RAW, lead_time_days=4)
    make_bom(kit, [(c1, 2)])
    confirmed_order(make_customer(), [(kit, 4)], delivery=week(2))
    make_bom(kit, [(c2, 3)])
    # when
    run = run_now()
    # then MRP plans what the order will reserve and deliver: the components recorded at confirmation
    assert plan_of(run, c1) == [(8, week(2) - timedelta(days=4), week(2))]
    assert plan_of(run, c2) == []


def test_the_master_schedule_is_kept_per_item_and_monday(erp):
    fg = make_item("FG-MPS", item_type=Item.Type.FINISHED)
    wednesday = week(2) + timedelta(days=2)
    entry = services.master_schedule_set(item=fg, week=wednesday, quantity="40")
    assert (entry.week_start, entry.quantity) == (week(2), Decimal(40))
    services.master_schedule_set(item=fg, week=week(2), quantity="55")
    assert MasterScheduleEntry.objects.get().quantity == Decimal(55)
    assert services.master_schedule_set(item=fg, week=wednesday, quantity="0") is None
    assert not MasterScheduleEntry.objects.exists()
    for kwargs, field, code in [({"item": None}, "item", "invalid_item"), ({"week": None}, "week", "invalid_week"),
                                ({"quantity": "-1"}, "quantity", "invalid_quantity"),
                                ({"quantity": "abc"}, "quantity", "invalid_quantity")]:
        with pytest.raises(ValidationError) as exc:
            services.master_schedule_set(**{"item": fg, "week": wednesday, "quantity": "1", **kwargs})
        assert exc.value.error_dict[field][0].code == code


def test_a_bom_cycle_in_the_data_is_reported_by_the_run(erp):
    """The catalogue refuses cycles, but rows can still arrive by other ways (imports, SQL):
    the run must report it and finish."""
    a = make_item("CY-A", item_type=Item.Type.SUBASSEMBLY, lead_time_days=1)
    b = make_item("CY-B", item_type=Item.Type.SUBASSEMBLY, lead_time_days=1)
    make_bom(a, [(b, 1)])
    bom_b = make_bom(b, [(make_item("CY-R", item_type=Item.Type.RAW, lead_time_days=1), 1)])
    BomLine.objects.create(bom=bom_b, component=a, quantity=Decimal(1))  # B → A closes the cycle
    MasterScheduleEntry.objects.create(item=a, week_start=week(2), quantity=Decimal(1))
    run = run_now()
    assert run.status == "done"
    cycle = MrpException.objects.get(run=run, kind="cycle")
    assert cycle.message_en == "BOM cycle: CY-A → CY-B → CY-A; the line closing it was ignored"
    assert run.stats["cycles"] == [["CY-A", "CY-B", "CY-A"]]


def test_a_job_is_sent_from_the_schema_it_was_written_in_even_when_the_caller_left_it(erp,
                                                                                      django_capture_on_commit_callbacks):
    # given: a run requested in the enterprise's schema, whose caller returns to the public schema before
    # its transaction commits (as a partner's upload does after writing in the owner's schema)
    from core.jobs import job_request

    sent = []
    with django_capture_on_commit_callbacks(execute=True):
        run = job_request(MrpRun, enqueue=lambda job_id: sent.append((job_id, connection.schema_name)),
                          busy_error=lambda active: ValidationError("busy"), bucket="day", parameters={})
        connection.set_schema_to_public()
    # then: the task is sent from the enterprise's schema (tenant-schemas-celery reads it when sending)
    assert sent == [(run.pk, erp.schema_name)]
    assert connection.schema_name == "public"
