"""Writes on the control plane: provisioning, members, invitations, log-in hand-offs."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import field_error
from core.uscc import normalize_uscc
from tenants import entitlements, provisioning
from tenants.error_codes import TenantsErrorCode
from tenants.models import ROLE_RANK, Domain, Enterprise, Invitation, LoginHandoff, Membership, Role, User

log = logging.getLogger(__name__)

HANDOFF_SALT = "tenants.login-handoff"
INVITATION_DAYS = 14


def enterprise_domain_name(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _uniqueness_errors(*, slug: str, uscc: str) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if Enterprise.objects.filter(uscc=uscc).exists():
        errors["uscc"] = [ValidationError(_("An enterprise with this Unified Social Credit Code is already registered."),
                                          code=TenantsErrorCode.USCC_TAKEN)]
    if slug in settings.RESERVED_SLUGS:
        errors["slug"] = [ValidationError(_("This web address is reserved; please choose another."),
                                          code=TenantsErrorCode.SLUG_RESERVED)]
    elif Enterprise.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=enterprise_domain_name(slug)).exists():
        errors["slug"] = [ValidationError(_("This web address is already taken."), code=TenantsErrorCode.SLUG_TAKEN)]
    return errors


def enterprise_validate(enterprise: Enterprise) -> None:
    """Field validation plus uniqueness, with our own error codes; raises one ValidationError for all fields."""
    errors: dict[str, list] = {}
    try:
        enterprise.full_clean(exclude=["schema_name"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    for field, errs in _uniqueness_errors(slug=enterprise.slug, uscc=enterprise.uscc).items():
        errors.setdefault(field, []).extend(errs)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enterprise_provision(
    *,
    name: str,
    slug: str,
    uscc: str,
    industry: str,
    owner: User,
    short_name: str = "",
    sales_band: str = Enterprise.SalesBand.UNDER_5M,
    address: str = "",
    town: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    modules: list[str] | None = None,
) -> Enterprise:
    """The one way to create an enterprise: schema (from the spare pool, else cloned from the
    template), enterprise row, primary domain and owner membership, all in one transaction."""
    enterprise = Enterprise(
        name=name.strip(), short_name=short_name.strip(), slug=(slug or "").strip().lower(),
        uscc=normalize_uscc(uscc), industry=industry, sales_band=sales_band, address=address.strip(),
        town=town.strip(), contact_name=contact_name.strip() or owner.get_full_name(),
        contact_phone=contact_phone.strip(), contact_email=contact_email.strip() or owner.email,
        modules=list(modules if modules is not None else [m.value for m in Enterprise.Module]),
        status=Enterprise.Status.ACTIVE,
    )
    enterprise_validate(enterprise)

    connection.set_schema_to_public()
    schema_name = provisioning.spare_take(provisioning.template_fingerprint())
    if schema_name is None:
        schema_name = provisioning.schema_name_generate()
        provisioning.schema_clone_from_template(schema_name)
    enterprise.schema_name = schema_name
    try:
        with transaction.atomic():
            enterprise.save()
            Domain.objects.create(domain=enterprise_domain_name(enterprise.slug), tenant=enterprise, is_primary=True)
    except IntegrityError as exc:
        # Two sign-ups raced past the checks above: report it on the field, like the checks do.
        errors = _uniqueness_errors(slug=enterprise.slug, uscc=enterprise.uscc)
        if not errors:
            raise
        raise ValidationError(errors) from exc
    Membership.objects.create(user=owner, enterprise=enterprise, role=Role.OWNER)
    transaction.on_commit(_spare_pool_refill_later)
    log.info("provisioned enterprise %s (%s) in schema %s", enterprise.slug, enterprise.uscc, schema_name)
    return enterprise


@shared_task(name="tenants.spare_pool_top_up", ignore_result=True)
def spare_pool_top_up_task() -> int:
    """The Celery task that refills the pool of spare schemas (after a provisioning took one; beat every
    minute). Defined here, next to the function that queues it; tenants.tasks imports it for Celery."""
    return provisioning.spare_pool_top_up()


def _spare_pool_refill_later() -> None:
    try:
        spare_pool_top_up_task.delay()
    except Exception:  # the broker being down must not fail a sign-up; beat tops up every minute
        log.warning("could not queue the spare pool top-up", exc_info=True)


@transaction.atomic
def enterprise_delete(*, enterprise: Enterprise) -> None:
    """Remove an enterprise and drop its schema (platform admins; tests)."""
    schema_name = enterprise.schema_name
    connection.set_schema_to_public()
    Enterprise.objects.filter(pk=enterprise.pk).delete()
    provisioning.schema_drop(schema_name)


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, data: dict) -> Enterprise:
    editable = {"name", "short_name", "sales_band", "address", "town", "contact_name", "contact_phone",
                "contact_email", "modules", "industry"}
    unknown = set(data) - editable
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    for field, value in data.items():
        setattr(enterprise, field, value.strip() if isinstance(value, str) else value)
    enterprise.full_clean(exclude=["schema_name"])
    enterprise.save()
    return enterprise


def user_create(*, email: str, password: str | None, full_name: str = "", **extra) -> User:
    email = (email or "").strip().lower()
    user = User(email=email, full_name=full_name.strip(), **extra)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.error_list}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_logout_everywhere(*, user: User) -> None:
    """Invalidate every session of the user on every host (see User._get_session_auth_hash)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        User.objects.filter(pk=user.pk).update(language=language)


# ---- members -------------------------------------------------------------------------------


def _require_manager_of_members(actor: Membership) -> None:
    if not actor.has_role(Role.ADMIN):
        raise ValidationError(_("Only owners and administrators can manage members."), code=TenantsErrorCode.FORBIDDEN)


def _require_can_grant(actor: Membership, role: str) -> None:
    if role not in ROLE_RANK:
        raise field_error("role", _("Unknown role."), TenantsErrorCode.ROLE_INVALID)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise field_error("role", _("Only an owner can make someone an owner."), TenantsErrorCode.FORBIDDEN)


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str, base_url: str) -> Invitation:
    """Invite by email: the person gets a link; someone with a login accepts after logging in,
    anyone else creates a login on the same page. Re-inviting replaces the open invitation."""
    _require_manager_of_members(actor)
    _require_can_grant(actor, role)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise field_error("email", _("Enter a valid email address."), TenantsErrorCode.EMAIL_INVALID)
    enterprise = actor.enterprise
    if Membership.objects.filter(enterprise=enterprise, user__email=email).exists():
        raise field_error("email", _("%(email)s is already a member.") % {"email": email},
                          TenantsErrorCode.ALREADY_MEMBER)
    _seats_check(enterprise=enterprise, replacing_email=email)
    Invitation.objects.filter(enterprise=enterprise, email=email, accepted_at__isnull=True,
                              revoked_at__isnull=True).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        enterprise=enterprise, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    link = f"{base_url}/invite/{invitation.token}/"
    context = {"invitation": invitation, "enterprise": enterprise, "link": link, "inviter": actor.user}
    transaction.on_commit(lambda: send_mail(
        subject=_("%(inviter)s invites you to %(enterprise)s on Digital Bridge")
        % {"inviter": actor.user.get_short_name(), "enterprise": enterprise.display_name},
        message=render_to_string("tenants/email/invitation.txt", context),
        from_email=None, recipient_list=[email],
    ))
    return invitation


def _seats_check(*, enterprise: Enterprise, replacing_email: str | None = None, field: str | None = "email") -> None:
    """The plan's seat limit (tenants.entitlements), before a member is invited or added. The enterprise row is
    locked, so two invitations racing for the last seat cannot both get it. An invitation (replacing_email:
    the one it replaces does not count) holds a seat until it is accepted, revoked or expired."""
    locked = Enterprise.objects.select_for_update().only("pk", "seat_limit").get(pk=enterprise.pk)
    if locked.seat_limit is None:
        return
    members = Membership.objects.filter(enterprise=locked).count()
    pending = 0
    if replacing_email is not None:
        pending = (Invitation.objects.filter(enterprise=locked, accepted_at__isnull=True, revoked_at__isnull=True,
                                             expires_at__gt=timezone.now())
                   .exclude(email=replacing_email).count())
    entitlements.seat_limit_check(enterprise=locked, members=members, pending=pending, field=field)


def invitation_get_open(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("enterprise").filter(token=token).first()
    if (invitation is None or invitation.accepted_at or invitation.revoked_at
            or invitation.expires_at < timezone.now()
            or invitation.enterprise.status != Enterprise.Status.ACTIVE):
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."),
                              code=TenantsErrorCode.INVITATION_INVALID)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_get_open(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."),
                              code=TenantsErrorCode.INVITATION_INVALID)
    if invitation.email != user.email:
        raise ValidationError(_("This invitation was sent to %(email)s; log in with that address to accept it.")
                              % {"email": invitation.email}, code=TenantsErrorCode.INVITATION_OTHER_EMAIL)
    if not Membership.objects.filter(user=user, enterprise=invitation.enterprise).exists():
        _seats_check(enterprise=invitation.enterprise, field=None)
    membership, _created = Membership.objects.get_or_create(
        user=user, enterprise=invitation.enterprise, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation_id: int) -> None:
    _require_manager_of_members(actor)
    updated = Invitation.objects.filter(pk=invitation_id, enterprise=actor.enterprise, accepted_at__isnull=True,
                                        revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise ValidationError(_("Invitation not found."), code=TenantsErrorCode.NOT_FOUND)


def _owners_left_after(enterprise: Enterprise, membership: Membership) -> int:
    return Membership.objects.filter(enterprise=enterprise, role=Role.OWNER).exclude(pk=membership.pk).count()


@transaction.atomic
def membership_change_role(*, actor: Membership, membership_id: int, role: str) -> Membership:
    _require_manager_of_members(actor)
    _require_can_grant(actor, role)
    target = (Membership.objects.select_for_update().filter(pk=membership_id, enterprise=actor.enterprise).first())
    if target is None:
        raise ValidationError(_("Member not found."), code=TenantsErrorCode.NOT_FOUND)
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationError(_("Only an owner can change an owner's role."), code=TenantsErrorCode.FORBIDDEN)
    # Lock all owners so two concurrent demotions cannot leave the enterprise without one.
    list(Membership.objects.select_for_update().filter(enterprise=actor.enterprise, role=Role.OWNER))
    if target.role == Role.OWNER and role != Role.OWNER and _owners_left_after(actor.enterprise, target) == 0:
        raise ValidationError(_("An enterprise needs at least one owner."), code=TenantsErrorCode.LAST_OWNER)
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, actor: Membership, membership_id: int) -> None:
    target = Membership.objects.select_for_update().filter(pk=membership_id, enterprise=actor.enterprise).first()
    if target is None:
        raise ValidationError(_("Member not found."), code=TenantsErrorCode.NOT_FOUND)
    if target.pk != actor.pk:  # anyone may leave; removing others needs admin
        _require_manager_of_members(actor)
        if target.role == Role.OWNER and actor.role != Role.OWNER:
            raise ValidationError(_("Only an owner can remove an owner."), code=TenantsErrorCode.FORBIDDEN)
    list(Membership.objects.select_for_update().filter(enterprise=actor.enterprise, role=Role.OWNER))
    if target.role == Role.OWNER and _owners_left_after(actor.enterprise, target) == 0:
        raise ValidationError(_("An enterprise needs at least one owner."), code=TenantsErrorCode.LAST_OWNER)
    target.delete()


# ---- log-in hand-off between hosts ---------------------------------------------------------


def login_handoff_issue(*, user: User, enterprise: Enterprise) -> str:
    """A signed, single-use, short-lived ticket that logs ``user`` in on the enterprise's host."""
    if not Membership.objects.filter(user=user, enterprise=enterprise).exists():
        raise ValidationError(_("Not found."), code=TenantsErrorCode.NOT_FOUND)
    nonce = secrets.token_urlsafe(24)
    LoginHandoff.objects.create(nonce=nonce, user=user, enterprise=enterprise)
    return signing.dumps({"n": nonce, "u": user.pk, "e": enterprise.pk, "l": translation.get_language()},
                         salt=HANDOFF_SALT)


@transaction.atomic
def login_handoff_redeem(*, token: str, enterprise: Enterprise) -> tuple[User, str]:
    """Returns (user, language) or raises ValidationError; each ticket works once, on its own enterprise."""
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=settings.LOGIN_HANDOFF_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("The sign-in link has expired; please try again."), code=TenantsErrorCode.HANDOFF_EXPIRED)
    except signing.BadSignature:
        raise ValidationError(_("The sign-in link is not valid."), code=TenantsErrorCode.HANDOFF_INVALID)
    if data.get("e") != enterprise.pk:
        raise ValidationError(_("The sign-in link is not valid."), code=TenantsErrorCode.HANDOFF_INVALID)
    used = LoginHandoff.objects.filter(nonce=data.get("n"), user_id=data.get("u"), enterprise=enterprise,
                                       used_at__isnull=True).update(used_at=timezone.now())
    if used != 1:
        raise ValidationError(_("The sign-in link has already been used."), code=TenantsErrorCode.HANDOFF_USED)
    user = User.objects.get(pk=data["u"])
    if not user.is_active:
        raise ValidationError(_("The sign-in link is not valid."), code=TenantsErrorCode.HANDOFF_INVALID)
    return user, data.get("l") or ""


def login_handoff_purge(*, older_than: timedelta = timedelta(hours=1)) -> int:
    deleted, _ = LoginHandoff.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def membership_touch(*, membership: Membership) -> None:
    """Record that the member used the enterprise (at most once a minute per member)."""
    now = timezone.now()
    if membership.last_seen_at is None or now - membership.last_seen_at > timedelta(minutes=1):
        Membership.objects.filter(pk=membership.pk).update(last_seen_at=now)
        membership.last_seen_at = now


@transaction.atomic
def enterprise_signup(*, user: User | None, owner_email: str = "", owner_password: str = "", owner_name: str = "",
                      **enterprise_fields) -> tuple[Enterprise, User]:
    """Sign-up from the public site: create the owner's login (unless logged in) and the
    enterprise together; any error leaves neither behind."""
    errors: dict[str, list] = {}
    owner = user if user is not None and user.is_authenticated else None
    if owner is None:
        if User.objects.filter(email=(owner_email or "").strip().lower()).exists():
            errors["email"] = [ValidationError(_("This email already has a login: log in first, then add the enterprise."),
                                               code=TenantsErrorCode.EMAIL_TAKEN)]
        else:
            try:
                with transaction.atomic():
                    owner = user_create(email=owner_email, password=owner_password, full_name=owner_name)
            except ValidationError as exc:
                errors.update(exc.error_dict)
    if owner is None:
        # Still check the enterprise fields so that the form shows every error at once.
        probe = Enterprise(name=enterprise_fields.get("name", ""), slug=enterprise_fields.get("slug", ""),
                           uscc=normalize_uscc(enterprise_fields.get("uscc", "")),
                           industry=enterprise_fields.get("industry", ""),
                           sales_band=enterprise_fields.get("sales_band", Enterprise.SalesBand.UNDER_5M))
        try:
            enterprise_validate(probe)
        except ValidationError as exc:
            for field, errs in exc.error_dict.items():
                errors.setdefault(field, []).extend(errs)
        raise ValidationError(errors)
    try:
        enterprise = enterprise_provision(owner=owner, **enterprise_fields)
    except ValidationError as exc:
        for field, errs in exc.error_dict.items():
            errors.setdefault(field, []).extend(errs)
        raise ValidationError(errors)
    return enterprise, owner


@transaction.atomic
def invitation_signup(*, token: str, full_name: str, password: str) -> User:
    """Create the login of an invited person who has none, and accept the invitation."""
    invitation = invitation_get_open(token=token)
    if User.objects.filter(email=invitation.email).exists():
        raise ValidationError(_("This email already has a login: log in to accept the invitation."),
                              code=TenantsErrorCode.EMAIL_TAKEN)
    user = user_create(email=invitation.email, password=password, full_name=full_name)
    invitation_accept(token=token, user=user)
    return user
