from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "erp_modules.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        # apps.py is imported while the app registry is loading: the selectors and importers (models) only now
        from erp_modules.catalog.stock_source import StockSource, stock_source_register
        from erp_modules.common.imports import import_kind_register
        from erp_modules.inventory import importers, selectors

        # the catalog's pages and services read an item's stock through this source (catalog/stock_source.py)
        stock_source_register(StockSource(
            on_hand=selectors.item_on_hand_expression,
            levels=lambda item: selectors.stock_level_list(item=item),
            moves=lambda item: selectors.stock_move_list(item=item),
            has_stock=lambda item: selectors.item_has_stock(item=item)))
        # the import of items is ours: a row may name the item's default warehouse
        import_kind_register(importer=importers.ItemImporter, order=10)
        import_kind_register(importer=importers.OpeningStockImporter, order=30)
