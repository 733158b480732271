"""Per-enterprise API tokens for the GraphQL API: create (shown once), revoke, authenticate.

A token reads `dbk_<prefix>_<secret>`. The prefix (public, unique) finds the row; only the SHA-256
of the whole token is stored, compared in constant time. The secret has 256 bits of entropy, so a
fast hash is enough (a password needs a slow one because people choose weak ones; tokens are random).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.tokens.error_codes import TokenErrorCode
from api.tokens.models import ApiToken
from api.tokens.scopes import SCOPES
from core.errors import field_error

TOKEN_PREFIX = "dbk_"
MAX_ACTIVE_TOKENS = 50
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewToken:
    api_token: ApiToken
    token: str  # shown once


@transaction.atomic
def api_token_create(*, enterprise, name: str, scopes: list[str], user=None, expires_at=None) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Give the token a name (what will use it)."), TokenErrorCode.REQUIRED)
    scopes = sorted(set(scopes or []))
    if not scopes:
        raise field_error("scopes", _("Choose at least one scope."), TokenErrorCode.REQUIRED)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise field_error("scopes", _("Unknown scopes: %(s)s") % {"s": ", ".join(unknown)},
                          TokenErrorCode.INVALID_SCOPE)
    if expires_at is not None and expires_at <= timezone.now():
        raise field_error("expires_at", _("The expiry must be in the future."), TokenErrorCode.INVALID_DATE)
    active = ApiToken.objects.select_for_update().filter(enterprise=enterprise, revoked_at__isnull=True)
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise field_error("name", _("An enterprise can have at most %(n)d active tokens; revoke one first.")
                          % {"n": MAX_ACTIVE_TOKENS}, TokenErrorCode.TOO_MANY)
    prefix = secrets.token_hex(5)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(enterprise=enterprise, name=name[:100], prefix=prefix, token_hash=token_hash(token), scopes=scopes,
                   created_by=user if getattr(user, "pk", None) else None, expires_at=expires_at)
    row.full_clean()
    row.save()
    return NewToken(api_token=row, token=token)


@transaction.atomic
def api_token_revoke(*, api_token: ApiToken, user=None) -> ApiToken:
    row = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if row.revoked_at is not None:
        raise field_error("id", _("This token is already revoked."), TokenErrorCode.ALREADY_REVOKED)
    row.revoked_at = timezone.now()
    row.revoked_by = user if getattr(user, "pk", None) else None
    row.save(update_fields=["revoked_at", "revoked_by"])
    return row


def api_token_authenticate(token: str) -> ApiToken | None:
    """The active token (with its enterprise) for a presented secret, else None."""
    token = (token or "").strip()
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    prefix = token[len(TOKEN_PREFIX):].split("_", 1)[0]
    row = ApiToken.objects.select_related("enterprise").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.token_hash, token_hash(token)):
        return None
    now = timezone.now()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row
