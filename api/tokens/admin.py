from django.contrib import admin

from api.tokens.models import ApiToken
from core.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created and revoked by the enterprise's administrators (Settings → API tokens), never here."""

    list_display = ("name", "enterprise", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
