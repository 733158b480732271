"""MRP speed: the set-based engine (erp_modules/mrp) against a straightforward per-item recursive
ORM implementation (bench/mrp_baseline.py), on the same synthetic enterprise, in the same run.

    .venv/bin/python bench/mrp.py [--quick] [--baseline-items N]

Generates an enterprise with 5,000 items over 5 BOM levels (~20,000 BOM lines, some items used at
several levels, kits, a second BOM version taking over in the horizon), 2,000 open sales order
lines over 26 weeks, a master schedule, open purchase and work orders and stock — all with bulk
inserts. Then times the engine end to end as the Celery task runs it (read inputs from
PostgreSQL, compute, write planned orders, exceptions and item plans in one transaction), and
the baseline; checks both plan the same quantities (per item and due date).

Uses DATABASE_URL if set, else an embedded PostgreSQL under BENCH_DATA_DIR (default .data/bench).
Works in its own database (<name>_bench_mrp), which it drops and recreates.
Last line: RESULT engine_s=… baseline_s=… ratio=… same_plan=1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

from bench._common import bench_enterprise  # noqa: E402

LEVEL_SHARE = [0.08, 0.16, 0.20, 0.24, 0.32]  # finished, sub-assemblies (and kits), sub-assemblies, components, raw


def generate(*, n_items: int, n_demand: int, seed: int = 42) -> dict:
    """Bulk-insert a synthetic enterprise into the current schema. Returns counts."""
    from erp_modules.catalog.models import Bom, BomLine, Item, UnitOfMeasure
    from erp_modules.inventory.models import Location, StockBalance
    from erp_modules.mrp.models import MasterScheduleEntry
    from erp_modules.partners.models import Partner, PriceList, PriceListItem
    from erp_modules.production.models import WorkOrder, WorkOrderComponent
    from erp_modules.purchasing.models import PurchaseOrder, PurchaseOrderLine
    from erp_modules.sales.models import SalesOrder, SalesOrderLine
    from django.utils import timezone

    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    monday0 = today - timedelta(days=today.weekday())
    pcs, kg = UnitOfMeasure.objects.get(code="pcs"), UnitOfMeasure.objects.get(code="kg")
    location = Location.objects.get(warehouse__code="WH", is_default=True)
    counts = [int(round(n_items * s)) for s in LEVEL_SHARE]
    counts[-1] = n_items - sum(counts[:-1])
    n_kits = max(2, counts[1] // 13)

    # -- items --------------------------------------------------------------------------------
    items: list[Item] = []
    level_of: list[int] = []
    for level, count in enumerate(counts):
        for k in range(count):
            if level == 0:
                kind = Item.Type.FINISHED
            elif level == 1:
                kind = Item.Type.KIT if k < n_kits else Item.Type.SUBASSEMBLY
            elif level == 2:
                kind = Item.Type.SUBASSEMBLY
            elif level == 3:
                kind = Item.Type.COMPONENT
            else:
                kind = Item.Type.RAW
            unit = kg if level == 4 and rng.random() < 0.3 else pcs
            is_kit = kind == Item.Type.KIT
            items.append(Item(
                code=f"L{level}-{k:05d}", name=f"物料 L{level}-{k:05d}", item_type=kind, uom=unit,
                lead_time_days=0 if is_kit or rng.random() < 0.01 else int(rng.integers(1, 22)),
                safety_stock=Decimal(int(rng.integers(10, 100))) if not is_kit and rng.random() < 0.1 else 0,
                min_order_qty=Decimal(int(rng.choice([50, 100, 200, 500]))) if not is_kit and rng.random() < 0.2 else 0,
                order_multiple=Decimal(int(rng.choice([10, 25, 50]))) if not is_kit and rng.random() < 0.2 else 0,
                standard_cost=Decimal("10")))
            level_of.append(level)
    Item.objects.bulk_create(items, batch_size=2000)
    level_of = np.array(level_of)
    by_level = [[it for it, lv in zip(items, level_of) if lv == level] for level in range(5)]
    kits = [it for it in by_level[1] if it.item_type == Item.Type.KIT]
    non_kit_l1 = [it for it in by_level[1] if it.item_type != Item.Type.KIT]
    made_components = by_level[3][: len(by_level[3]) // 2]

    # -- BOMs: about 7 lines each, mostly from the next level, some deeper (so the same component
    #    is used at several levels); kits in finished goods; 10 % get a v2 later in the horizon --
    boms: list[Bom] = []
    bom_parents = []
    for parent in by_level[0] + by_level[1] + by_level[2] + made_components:
        boms.append(Bom(item=parent, version=1, status=Bom.Status.RELEASED, quantity=Decimal(1),
                        effective_from=today - timedelta(days=100)))
        bom_parents.append(parent)
        if parent.item_type != Item.Type.KIT and rng.random() < 0.1:
            boms.append(Bom(item=parent, version=2, status=Bom.Status.RELEASED, quantity=Decimal(1),
                            effective_from=today + timedelta(days=int(rng.integers(20, 120)))))
            bom_parents.append(parent)
    Bom.objects.bulk_create(boms, batch_size=2000)
    level_index = {it.pk: lv for it, lv in zip(items, level_of)}
    lines: list[BomLine] = []
    for bom in boms:
        lv = level_index[bom.item_id]
        n_lines = int(rng.integers(3, 6)) if bom.item.item_type == Item.Type.KIT else int(rng.integers(4, 11))
        chosen: set[int] = set()
        for seq in range(n_lines):
            if lv == 0 and seq == 0 and rng.random() < 0.3:
                pool = kits
            elif rng.random() < 0.7 or lv == 3:
                pool = non_kit_l1 if lv == 0 else by_level[lv + 1]
            else:
                pool = by_level[int(rng.integers(lv + 2, 5))] if lv + 2 <= 4 else by_level[4]
            component = pool[int(rng.integers(0, len(pool)))]
            if component.pk in chosen:
                continue
            chosen.add(component.pk)
            if component.uom_id == kg.pk:
                qty = Decimal(str(round(float(rng.choice([0.125, 0.25, 0.5, 1.2, 2.5])), 3)))
            else:
                qty = Decimal(int(rng.choice([1, 1, 1, 2, 2, 3, 4])))
            scrap = Decimal(str(int(rng.integers(1, 6)))) if rng.random() < 0.2 else Decimal(0)
            lines.append(BomLine(bom=bom, sequence=10 * (seq + 1), component=component, quantity=qty,
                                 scrap_pct=scrap))
    BomLine.objects.bulk_create(lines, batch_size=5000)

    # -- partners, purchase price lists (the default supplier of each bought item) -------------
    suppliers = [Partner(code=f"S{n:03d}", name=f"供应商 {n}", is_supplier=True) for n in range(50)]
    customers = [Partner(code=f"C{n:03d}", name=f"客户 {n}", is_customer=True) for n in range(30)]
    Partner.objects.bulk_create(suppliers + customers)
    price_lists = [PriceList(name=f"采购价 {s.code}", kind="purchase", partner=s) for s in suppliers]
    PriceList.objects.bulk_create(price_lists)
    bought = by_level[4] + by_level[3][len(by_level[3]) // 2:]
    price_items = []
    for it in bought:
        for pl_index in rng.choice(len(price_lists), size=int(rng.integers(1, 3)), replace=False):
            price_items.append(PriceListItem(
                price_list=price_lists[int(pl_index)], item=it, unit_price=Decimal(str(int(rng.integers(1, 100)))),
                lead_time_days=int(rng.integers(3, 30)) if rng.random() < 0.3 else None))
    PriceListItem.objects.bulk_create(price_items, batch_size=5000)

    # -- stock ---------------------------------------------------------------------------------
    stocked = [it for it in items if it.item_type != Item.Type.KIT and rng.random() < 0.6]
    StockBalance.objects.bulk_create([
        StockBalance(item=it, location=location, on_hand=Decimal(int(rng.integers(0, 400)))) for it in stocked],
        batch_size=5000)

    # -- demand: sales orders (5 lines each) over 26 weeks, some already late ------------------
    sellable = by_level[0] * 17 + kits * 2 + non_kit_l1[:50]
    orders, order_lines = [], []
    n_orders = max(1, n_demand // 5)
    for n in range(n_orders):
        offset = int(rng.integers(-7, 26 * 7)) if rng.random() < 0.05 else int(rng.integers(0, 26 * 7))
        orders.append(SalesOrder(number=f"SO-{n + 1:05d}", customer=customers[n % len(customers)],
                                 status=SalesOrder.Status.CONFIRMED, order_date=today,
                                 delivery_date=today + timedelta(days=offset)))
    SalesOrder.objects.bulk_create(orders, batch_size=2000)
    for n in range(n_demand):
        it = sellable[int(rng.integers(0, len(sellable)))]
        order_lines.append(SalesOrderLine(order=orders[n // 5], sequence=n % 5 + 1, item=it,
                                          quantity=Decimal(int(rng.integers(1, 60))), unit_price=Decimal("100"),
                                          vat_rate=Decimal("13"), location=location))
    SalesOrderLine.objects.bulk_create(order_lines, batch_size=5000)
    MasterScheduleEntry.objects.bulk_create([
        MasterScheduleEntry(item=by_level[0][int(rng.integers(0, len(by_level[0])))],
                            week_start=monday0 + timedelta(days=7 * w), quantity=Decimal(int(rng.integers(20, 120))))
        for w in range(1, 27) for _ in range(max(1, n_demand // 150))], ignore_conflicts=True)

    # -- supply: open purchase orders and work orders ------------------------------------------
    pos, po_lines = [], []
    for n in range(max(1, n_demand // 13)):
        pos.append(PurchaseOrder(number=f"PO-{n + 1:05d}", supplier=suppliers[n % len(suppliers)],
                                 location=location, status=PurchaseOrder.Status.APPROVED if n % 4 else
                                 PurchaseOrder.Status.DRAFT, order_date=today - timedelta(days=10)))
    PurchaseOrder.objects.bulk_create(pos)
    for n in range(len(pos) * 3):
        it = bought[int(rng.integers(0, len(bought)))]
        po_lines.append(PurchaseOrderLine(
            order=pos[n // 3], line_no=n % 3 + 1, item=it, quantity=Decimal(int(rng.integers(50, 500))), uom=it.uom,
            unit_price=Decimal("5"), vat_rate=Decimal("13"), net_amount=Decimal(0), vat_amount=Decimal(0),
            expected_date=today + timedelta(days=int(rng.integers(-5, 60)))))
    PurchaseOrderLine.objects.bulk_create(po_lines, batch_size=5000)
    first_bom = {}
    for bom in boms:
        first_bom.setdefault(bom.item_id, bom)
    makeable = [it for it in non_kit_l1 + by_level[2] + made_components]
    wos, wo_components = [], []
    for n in range(max(1, n_demand // 20)):
        it = makeable[int(rng.integers(0, len(makeable)))]
        start = today + timedelta(days=int(rng.integers(-5, 20)))
        wos.append(WorkOrder(number=f"WO-{n + 1:05d}", item=it, bom=first_bom[it.pk],
                             quantity=Decimal(int(rng.integers(10, 100))), planned_start=start,
                             planned_end=start + timedelta(days=it.lead_time_days),
                             component_location=location, output_location=location,
                             status=WorkOrder.Status.RELEASED))
    WorkOrder.objects.bulk_create(wos)
    bom_lines_of = {}
    for line in lines:
        bom_lines_of.setdefault(line.bom_id, []).append(line)
    for wo in wos:
        for seq, line in enumerate(bom_lines_of.get(wo.bom_id, [])[:4], start=1):
            if line.component.item_type == Item.Type.KIT:
                continue
            wo_components.append(WorkOrderComponent(
                work_order=wo, sequence=seq * 10, item=line.component, bom_line=line,
                quantity_required=(line.quantity * wo.quantity).quantize(Decimal("0.001")),
                quantity_issued=Decimal(0)))
    WorkOrderComponent.objects.bulk_create(wo_components, batch_size=5000)
    return {"items": len(items), "boms": len(boms), "bom_lines": len(lines), "kits": len(kits),
            "sales_lines": len(order_lines), "po_lines": len(po_lines), "work_orders": len(wos),
            "stock_rows": len(stocked)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500 items, 200 demand lines")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs (the median is reported)")
    args = parser.parse_args()
    n_items, n_demand = (500, 200) if args.quick else (5000, 2000)

    enterprise, server = bench_enterprise(db_name="bench_mrp", name="基准企业 MRP", slug="mrpbench", org_body="00004242")
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from erp_modules.mrp import services
    from erp_modules.mrp.models import MrpRun, PlannedOrder
    from mrp_baseline import baseline_plan
    with tenant_context(enterprise):
        t0 = time.perf_counter()
        counts = generate(n_items=n_items, n_demand=n_demand)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"synthetic enterprise generated in {time.perf_counter() - t0:.1f}s: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        today = timezone.localdate()

        # -- the engine, end to end as the Celery task runs it -----------------------------------
        times, runs = [], []
        for _ in range(max(1, args.repeat)):
            run = MrpRun.objects.create(bucket="week", parameters={"bucket": "week"})
            started = time.perf_counter()
            run = services.mrp_run_execute(run_id=run.pk)
            times.append(time.perf_counter() - started)
            if run.status != "done":
                print(f"engine run failed: {run.error}")
                return 1
            runs.append(run)
        engine_s = statistics.median(times)
        run = runs[-1]
        stats = run.stats
        print(f"\nengine: {run.planned_count:,} planned orders, {run.exception_count:,} exceptions, "
              f"{stats['levels']} levels, {stats['buckets']} buckets, {stats['bom_lines']:,} BOM lines in force")
        print(f"engine runs (s): {', '.join(f'{t:.3f}' for t in times)}   median {engine_s:.3f} s "
              f"(last: read {stats['read_s']:.3f} + compute {stats['compute_s']:.3f} + write {stats['write_s']:.3f})")

        # -- the baseline ----------------------------------------------------------------------------
        started = time.perf_counter()
        base = baseline_plan(today=today, bucket="week")
        baseline_s = time.perf_counter() - started
        print(f"baseline (per-item recursive ORM): {len(base):,} planned orders in {baseline_s:.1f} s")

        # -- same plan? ---------------------------------------------------------------------------
        def keyed(rows):
            result: dict = {}
            for item_id, due, qty in rows:
                result[(item_id, due)] = result.get((item_id, due), 0.0) + float(qty)
            return result

        ours = keyed(PlannedOrder.objects.filter(run=run).values_list("item_id", "due_date", "quantity"))
        theirs = keyed(base)
        differ = [k for k in set(ours) | set(theirs) if abs(ours.get(k, 0.0) - theirs.get(k, 0.0)) > 1e-3]
        same = int(not differ)
        print(f"same planned quantities per item and due date: {'yes' if same else 'NO'} "
              f"({len(ours):,} vs {len(theirs):,}; {len(differ)} differ)")
        for k in sorted(differ)[:10]:
            print(f"   item {k[0]} due {k[1]}: engine {ours.get(k)}  baseline {theirs.get(k)}")
    ratio = baseline_s / engine_s
    print(f"\nratio baseline/engine = {ratio:.1f}x   (targets: >= 50x and engine < 5 s)")
    print(f"RESULT engine_s={engine_s:.3f} baseline_s={baseline_s:.2f} ratio={ratio:.1f} same_plan={same} "
          f"items={counts['items']} bom_lines={counts['bom_lines']} demand_lines={counts['sales_lines']} "
          f"planned={run.planned_count}")
    connection.close()
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
