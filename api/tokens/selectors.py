"""Reads of API tokens for the Settings → API tokens page."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, QuerySet, Value, When
from django.db.models.functions import Now

from api.tokens.models import ApiToken, TokenStatus


def api_token_list(*, enterprise) -> QuerySet[ApiToken]:
    """The enterprise's tokens, newest first, each annotated with `status` (a TokenStatus value)."""
    status = Case(When(revoked_at__isnull=False, then=Value(TokenStatus.REVOKED.value)),
                  When(expires_at__lte=Now(), then=Value(TokenStatus.EXPIRED.value)),
                  default=Value(TokenStatus.ACTIVE.value), output_field=models.CharField())
    return (ApiToken.objects.filter(enterprise=enterprise).select_related("created_by", "revoked_by")
            .annotate(status=status).order_by("-created_at", "-id"))


def api_token_get(*, enterprise, token_id: int) -> ApiToken | None:
    """One token of the enterprise (with `status`); another enterprise's is None, exactly like a missing one."""
    return api_token_list(enterprise=enterprise).filter(pk=token_id).first()
