"""Core keeps one table, in the public schema: the hit counters of throttled actions (core.throttle)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Hits of one throttled action (``scope``) by one client (``key``: an address or an account) in
    the fixed window starting at ``window_start``. Written only by ``core.throttle.throttle_hit``."""

    scope = models.CharField(_("action"), max_length=40)
    key = models.CharField(_("address or account"), max_length=255)
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"],
                                               name="core_ratecounter_scope_key_window")]

    def __str__(self):
        return f"{self.scope} {self.key} {self.hits}"
