"""Who is asking: a session (browser) or a per-enterprise API token, on which host, with which scopes.

The view (api/graphql/views.py) builds one `ApiAuth` per request and puts it on the request
(`request.api_auth`); resolvers and mutations read it through `permissions.py`, never the session.

A session member's scopes come from their role in the enterprise of the host (viewer: every
`…:read`; clerk and above: also the `…:write` scopes; admin and owner: also `tokens:manage`).
A token's scopes are the ones it was created with; `tokens:manage` is never given to a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.tokens.scopes import SCOPES
from tenants.models import ROLE_RANK, Enterprise, Membership, Role

READ_SCOPES = frozenset(s for s in SCOPES if s.endswith(":read"))
WRITE_SCOPES = frozenset(s for s in SCOPES if s.endswith(":write"))
MANAGE_TOKENS = "tokens:manage"  # a session-only permission: admins create and revoke tokens


def scopes_for_role(role: str) -> frozenset[str]:
    rank = ROLE_RANK[role]
    scopes = set(READ_SCOPES)
    if rank >= ROLE_RANK[Role.CLERK]:
        scopes |= WRITE_SCOPES
    if rank >= ROLE_RANK[Role.ADMIN]:
        scopes.add(MANAGE_TOKENS)
    return frozenset(scopes)


def scopes_on_public_host(user) -> frozenset[str]:
    """A session on the public host acts on the boards for the enterprises the user belongs to:
    `boards:read` for everyone logged in, `boards:write` when the user is a clerk or above of an
    active enterprise (which enterprise acts is chosen per mutation; the board services check the
    membership of that one)."""
    scopes = {"boards:read"}
    roles = Membership.objects.filter(user=user, enterprise__status=Enterprise.Status.ACTIVE).values_list(
        "role", flat=True)
    if any(ROLE_RANK[role] >= ROLE_RANK[Role.CLERK] for role in roles):
        scopes.add("boards:write")
    return frozenset(scopes)


@dataclass
class ApiAuth:
    kind: str  # "anonymous" | "session" | "token"
    user: object | None = None  # the logged-in user (sessions only)
    enterprise: object | None = None  # the enterprise of the host (None on the public host)
    membership: object | None = None  # the session user's membership of that enterprise
    token: object | None = None  # the ApiToken (tokens only)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def on_enterprise_host(self) -> bool:
        return self.enterprise is not None

    @property
    def is_office(self) -> bool:
        user = self.user
        return bool(user is not None and (user.is_office or user.is_platform_admin))

    @property
    def own_enterprise(self):
        """The enterprise whose own data this caller may read: its token's, or the host's for a member."""
        if self.token is not None:
            return self.token.enterprise
        if self.membership is not None:
            return self.membership.enterprise
        return None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def can_read_govdata(self, uscc: str) -> bool:
        """Government data: the office, or the enterprise's own token (scope govdata:read) / members."""
        if self.is_office:
            return True
        own = self.own_enterprise
        return own is not None and own.uscc == uscc and self.has_scope("govdata:read")


ANONYMOUS = ApiAuth(kind="anonymous")


def auth_of(context) -> ApiAuth:
    return getattr(context, "api_auth", None) or ANONYMOUS
