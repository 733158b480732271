"""PUBLIC schema: the per-enterprise API tokens of the GraphQL API.

The table is in the public schema because a token names its enterprise before any schema is chosen
(api/graphql/views.py authenticates it first, then checks it against the host). `api/graphql` itself is
a models-free package; this app holds the table, the services that create, revoke and authenticate a
token, and the administrators' Settings → API tokens page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TokenStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiToken(models.Model):
    """A per-enterprise API token for integrations. Only a SHA-256 of the secret is stored; the token
    is shown once, when it is created. `prefix` (public) finds the row, the hash proves the secret."""

    enterprise = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=30), default=list, verbose_name=_("scopes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.CheckConstraint(condition=~Q(scopes=[]), name="api_tokens_apitoken_has_scopes")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
