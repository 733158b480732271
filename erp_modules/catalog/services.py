"""Writes to the catalog: items, units, BOM versions (draft → released, immutable), routings.

Every change to a BOM version (a line added or removed, release, archive) also asks the registered BOM
guards (erp_modules.catalog.bom_guard): PDM refuses changes to the BOM of a part revision made here."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.catalog import bom_guard
from erp_modules.catalog.error_codes import CatalogErrorCode
from erp_modules.catalog.models import Bom, BomLine, Item, Routing, RoutingOperation, UnitOfMeasure, UomConversion
from erp_modules.catalog.stock_source import stock_source
from erp_modules.common.services import audit_record, model_changes

ITEM_FIELDS = ["code", "name", "name_en", "item_type", "uom", "category", "default_warehouse", "tracking",
               "lead_time_days", "safety_stock", "min_order_qty", "order_multiple", "standard_cost", "drawing_ref",
               "description", "active"]


@transaction.atomic
def item_create(*, user=None, **fields) -> Item:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown item fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fields["code"] = (fields.get("code") or "").strip()
    item = Item(**fields)
    if item.code and Item.objects.filter(code__iexact=item.code).exists():
        raise field_error("code", _("Item code %(code)s is already used.") % {"code": item.code},
                          CatalogErrorCode.CODE_TAKEN)
    item.full_clean()
    item.save()
    audit_record(obj=item, action="create", user=user, changes=model_changes(None, item, ["code", "name", "item_type"]))
    return item


@transaction.atomic
def item_update(*, item: Item, user=None, **fields) -> Item:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown item fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = Item.objects.select_for_update().get(pk=item.pk)
    if "item_type" in fields and fields["item_type"] != before.item_type:
        if fields["item_type"] in (Item.Type.KIT, Item.Type.SERVICE) and stock_source().has_stock(item):
            raise field_error("item_type", _("An item with stock cannot become a kit or service."),
                              CatalogErrorCode.HAS_STOCK)
    if "code" in fields and fields["code"] != before.code and \
            Item.objects.filter(code__iexact=fields["code"]).exclude(pk=item.pk).exists():
        raise field_error("code", _("Item code %(code)s is already used.") % {"code": fields["code"]},
                          CatalogErrorCode.CODE_TAKEN)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    changes = model_changes(before, item, [f for f in ITEM_FIELDS if f in fields])
    if changes:
        audit_record(obj=item, action="update", user=user, changes=changes)
    return item


def uom_convert(*, quantity: Decimal, from_uom: UnitOfMeasure, to_uom: UnitOfMeasure, item: Item | None = None) -> Decimal:
    """Convert using an item-specific conversion first, then a general one (either direction)."""
    if from_uom.pk == to_uom.pk:
        return quantity
    for scope in ([item, None] if item is not None else [None]):
        direct = UomConversion.objects.filter(item=scope, from_uom=from_uom, to_uom=to_uom).first()
        if direct:
            return quantity * direct.factor
        reverse = UomConversion.objects.filter(item=scope, from_uom=to_uom, to_uom=from_uom).first()
        if reverse:
            return quantity / reverse.factor
    raise ValidationError(_("No conversion from %(a)s to %(b)s.") % {"a": from_uom, "b": to_uom},
                          code=str(CatalogErrorCode.NO_CONVERSION))


# ---- bills of materials ------------------------------------------------------------------------


@transaction.atomic
def bom_create(*, item: Item, lines: list[dict] | None = None, quantity: Decimal = Decimal("1"), note: str = "",
               user=None) -> Bom:
    """A new draft version (numbered after the highest existing one)."""
    if item.item_type in (Item.Type.RAW, Item.Type.SERVICE):
        raise field_error("item", _("%(type)s items have no bill of materials.") % {"type": item.get_item_type_display()},
                          CatalogErrorCode.NO_BOM_FOR_TYPE)
    Item.objects.select_for_update(no_key=True).get(pk=item.pk)  # serialise version numbers per item
    version = (Bom.objects.filter(item=item).aggregate(v=Max("version"))["v"] or 0) + 1
    bom = Bom(item=item, version=version, quantity=quantity, note=note)
    bom.full_clean()
    bom.save()
    for n, line in enumerate(lines or [], start=1):
        bom_line_add(bom=bom, sequence=line.get("sequence", n * 10), **{k: v for k, v in line.items() if k != "sequence"})
    audit_record(obj=bom, action="create", user=user)
    return bom


def _require_draft(bom: Bom) -> None:
    if bom.status != Bom.Status.DRAFT:
        raise ValidationError(_("BOM %(bom)s is %(status)s and cannot be changed; make a new version.")
                              % {"bom": bom, "status": bom.get_status_display()}, code=str(CatalogErrorCode.BOM_LOCKED))


@transaction.atomic
def bom_line_add(*, bom: Bom, component: Item, quantity: Decimal, scrap_pct: Decimal = Decimal("0"),
                 line_type: str = BomLine.LineType.COMPONENT, sequence: int = 10, note: str = "") -> BomLine:
    bom = Bom.objects.select_for_update().get(pk=bom.pk)
    _require_draft(bom)
    bom_guard.bom_guard_check(bom, bom_guard.LINE_ADD)
    if component.item_type == Item.Type.SERVICE and line_type == BomLine.LineType.BY_PRODUCT:
        raise field_error("component", _("A service cannot be a by-product."), CatalogErrorCode.INVALID_LINE)
    line = BomLine(bom=bom, component=component, quantity=quantity, scrap_pct=scrap_pct, line_type=line_type,
                   sequence=sequence, note=note)
    line.full_clean()
    cycle = bom_cycle_path(parent=bom.item, component=component)
    if cycle:
        raise field_error("component", _("This line would make a cycle: %(path)s") % {"path": " → ".join(cycle)},
                          CatalogErrorCode.BOM_CYCLE)
    line.save()
    return line


@transaction.atomic
def bom_line_remove(*, line: BomLine) -> None:
    bom = Bom.objects.select_for_update().get(pk=line.bom_id)
    _require_draft(bom)
    bom_guard.bom_guard_check(bom, bom_guard.LINE_REMOVE)
    line.delete()


def bom_cycle_path(*, parent: Item, component: Item) -> list[str]:
    """If `parent` is reachable from `component` through any non-archived BOM, the item codes of
    that path (parent → component → … → parent); else []."""
    if parent.pk == component.pk:
        return [parent.code, component.code]
    with connection.cursor() as cursor:
        cursor.execute("""
            WITH RECURSIVE walk(item_id, path, depth) AS (
                SELECT %(start)s::bigint, ARRAY[%(start)s::bigint], 0
                UNION ALL
                SELECT l.component_id, w.path || l.component_id, w.depth + 1
                  FROM walk w
                  JOIN catalog_bom b ON b.item_id = w.item_id AND b.status <> 'archived'
                  JOIN catalog_bomline l ON l.bom_id = b.id
                 WHERE NOT l.component_id = ANY(w.path) AND w.depth < 50
            )
            SELECT path FROM walk WHERE item_id = %(target)s ORDER BY depth LIMIT 1
        """, {"start": component.pk, "target": parent.pk})
        row = cursor.fetchone()
    if not row:
        return []
    codes = dict(Item.objects.filter(pk__in=row[0]).values_list("pk", "code"))
    return [parent.code] + [codes[i] for i in row[0]]


@transaction.atomic
def bom_release(*, bom: Bom, effective_from=None, user=None) -> Bom:
    bom = Bom.objects.select_for_update().get(pk=bom.pk)
    _require_draft(bom)
    bom_guard.bom_guard_check(bom, bom_guard.RELEASE)
    lines = list(bom.lines.select_related("component"))
    if not any(line.line_type == BomLine.LineType.COMPONENT for line in lines):
        raise ValidationError(_("A BOM needs at least one component line before release."),
                              code=str(CatalogErrorCode.BOM_EMPTY))
    for line in lines:
        cycle = bom_cycle_path(parent=bom.item, component=line.component)
        if cycle:
            raise ValidationError(_("Releasing would make a cycle: %(path)s") % {"path": " → ".join(cycle)},
                                  code=str(CatalogErrorCode.BOM_CYCLE))
    bom.status = Bom.Status.RELEASED
    bom.effective_from = effective_from or timezone.localdate()
    bom.released_at = timezone.now()
    bom.released_by = user if getattr(user, "is_authenticated", False) else None
    bom.save(update_fields=["status", "effective_from", "released_at", "released_by"])
    audit_record(obj=bom, action="status", user=user, changes={"status": ["draft", "released"],
                                                              "effective_from": [None, bom.effective_from]})
    return bom


@transaction.atomic
def bom_archive(*, bom: Bom, user=None) -> Bom:
    bom = Bom.objects.select_for_update().get(pk=bom.pk)
    bom_guard.bom_guard_check(bom, bom_guard.ARCHIVE)
    old = bom.status
    bom.status = Bom.Status.ARCHIVED
    bom.save(update_fields=["status"])
    audit_record(obj=bom, action="status", user=user, changes={"status": [old, "archived"]})
    return bom


@transaction.atomic
def bom_new_version(*, bom: Bom, user=None) -> Bom:
    """Copy a BOM (any status) into a new editable draft version."""
    lines = [{"component": line.component, "quantity": line.quantity, "scrap_pct": line.scrap_pct,
              "line_type": line.line_type, "sequence": line.sequence, "note": line.note}
             for line in bom.lines.select_related("component")]
    new = bom_create(item=bom.item, quantity=bom.quantity, note=bom.note, user=user)
    BomLine.objects.bulk_create([BomLine(bom=new, **line) for line in lines])
    return new


# ---- routings ----------------------------------------------------------------------------------


@transaction.atomic
def routing_create(*, item: Item, name: str, operations: list[dict]) -> Routing:
    routing = Routing(item=item, name=name)
    routing.full_clean()
    routing.save()
    for n, op in enumerate(operations, start=1):
        operation = RoutingOperation(routing=routing, sequence=op.get("sequence", n * 10),
                                     **{k: v for k, v in op.items() if k != "sequence"})
        operation.full_clean()
        operation.save()
    return routing
