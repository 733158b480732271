from __future__ import annotations

from decimal import Decimal

from api.graphql.core.dataloaders import DataLoader, group_by
from erp_modules.inventory.models import Reservation
from erp_modules.sales.models import RESERVATION_REFERENCE, SalesOrderKitComponent, SalesOrderLine
from erp_modules.sales.selectors import kits_reserved, order_line_needs


ZERO_QTY = Decimal("0.0000")


class SalesOrderLinesByOrderIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(SalesOrderLine.objects.filter(order_id__in=keys).order_by("order_id", "sequence", "id"),
                         lambda line: line.order_id)
        return [lines.get(k, []) for k in keys]


class ReservedByLineIdLoader(DataLoader[int, tuple]):
    """(reserved, short) of order lines: what is reserved of the open quantity (kits: complete kits)
    and what is still to make or buy; computed as the order page does (sales selectors), 3 queries."""

    default = (None, None)

    def batch_load(self, keys):
        lines = SalesOrderLine.objects.select_related("item", "item__uom", "order").in_bulk(keys)
        reservations = group_by(Reservation.objects.filter(reference_type=RESERVATION_REFERENCE,
                                                           reference_line_id__in=keys).order_by("pk"),
                                lambda r: r.reference_line_id)
        components = group_by(SalesOrderKitComponent.objects.filter(line_id__in=keys).select_related("item"),
                              lambda c: c.line_id)
        result = []
        for key in keys:
            line = lines.get(key)
            if line is None:
                result.append(self.default)
                continue
            if line.item.item_type == line.item.Type.SERVICE:
                result.append((None, None))  # nothing to reserve
                continue
            if not line.order.is_open:  # a draft, a cancelled or a closed order is short of nothing
                result.append((ZERO_QTY, ZERO_QTY))
                continue
            needs = order_line_needs(line=line, reservations=reservations.get(key, []),
                                     kit_components=components.get(key, []))
            if line.item.item_type == line.item.Type.KIT:
                reserved = kits_reserved(line=line, needs=needs)
                short = max(line.open_qty - reserved, ZERO_QTY)
            else:
                reserved, short = needs[0].reserved, needs[0].short
            result.append((reserved.quantize(ZERO_QTY), short.quantize(ZERO_QTY)))
        return result
