"""TENANT schema: the enterprise's customers and suppliers, and their price lists."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.uscc import validate_uscc
from erp_modules.common.models import MONEY, QTY


class Partner(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True, validators=[validate_uscc],
                            help_text=_("When the partner is an enterprise."))
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # for the VAT invoice (开户行及账号)
    bank_name = models.CharField(_("bank (开户行)"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=40, blank=True)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer / supplier")
        verbose_name_plural = _("customers and suppliers")
        constraints = [
            models.CheckConstraint(condition=models.Q(is_customer=True) | models.Q(is_supplier=True),
                                   name="partner_is_customer_or_supplier"),
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="partner_uscc_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class PriceList(models.Model):
    class Kind(models.TextChoices):
        SALES = "sales", _("sales")
        PURCHASE = "purchase", _("purchase")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="price_lists",
                                help_text=_("Empty: the default list for everyone."))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    min_quantity = models.DecimalField(_("from quantity"), default=Decimal("0"), **QTY)
    unit_price = models.DecimalField(_("unit price (excl. VAT)"), **MONEY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)

    class Meta:
        ordering = ["price_list", "item", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "item", "min_quantity"], name="pricelistitem_unique"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="pricelistitem_price_nonnegative"),
        ]
