from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from erp_modules.partners.models import Partner
from erp_modules.inventory.models import Reservation
from erp_modules.sales.models import RESERVATION_REFERENCE, SalesOrderKitComponent, SalesOrderLine


class PartnerByIdLoader(ByIdLoader[Partner]):
    model = Partner


class SalesOrderLinesByOrderIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(SalesOrderLine.objects.filter(order_id__in=keys).order_by("order_id", "sequence", "id"),
                         lambda line: line.order_id)
        return [lines.get(k, []) for k in keys]

    def after_batch(self, values):
        from api.graphql.sales.types import SalesOrderLineType

        SalesOrderLineType.prepare(self.context, [line for group in values for line in group])


class ReservedByLineIdLoader(DataLoader[int, tuple]):
    """(reserved, short) of order lines: what is reserved of the open quantity (kits: complete kits)
    and what is still to make or buy; computed as the order page does (sales selectors), 3 queries."""

    default = (None, None)

    def batch_load(self, keys):
        from erp_modules.sales.selectors import kits_reserved, order_line_needs

        lines = SalesOrderLine.objects.select_related("item", "item__uom").in_bulk(keys)
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
            needs = order_line_needs(line=line, reservations=reservations.get(key, []),
                                     kit_components=components.get(key, []))
            if not needs:  # a service: nothing to reserve
                result.append((None, None))
            elif line.item.item_type == line.item.Type.KIT:
                reserved = kits_reserved(line=line, needs=needs)
                result.append((reserved, max(line.open_qty - reserved, 0)))
            else:
                result.append((needs[0].reserved, needs[0].short))
        return result
