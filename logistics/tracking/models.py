"""TENANT schema: tracking subscriptions, events, received pushes and exception tasks.

A parcel with a waybill number is subscribed at a tracking provider (a push aggregator in the shape of
kuaidi100: callback URL + salt, the whole track pushed, signed with MD5(param + salt)) or polled. Events
are merged by (time, text): the same push twice changes nothing, an older push never moves a parcel's
status backwards. Exceptions (疑难, 退回, 拒签, no news for N days) open a task for the clerk.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_callback_token() -> str:
    return secrets.token_urlsafe(24)


def new_salt() -> str:
    return secrets.token_hex(16)


class Subscription(models.Model):
    """A parcel's waybill followed at a provider; the callback URL names ``callback_token``."""

    class Mode(models.TextChoices):
        PUSH = "push", _("push (subscribed)")
        POLL = "poll", _("polling")
        DRIVER = "driver", _("updated by the driver")

    class State(models.TextChoices):
        PENDING = "pending", _("to subscribe")
        ACTIVE = "active", _("active")
        ABORTED = "aborted", _("aborted: no news, to resubscribe")
        SHUTDOWN = "shutdown", _("finished")
        FAILED = "failed", _("failed")

    parcel = models.OneToOneField("logistics_shipments.Parcel", on_delete=models.CASCADE, related_name="subscription",
                                  verbose_name=_("parcel"))
    provider = models.CharField(_("provider"), max_length=30, default="aggregator")
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PUSH)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    callback_token = models.CharField(max_length=64, unique=True, default=new_callback_token, editable=False)
    salt = models.CharField(max_length=64, default=new_salt, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # resubscriptions after an "abort" push since the last news (TRACKING_RESUBSCRIBE_MAX_TIMES at most)
    resubscriptions = models.PositiveIntegerField(_("resubscriptions"), default=0)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    last_push_at = models.DateTimeField(_("last push"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracking subscription")
        verbose_name_plural = _("tracking subscriptions")
        indexes = [models.Index(fields=["mode", "state", "next_poll_at"], name="logistics_sub_poll_idx")]

    def __str__(self):
        return f"{self.parcel} ({self.get_state_display()})"


class TrackingEvent(models.Model):
    class Source(models.TextChoices):
        PUSH = "push", _("push")
        POLL = "poll", _("polling")
        DRIVER = "driver", _("driver")
        CLERK = "clerk", _("clerk")

    parcel = models.ForeignKey("logistics_shipments.Parcel", on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("parcel"))
    time = models.DateTimeField(_("time"))
    context = models.CharField(_("description"), max_length=500)
    status = models.CharField(_("status"), max_length=20, blank=True)  # a logistics_shipments.ParcelStatus value
    area_code = models.CharField(_("area code"), max_length=12, blank=True)
    area_name = models.CharField(_("area"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PUSH)
    # sha1 of (time, context): the same event pushed again is the same row
    fingerprint = models.CharField(max_length=40)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [models.UniqueConstraint(fields=["parcel", "fingerprint"], name="logistics_event_unique")]
        indexes = [models.Index(fields=["parcel", "-time"], name="logistics_event_time_idx")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.context}"


class PushLog(models.Model):
    """Every push received, accepted or not (forged ones are refused and logged here)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("queued for the worker")
        ACCEPTED = "accepted", _("accepted")
        DUPLICATE = "duplicate", _("nothing new")
        FORGED = "forged", _("bad signature")
        MALFORMED = "malformed", _("malformed")
        UNKNOWN = "unknown", _("unknown subscription")

    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="pushes", verbose_name=_("subscription"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    waybill_number = models.CharField(_("waybill number"), max_length=32, blank=True)
    remote_addr = models.CharField(_("from"), max_length=64, blank=True)
    body_sha1 = models.CharField(max_length=40, blank=True)
    new_events = models.PositiveIntegerField(_("new events"), default=0)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # a PENDING push (handed to the worker): the raw form fields, emptied once ingested
    param = models.TextField(blank=True, editable=False)
    sign = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received push")
        verbose_name_plural = _("received pushes")
        indexes = [models.Index(fields=["-received_at"], name="logistics_pushlog_time_idx"),
                   models.Index(fields=["id"], condition=models.Q(outcome="pending"),
                                name="logistics_pushlog_pending_idx")]


class ExceptionTask(models.Model):
    """A parcel that needs a clerk: 疑难, returned, refused, or no news for N days."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("problem reported by the carrier")
        RETURNING = "returning", _("returned to sender")
        REFUSED = "refused", _("refused by the consignee")
        NO_NEWS = "no_news", _("no news")

    parcel = models.ForeignKey("logistics_shipments.Parcel", on_delete=models.CASCADE, related_name="exception_tasks",
                               verbose_name=_("parcel"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False, verbose_name=_("resolved by"))
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    # when the clerks were told (e-mail); set once, so each task is announced once
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("exception task")
        verbose_name_plural = _("exception tasks")
        constraints = [
            # one open task per parcel and kind: a second push of the same problem does not open another
            models.UniqueConstraint(fields=["parcel", "kind"], condition=models.Q(resolved_at__isnull=True),
                                    name="logistics_exception_open_unique"),
        ]

    def __str__(self):
        return f"{self.parcel}: {self.get_kind_display()}"
