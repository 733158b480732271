"""The multi-level tree, where-used and the BOM diff: exact rows, and a constant number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from erp_modules.catalog.models import BomLine
from erp_modules.catalog.services import bom_create, bom_release
from erp_modules.workspace.testing import make_bom, make_item
from pdm.parts.selectors import bom_diff, bom_tree, history_entries, where_used
from pdm.parts.services import (revision_bom_line_add, revision_bom_line_remove, revision_release, revision_start,
                               revision_submit)
from pdm.parts.tests.factories import hood_family, part_with_revision

pytestmark = pytest.mark.django_db
D = Decimal


def _rows(tree):
    return [(r.level, r.code, r.quantity, r.extended_quantity, r.unit_cost, r.extended_cost, r.has_children)
            for r in tree.rows]


def test_the_tree_is_indented_with_quantities_and_cost_rolled_up_in_one_query(erp, assert_queries):
    # given a hood = 1 motor assembly (1 motor at 80 + 4 screws at 0.10) + 2 screws, made in batches of 2
    f = hood_family()
    bom = make_bom(f["hood"], [(f["assembly"], 2), (f["screw"], 4)], quantity="2")
    # when its tree is read
    with assert_queries(1):
        tree = bom_tree(bom=bom)
    # then every level, per parent and per hood, with the cost rolled up from the leaves
    c = f["assembly"].code, f["motor"].code, f["screw"].code
    assert _rows(tree) == [
        (1, c[0], D("1"), D("1"), D("80.4"), D("80.4"), True),
        (2, c[1], D("1"), D("1"), D("80"), D("80"), False),
        (2, c[2], D("4"), D("4"), D("0.1"), D("0.4"), False),
        (1, c[2], D("2"), D("2"), D("0.1"), D("0.2"), False),
    ]
    assert tree.total_cost == D("80.6")


def test_a_sub_assembly_on_two_lines_of_one_parent_costs_its_components_once_per_line(erp):
    # given a hood using the motor assembly (80.4) on two lines, 1 and 2
    f = hood_family()
    bom = make_bom(f["hood"], [(f["assembly"], 1), (f["assembly"], 2)])
    # when its tree is read
    tree = bom_tree(bom=bom)
    # then each line rolls up only its own components: 80.4 + 160.8
    assert [(r.level, r.extended_cost) for r in tree.rows if r.level == 1] == [(1, D("80.4")), (1, D("160.8"))]
    assert tree.total_cost == D("241.2")


def test_the_tree_explodes_each_sub_assembly_with_its_version_in_force_on_the_date(erp):
    f = hood_family()
    later = timezone.localdate() + timedelta(days=30)
    bom_release(bom=bom_create(item=f["assembly"], lines=[{"component": f["motor"], "quantity": D("2")}]),
                effective_from=later)
    today_tree, later_tree = bom_tree(bom=f["hood_bom"]), bom_tree(bom=f["hood_bom"], on=later)
    assert [(r.level, r.code, r.quantity) for r in today_tree.rows if r.level == 2] == [
        (2, f["motor"].code, D("1")), (2, f["screw"].code, D("4"))]
    assert [(r.level, r.code, r.quantity) for r in later_tree.rows if r.level == 2] == [(2, f["motor"].code, D("2"))]
    assert later_tree.total_cost == D("160.2")


def test_scrap_raises_the_quantity_and_by_products_cost_nothing(erp):
    steel, offcut, bracket = make_item(standard_cost=D("5")), make_item(standard_cost=D("1")), make_item()
    bom = bom_create(item=bracket, lines=[{"component": steel, "quantity": D("2"), "scrap_pct": D("10")},
                                          {"component": offcut, "quantity": D("1"),
                                           "line_type": BomLine.LineType.BY_PRODUCT}])
    tree = bom_tree(bom=bom)
    assert [(r.code, r.extended_quantity, r.extended_cost) for r in tree.rows] == [
        (steel.code, D("2.2"), D("11.0")), (offcut.code, D("1"), D("0"))]
    assert tree.total_cost == D("11")


def test_where_used_reaches_the_top_products_with_quantities_in_one_query(erp, assert_queries):
    # given the screw in the assembly (4) and in the hood (2), and the assembly in the hood
    f = hood_family()
    # when its where-used is read without documents
    with assert_queries(1):
        used = where_used(item=f["screw"], documents=False)
    # then both parents at level 1, the hood at the top with 2 + 1 × 4 screws
    assert sorted((u.level, u.parent_code, u.child_code, u.quantity, u.is_top) for u in used.lines) == sorted([
        (1, f["assembly"].code, f["screw"].code, D("4"), False),
        (1, f["hood"].code, f["screw"].code, D("2"), True),
        (1, f["hood"].code, f["assembly"].code, D("1"), True)])
    assert [(t.code, t.quantity) for t in used.tops] == [(f["hood"].code, D("6"))]


def test_where_used_follows_only_the_versions_in_force_on_the_date(erp):
    f = hood_family()
    later = timezone.localdate() + timedelta(days=5)
    bom_release(bom=bom_create(item=f["hood"], lines=[{"component": f["assembly"], "quantity": D("1")}]),
                effective_from=later)
    assert [t.quantity for t in where_used(item=f["screw"], documents=False).tops] == [D("6")]
    assert [t.quantity for t in where_used(item=f["screw"], on=later, documents=False).tops] == [D("4")]
    assert where_used(item=f["screw"], on=timezone.localdate() - timedelta(days=1), documents=False).lines == []


def test_where_used_lists_each_line_by_level_then_codes_and_adds_up_every_path(erp, assert_queries):
    # given a screw in A (2) and in B (3), both in C (1 and 2, C made in batches of 2), C in the top T (5),
    # and T using the screw itself (1, 10 % scrap): T is at level 1 (its shortest distance), C at level 2
    screw = make_item("WU-SCREW")
    a, b, c = (make_item(code, item_type="subassembly") for code in ("WU-A", "WU-B", "WU-C"))
    top = make_item("WU-T", item_type="finished")
    make_bom(a, [(screw, 2)])
    make_bom(b, [(screw, 3)])
    make_bom(c, [(b, 2), (a, 1)], quantity="2")
    make_bom(top, [(c, 5), (screw, 1)], scrap={"WU-SCREW": 10})
    # when its where-used is read
    with assert_queries(1):
        used = where_used(item=screw, documents=False)
    # then every line once, by the parent's level, the parent's code and the child's code
    assert [(u.level, u.parent_code, u.child_code, u.quantity, u.is_top) for u in used.lines] == [
        (1, "WU-A", "WU-SCREW", D("2"), False),
        (1, "WU-B", "WU-SCREW", D("3"), False),
        (1, "WU-T", "WU-C", D("5"), True),
        (1, "WU-T", "WU-SCREW", D("1.1"), True),
        (2, "WU-C", "WU-A", D("0.5"), False),
        (2, "WU-C", "WU-B", D("1"), False),
    ]
    # and the top holds 5 × (0.5 × 2 + 1 × 3) + 1.1 screws, over every path
    assert [(t.code, t.name, t.quantity) for t in used.tops] == [("WU-T", top.name, D("21.1"))]


def test_where_used_lists_open_orders_and_stock_in_a_constant_number_of_queries(erp, assert_queries):
    from erp_modules.production.services import work_order_create
    from erp_modules.sales.services import sales_order_confirm
    from erp_modules.sales.tests.factories import make_customer, order_for
    from erp_modules.workspace.testing import receive

    f = hood_family()
    receive(f["screw"], 100)
    receive(f["hood"], 5)
    order = order_for(make_customer("客户"), (f["hood"], 1, "500"))
    sales_order_confirm(order=order)
    work_order = work_order_create(item=f["assembly"], quantity=D("3"))
    with assert_queries(1):
        used = where_used(item=f["screw"])
        found = ([(o.pk, o.number, o.customer.name) for o in used.sales_orders],
                 [(o.pk, o.number) for o in used.work_orders], used.purchase_orders,
                 [(i.code, i.name, i.on_hand, i.uom.code, str(i.uom)) for i in used.stock])
    assert found == ([(order.pk, order.number, "客户")], [(work_order.pk, work_order.number)], [],
                     [(f["screw"].code, f["screw"].name, D("100"), f["screw"].uom.code, str(f["screw"].uom)),
                      (f["hood"].code, f["hood"].name, D("5"), f["hood"].uom.code, str(f["hood"].uom))])
    # the instances are the orders' own (other fields load on access)
    assert used.sales_orders[0].status == "confirmed" and used.work_orders[0].item_id == f["assembly"].pk


# The statement where_used ran until issue 13 (a recursive query over items, then the version in force
# of each ancestor looked up again, and one row per line with the names repeated): the new one must
# give the same edges.
_OLD_WHERE_USED_SQL = """
WITH RECURSIVE up(item_id) AS (
    SELECT %(item)s::bigint
    UNION
    SELECT b.item_id
      FROM up JOIN catalog_bomline l ON l.component_id = up.item_id JOIN catalog_bom b ON b.id = l.bom_id
     WHERE l.line_type = 'component' AND b.id = (
        SELECT eb.id FROM catalog_bom eb
         WHERE eb.item_id = b.item_id AND eb.status = 'released' AND eb.effective_from <= %(on)s
         ORDER BY eb.effective_from DESC, eb.version DESC LIMIT 1)
)
SELECT l.id, a.item_id, p.code, p.name, u.code, l.component_id, c.code,
       (l.quantity / e.quantity * (1 + l.scrap_pct / 100))::numeric
  FROM up a
  CROSS JOIN LATERAL (SELECT eb.id, eb.quantity FROM catalog_bom eb
     WHERE eb.item_id = a.item_id AND eb.status = 'released' AND eb.effective_from <= %(on)s
     ORDER BY eb.effective_from DESC, eb.version DESC LIMIT 1) e
  JOIN catalog_bomline l ON l.bom_id = e.id
  JOIN catalog_item p ON p.id = a.item_id JOIN catalog_unitofmeasure u ON u.id = p.uom_id
  JOIN catalog_item c ON c.id = l.component_id
 WHERE l.line_type = 'component' AND l.component_id IN (SELECT item_id FROM up)
"""


def test_where_used_gives_the_same_edges_as_the_statement_it_replaced(erp):
    from django.db import connection

    from pdm.parts.selectors import where_used_edges

    # given a family over four levels: the screw in the assembly (4), in the hood (2, twice on one BOM
    # and with 10 % scrap), a kit of two hoods made in batches of 2, a draft and a later version of
    # the kit, a by-product screw line (not a use), and a second product using the assembly
    f = hood_family()
    kit, panel, other = make_item(item_type="finished"), make_item(), make_item(item_type="finished")
    make_bom(f["hood"], [(f["assembly"], 1), (f["screw"], 2), (f["screw"], 3), (panel, 1)], scrap={f["screw"].code: 10})
    make_bom(kit, [(f["hood"], 2), (panel, 1)], quantity="2")
    make_bom(other, [(f["assembly"], 3)])
    later = timezone.localdate() + timedelta(days=7)
    bom_release(bom=bom_create(item=kit, lines=[{"component": f["hood"], "quantity": D("3")}]), effective_from=later)
    bom_create(item=other, lines=[{"component": f["screw"], "quantity": D("9")}])
    bom_create(item=panel, lines=[{"component": f["motor"], "quantity": D("1")},
                                  {"component": f["screw"], "quantity": D("1"), "line_type": BomLine.LineType.BY_PRODUCT}])
    for item in (f["screw"], f["assembly"], f["hood"], panel, kit):
        for on in (timezone.localdate(), later, timezone.localdate() - timedelta(days=1)):
            with connection.cursor() as cursor:
                cursor.execute(_OLD_WHERE_USED_SQL, {"item": item.pk, "on": on})
                old = sorted(cursor.fetchall())
            # then the same lines, parents, names, units, children and quantities
            assert sorted(where_used_edges(item_id=item.pk, on=on)) == old
    assert len(where_used_edges(item_id=f["screw"].pk, on=timezone.localdate())) == 6


def test_the_diff_of_two_revisions_shows_added_removed_and_changed_at_every_level(erp, assert_queries):
    # given revision A of the hood, and B with the screw line removed, a cover added, the assembly doubled
    f = hood_family()
    part, rev_a = part_with_revision(f["hood"], "HD-D")
    rev_b = revision_start(part=part, based_on=rev_a, user=None)
    lines = {line.component_id: line for line in rev_b.bom.lines.all()}
    revision_bom_line_remove(revision=rev_b, line_id=lines[f["screw"].pk].pk, user=None)
    revision_bom_line_remove(revision=rev_b, line_id=lines[f["assembly"].pk].pk, user=None)
    revision_bom_line_add(revision=rev_b, component=f["assembly"], quantity=D("2"), user=None)
    cover = make_item(standard_cost=D("3"))
    revision_bom_line_add(revision=rev_b, component=cover, quantity=D("1"), user=None)
    # when they are compared
    with assert_queries(2):
        diff = bom_diff(old_bom=rev_a.bom, new_bom=rev_b.bom)
    # then the assembly changed, its own lines did not (per parent), the screw went, the cover came
    assert [(r.kind, r.level, r.code, r.old and r.old.quantity, r.new and r.new.quantity, r.changes)
            for r in diff.rows] == [
        ("removed", 1, f["screw"].code, D("2"), None, ()),
        ("changed", 1, f["assembly"].code, D("1"), D("2"), ("quantity",)),
        ("added", 1, cover.code, None, D("1"), ()),
    ]
    assert (len(diff.added), len(diff.removed), len(diff.changed), diff.unchanged) == (1, 1, 1, 2)


def test_the_diff_lists_the_levels_below_an_added_and_a_removed_sub_assembly(erp):
    f = hood_family()
    other = make_item(item_type="subassembly")
    make_bom(other, [(f["screw"], 8)])
    old = make_bom(f["hood"], [(f["assembly"], 1)])
    new = make_bom(f["hood"], [(other, 1)])
    diff = bom_diff(old_bom=old, new_bom=new)
    assert sorted((r.kind, r.level, r.code) for r in diff.rows) == sorted([
        ("added", 1, other.code), ("added", 2, f["screw"].code),
        ("removed", 1, f["assembly"].code), ("removed", 2, f["motor"].code), ("removed", 2, f["screw"].code)])


def test_a_tree_too_large_for_a_page_leaves_out_its_deepest_level_and_says_so(erp, monkeypatch):
    from pdm.parts import selectors

    f = hood_family()
    monkeypatch.setattr(selectors, "MAX_TREE_ROWS", 3)
    tree = bom_tree(bom=f["hood_bom"])
    assert (tree.truncated, [(r.level, r.code) for r in tree.rows]) == (
        True, [(1, f["assembly"].code), (1, f["screw"].code)])


def test_the_history_shows_field_labels_and_state_labels_not_stored_names(erp):
    # given revision B of a part: a line added, submitted, released (A superseded)
    f = hood_family()
    part, rev_a = part_with_revision(f["hood"], "HD-H")
    revision_submit(revision=rev_a, user=None)
    revision_release(revision=rev_a, effective_from=timezone.localdate(), user=None)
    rev_b = revision_start(part=part, user=None)
    revision_bom_line_add(revision=rev_b, component=f["screw"], quantity=D("3"), user=None)
    revision_submit(revision=rev_b, user=None)
    revision_release(revision=rev_b, effective_from=timezone.localdate(), user=None)
    # when the histories are read in English, then in Chinese
    with translation.override("en"):
        b_en = [e.changes for e in history_entries(obj=rev_b)]
        a_en = history_entries(obj=rev_a)[0].changes
    with translation.override("zh-hans"):
        b_zh = history_entries(obj=rev_b)[0].changes
    # then every key is the field's label and every state its label, in the language of the reader
    assert b_en[0] == {"state": ["in review", "released"], "effective from": [None, timezone.localdate().isoformat()]}
    assert b_en[1] == {"state": ["in work", "in review"]}
    assert b_en[2] == {"BOM line": [None, f"{f['screw'].code} × 3"]}
    assert b_en[3] == {"revision": [None, "B"], "based on": [None, "HD-H A"]}
    assert a_en == {"state": ["released", "superseded"], "superseded by": [None, "B"]}
    assert b_zh["状态"] == ["审核中", "已发布"]
