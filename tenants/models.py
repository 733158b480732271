"""The control plane, in the PUBLIC schema: users, enterprises (tenants), their domains,
memberships, invitations, login hand-offs between hosts and the pool of spare schemas."""

from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from core.uscc import validate_uscc
from tenants.industries import industry_choices

SCHEMA_NAME_REGEX = r"^[a-z][a-z0-9_]{0,62}$"
SLUG_REGEX = r"^[a-z][a-z0-9-]{1,29}$"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("platform_role", User.PlatformRole.PLATFORM_ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """One login for the whole platform; what a user may do in an enterprise is its Membership."""

    class PlatformRole(models.TextChoices):
        NONE = "", _("Enterprise user")
        OFFICE = "office", _("Informatization office")
        PLATFORM_ADMIN = "platform_admin", _("Platform administrator")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    platform_role = models.CharField(_("platform role"), max_length=20, choices=PlatformRole.choices, blank=True,
                                     default="")
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # Bumped on log-out: every session of this user, on every host, stops being valid.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email.split("@")[0]

    @property
    def is_office(self) -> bool:
        return self.platform_role == self.PlatformRole.OFFICE

    @property
    def is_platform_admin(self) -> bool:
        return self.platform_role == self.PlatformRole.PLATFORM_ADMIN or self.is_superuser

    def _get_session_auth_hash(self, secret=None):
        key_salt = "tenants.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()


class Enterprise(TenantMixin):
    """A manufacturing enterprise; its business data lives in its own PostgreSQL schema."""

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("Provisioning")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    class SalesBand(models.TextChoices):
        UNDER_5M = "lt5m", _("Under 5M CNY")
        FROM_5M = "5m_20m", _("5M to 20M CNY")
        FROM_20M = "20m_100m", _("20M to 100M CNY")
        FROM_100M = "100m_500m", _("100M to 500M CNY")
        OVER_500M = "gt500m", _("Over 500M CNY")

    class Access(models.TextChoices):
        """What the enterprise's subscription allows (set by billing, enforced in tenants.entitlements)."""
        FULL = "full", _("Full")
        PAST_DUE = "past_due", _("Payment overdue (warning)")
        READ_ONLY = "read_only", _("Read-only (payment overdue past the grace period)")

    class Module(models.TextChoices):
        ERP = "erp", _("ERP")
        PDM = "pdm", _("Product data (PDM)")
        LOGISTICS = "logistics", _("Logistics")

    # schema_name comes from TenantMixin; the platform generates it (see tenants.provisioning).
    name = models.CharField(_("enterprise name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    slug = models.CharField(
        _("web address"), max_length=30, unique=True,
        validators=[RegexValidator(SLUG_REGEX, _("2-30 characters: lower-case letters, digits and hyphens, "
                                                 "starting with a letter."), code="slug_invalid")],
        help_text=_("Your enterprise works at <slug>.<platform domain>."),
    )
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, unique=True, validators=[validate_uscc])
    industry = models.CharField(_("industry (GB/T 4754-2017)"), max_length=4, choices=industry_choices)
    sales_band = models.CharField(_("annual sales"), max_length=12, choices=SalesBand.choices, default=SalesBand.UNDER_5M)
    address = models.CharField(_("address"), max_length=255, blank=True)
    town = models.CharField(_("town / subdistrict"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROVISIONING)
    modules = ArrayField(models.CharField(max_length=20, choices=Module.choices), default=list, blank=True,
                         verbose_name=_("enabled modules"))
    # Set by billing from the subscription (None: no limit); enforced where members are added.
    seat_limit = models.PositiveIntegerField(_("seat limit"), null=True, blank=True)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices, default=Access.FULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created by tenants.services.enterprise_provision (pool or clone), never on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(schema_name__regex=SCHEMA_NAME_REGEX),
                                   name="enterprise_schema_name_format"),
            models.CheckConstraint(condition=models.Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                                   name="enterprise_uscc_format"),
            models.CheckConstraint(condition=models.Q(slug__regex=SLUG_REGEX), name="enterprise_slug_format"),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def has_module(self, module: str) -> bool:
        return module in self.modules


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    CLERK = "clerk", _("Clerk")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.VIEWER: 10, Role.CLERK: 20, Role.MANAGER: 30, Role.ADMIN: 40, Role.OWNER: 50}


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CLERK)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "enterprise"], name="membership_user_enterprise_unique")]
        indexes = [models.Index(fields=["enterprise", "role"], name="membership_enterprise_role")]

    def __str__(self):
        return f"{self.user} @ {self.enterprise} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    @staticmethod
    def role_label(role: str) -> str:
        """The role's name in the reader's language (core.permissions names it on the 403 page)."""
        return str(Role(role).label)


class Invitation(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CLERK)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "email"],
                                    condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                                    name="invitation_one_open_per_email"),
        ]

    def __str__(self):
        return f"{self.email} → {self.enterprise}"


class LoginHandoff(models.Model):
    """A single-use ticket that carries a log-in from one host to an enterprise's host."""

    nonce = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)


class SpareSchema(models.Model):
    """A pre-migrated, empty enterprise schema waiting to be handed to a new enterprise."""

    schema_name = models.CharField(max_length=63, unique=True,
                                   validators=[RegexValidator(SCHEMA_NAME_REGEX)])
    fingerprint = models.CharField(max_length=64, help_text="hash of the template's applied migrations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(schema_name__regex=SCHEMA_NAME_REGEX),
                                              name="spareschema_schema_name_format")]
