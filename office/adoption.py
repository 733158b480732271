"""What "adopted" means for a programme, and why an enterprise is (not) there yet.

A programme's `criteria` (all keys optional):

    min_active_users_30d     people who used the enterprise's platform in the last 30 days
    min_documents_per_month  documents of `document_kinds` created in a 30-day window
    consecutive_months       1 or 2: how many 30-day windows in a row must reach that number
                             (2 = the last 30 days and the 30 days before them)
    document_kinds           which documents count (metrics.DOCUMENT_KINDS); default all
    min_modules_in_use       modules with documents in the last 30 days
    min_completeness_pct     data completeness of the item master (BOM, lead time, cost)
    min_parts_under_revision parts with at least one revision (PDM)
    min_vault_documents      documents in the PDM vault
    min_ecos_completed_90d   engineering changes applied in the last 90 days
    min_tracked_deliveries_pct  share (%) of the sales deliveries of the last 30 days shipped with tracking
    min_shipments_30d        shipments made in the last 30 days (logistics)

The PDM demonstration rule (PDM_DEMONSTRATION): an enterprise demonstrates PDM when it has at least
10 parts under revision control, 5 documents in the vault and 1 ECO completed in 90 days. A programme
of the PDM module is evaluated with these three on top of its own criteria (`programme_criteria`;
a value the programme sets itself wins), so its progress against the target counts demonstrations.

The logistics demonstration rule (LOGISTICS_DEMONSTRATION), for a programme of the logistics module in
the same way: at least 50% of the sales deliveries of the last 30 days shipped with tracking (a parcel
with a waybill number that is followed) and at least 10 shipments in those 30 days.

Status from the latest snapshot:
    not started  no figures yet, or no active user and no counted document in 60 days
    adopted      every criterion met
    at risk      anything else; the reasons name each unmet criterion with the value and the need
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from office.error_codes import OfficeErrorCode
from office.metrics import DOCUMENT_KINDS, KIND_LABELS

ADOPTED, AT_RISK, NOT_STARTED = "adopted", "at_risk", "not_started"
PDM_KEYS = ("min_parts_under_revision", "min_vault_documents", "min_ecos_completed_90d")
LOGISTICS_KEYS = ("min_tracked_deliveries_pct", "min_shipments_30d")
INT_KEYS = ("min_active_users_30d", "min_documents_per_month", "consecutive_months", "min_modules_in_use", *PDM_KEYS,
            *LOGISTICS_KEYS)
# When an enterprise counts as demonstrating PDM (the PDM programme's target counts such enterprises).
PDM_DEMONSTRATION = {"min_parts_under_revision": 10, "min_vault_documents": 5, "min_ecos_completed_90d": 1}
# criterion key -> (snapshot field, reason code)
PDM_MEASURES = {"min_parts_under_revision": ("pdm_parts_under_revision", "pdm_parts"),
                "min_vault_documents": ("pdm_vault_documents", "pdm_documents"),
                "min_ecos_completed_90d": ("pdm_ecos_completed_90d", "pdm_ecos")}
# When an enterprise counts as using logistics management (the logistics programme's target counts them).
LOGISTICS_DEMONSTRATION = {"min_tracked_deliveries_pct": 50, "min_shipments_30d": 10}
KNOWN_KEYS = set(INT_KEYS) | {"document_kinds", "min_completeness_pct"}
# Each criterion as the office's form names it (the programme form and the change history share these).
CRITERIA_LABELS = {
    "min_active_users_30d": gettext_lazy("Active users in 30 days, at least"),
    "min_documents_per_month": gettext_lazy("Documents in 30 days, at least"),
    "consecutive_months": gettext_lazy("Documents needed in"),
    "document_kinds": gettext_lazy("Documents that count"),
    "min_modules_in_use": gettext_lazy("Modules in use, at least"),
    "min_completeness_pct": gettext_lazy("Data completeness %, at least"),
    "min_parts_under_revision": gettext_lazy("Parts under revision control, at least"),
    "min_vault_documents": gettext_lazy("Documents in the vault, at least"),
    "min_ecos_completed_90d": gettext_lazy("ECOs completed in 90 days, at least"),
    "min_tracked_deliveries_pct": gettext_lazy("Deliveries shipped with tracking %, at least"),
    "min_shipments_30d": gettext_lazy("Shipments in 30 days, at least"),
}
CONSECUTIVE_MONTHS_LABELS = {1: gettext_lazy("the last 30 days"),
                             2: gettext_lazy("each of two 30-day periods in a row")}


def criteria_clean(criteria) -> dict:
    """The criteria with their types checked; ValidationError(code=criteria_invalid) naming the key."""
    if not isinstance(criteria, dict):
        raise ValidationError(_("The adoption criteria must be a JSON object."), code=OfficeErrorCode.CRITERIA_INVALID)
    unknown = set(criteria) - KNOWN_KEYS
    if unknown:
        raise ValidationError(_("Unknown adoption criteria: %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
                              code=OfficeErrorCode.CRITERIA_INVALID)
    cleaned: dict = {}
    for key in INT_KEYS:
        if key in criteria:
            value = criteria[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(_("%(key)s must be a whole number of 0 or more.") % {"key": key},
                                      code=OfficeErrorCode.CRITERIA_INVALID)
            cleaned[key] = value
    if cleaned.get("min_tracked_deliveries_pct", 0) > 100:
        raise ValidationError(_("min_tracked_deliveries_pct must be between 0 and 100."),
                              code=OfficeErrorCode.CRITERIA_INVALID)
    if cleaned.get("consecutive_months", 1) not in (1, 2):
        raise ValidationError(_("consecutive_months must be 1 or 2."), code=OfficeErrorCode.CRITERIA_INVALID)
    if "document_kinds" in criteria:
        kinds = criteria["document_kinds"]
        if not isinstance(kinds, list) or not kinds or any(k not in DOCUMENT_KINDS for k in kinds):
            raise ValidationError(_("document_kinds must be a list of: %(kinds)s.") % {"kinds": ", ".join(DOCUMENT_KINDS)},
                                  code=OfficeErrorCode.CRITERIA_INVALID)
        cleaned["document_kinds"] = list(kinds)
    if "min_completeness_pct" in criteria:
        try:
            pct = Decimal(str(criteria["min_completeness_pct"]))
        except InvalidOperation:
            pct = Decimal("-1")
        if not Decimal("0") <= pct <= Decimal("100"):
            raise ValidationError(_("min_completeness_pct must be between 0 and 100."),
                                  code=OfficeErrorCode.CRITERIA_INVALID)
        cleaned["min_completeness_pct"] = criteria["min_completeness_pct"]
    return cleaned


def programme_criteria(programme) -> dict:
    """The criteria a programme's enrolments are evaluated with: its own, and for a programme of the
    PDM module the PDM demonstration rule under them, for one of the logistics module the logistics rule (a key
    the programme sets itself wins)."""
    criteria = dict(programme.criteria or {})
    if programme.module == "pdm":
        criteria = {**PDM_DEMONSTRATION, **criteria}
    elif programme.module == "logistics":
        criteria = {**LOGISTICS_DEMONSTRATION, **criteria}
    return criteria


@dataclass
class Evaluation:
    status: str
    reasons: list[dict] = field(default_factory=list)


def _documents(counts: dict, kinds: list[str] | None) -> int:
    return sum(int(n) for k, n in (counts or {}).items() if kinds is None or k in kinds)


def adoption_evaluate(*, criteria: dict, snapshot) -> Evaluation:
    """`snapshot` is an AdoptionSnapshot (or anything with its fields), or None."""
    if snapshot is None:
        return Evaluation(NOT_STARTED, [{"code": "no_figures", "met": False}])
    kinds = criteria.get("document_kinds")
    last = _documents(snapshot.documents_30d, kinds)
    before = _documents(snapshot.documents_prev_30d, kinds)
    if snapshot.active_users_30d == 0 and last == 0 and before == 0:
        return Evaluation(NOT_STARTED, [{"code": "no_activity", "met": False}])
    reasons: list[dict] = []
    if "min_active_users_30d" in criteria:
        need = criteria["min_active_users_30d"]
        reasons.append({"code": "active_users", "value": snapshot.active_users_30d, "needed": need,
                        "met": snapshot.active_users_30d >= need})
    if "min_documents_per_month" in criteria:
        need = criteria["min_documents_per_month"]
        reasons.append({"code": "documents", "window": "last_30d", "value": last, "needed": need,
                        "kinds": kinds, "met": last >= need})
        if criteria.get("consecutive_months", 1) == 2:
            reasons.append({"code": "documents", "window": "prev_30d", "value": before, "needed": need,
                            "kinds": kinds, "met": before >= need})
    if "min_modules_in_use" in criteria:
        need = criteria["min_modules_in_use"]
        value = len(snapshot.modules_in_use or [])
        reasons.append({"code": "modules", "value": value, "needed": need, "met": value >= need})
    if "min_completeness_pct" in criteria:
        need = Decimal(str(criteria["min_completeness_pct"]))
        value = snapshot.completeness_pct
        reasons.append({"code": "completeness", "value": None if value is None else str(value),
                        "needed": str(need), "met": value is not None and Decimal(value) >= need})
    reasons += _pdm_reasons(criteria, snapshot)
    reasons += _logistics_reasons(criteria, snapshot)
    status = ADOPTED if all(r["met"] for r in reasons) else AT_RISK
    return Evaluation(status, reasons)


def _pdm_reasons(criteria: dict, snapshot) -> list[dict]:
    reasons = []
    for key, (attribute, code) in PDM_MEASURES.items():
        if key in criteria:
            value, need = int(getattr(snapshot, attribute, 0) or 0), criteria[key]
            reasons.append({"code": code, "value": value, "needed": need, "met": value >= need})
    return reasons


def pdm_demonstration_evaluate(*, snapshot) -> Evaluation:
    """Whether an enterprise demonstrates PDM by the PDM_DEMONSTRATION rule alone (no snapshot: not
    started); the reasons name each measure with its value and what it needs."""
    if snapshot is None:
        return Evaluation(NOT_STARTED, [{"code": "no_figures", "met": False}])
    reasons = _pdm_reasons(PDM_DEMONSTRATION, snapshot)
    return Evaluation(ADOPTED if all(r["met"] for r in reasons) else AT_RISK, reasons)


def _logistics_reasons(criteria: dict, snapshot) -> list[dict]:
    reasons = []
    if "min_tracked_deliveries_pct" in criteria:
        need, value = criteria["min_tracked_deliveries_pct"], getattr(snapshot, "logistics_tracked_pct", None)
        met = value is not None and Decimal(value) >= need
        reasons.append({"code": "logistics_tracked", "value": None if value is None else str(value), "needed": need,
                        "deliveries": int(getattr(snapshot, "logistics_deliveries_30d", 0) or 0), "met": met})
    if "min_shipments_30d" in criteria:
        value, need = int(getattr(snapshot, "logistics_shipments_30d", 0) or 0), criteria["min_shipments_30d"]
        reasons.append({"code": "logistics_shipments", "value": value, "needed": need, "met": value >= need})
    return reasons


def logistics_demonstration_evaluate(*, snapshot) -> Evaluation:
    """Whether an enterprise uses logistics management by the LOGISTICS_DEMONSTRATION rule alone (no snapshot:
    not started); the reasons name each measure with its value and what it needs."""
    if snapshot is None:
        return Evaluation(NOT_STARTED, [{"code": "no_figures", "met": False}])
    reasons = _logistics_reasons(LOGISTICS_DEMONSTRATION, snapshot)
    return Evaluation(ADOPTED if all(r["met"] for r in reasons) else AT_RISK, reasons)


def _kinds_text(kinds) -> str:
    if not kinds:
        return _("documents")
    return "/".join(str(KIND_LABELS.get(k, k)) for k in kinds)


def reason_text(reason: dict) -> str:
    code = reason.get("code")
    if code == "no_figures":
        return _("no activity figures yet")
    if code == "no_activity":
        return _("no activity in the last 60 days")
    if code == "active_users":
        return ngettext("%(value)d active user in 30 days (needs %(needed)d)",
                        "%(value)d active users in 30 days (needs %(needed)d)", reason["value"]) % reason
    if code == "documents":
        values = {**reason, "kinds": _kinds_text(reason.get("kinds"))}
        if reason.get("window") == "prev_30d":
            return _("%(value)d %(kinds)s in the 30 days before (needs %(needed)d)") % values
        return _("%(value)d %(kinds)s in the last 30 days (needs %(needed)d)") % values
    if code == "modules":
        return ngettext("%(value)d module in use (needs %(needed)d)",
                        "%(value)d modules in use (needs %(needed)d)", reason["value"]) % reason
    if code == "completeness":
        if reason.get("value") is None:
            return _("no items yet for data completeness (needs %(needed)s%%)") % reason
        return _("data completeness %(value)s%% (needs %(needed)s%%)") % reason
    if code == "pdm_parts":
        return ngettext("%(value)d part under revision control (needs %(needed)d)",
                        "%(value)d parts under revision control (needs %(needed)d)", reason["value"]) % reason
    if code == "pdm_documents":
        return ngettext("%(value)d document in the vault (needs %(needed)d)",
                        "%(value)d documents in the vault (needs %(needed)d)", reason["value"]) % reason
    if code == "pdm_ecos":
        return ngettext("%(value)d ECO completed in 90 days (needs %(needed)d)",
                        "%(value)d ECOs completed in 90 days (needs %(needed)d)", reason["value"]) % reason
    if code == "logistics_tracked":
        if reason.get("value") is None:
            return _("no sales deliveries in 30 days to ship with tracking (needs %(needed)d%%)") % reason
        return _("%(value)s%% of the deliveries in 30 days shipped with tracking (needs %(needed)d%%)") % reason
    if code == "logistics_shipments":
        return ngettext("%(value)d shipment in 30 days (needs %(needed)d)",
                        "%(value)d shipments in 30 days (needs %(needed)d)", reason["value"]) % reason
    return str(code)


def criteria_text(criteria: dict) -> list[str]:
    """The criteria in words, for the programme page."""
    lines = []
    if criteria.get("min_active_users_30d"):
        lines.append(_("at least %(n)d active users in the last 30 days") % {"n": criteria["min_active_users_30d"]})
    if criteria.get("min_documents_per_month"):
        values = {"n": criteria["min_documents_per_month"], "kinds": _kinds_text(criteria.get("document_kinds"))}
        if criteria.get("consecutive_months", 1) == 2:
            lines.append(_("at least %(n)d %(kinds)s in each of two consecutive 30-day periods") % values)
        else:
            lines.append(_("at least %(n)d %(kinds)s in the last 30 days") % values)
    if criteria.get("min_modules_in_use"):
        lines.append(_("at least %(n)d modules in use") % {"n": criteria["min_modules_in_use"]})
    if criteria.get("min_completeness_pct"):
        lines.append(_("data completeness of at least %(n)s%% (items with BOM, lead time and cost)") % {
            "n": criteria["min_completeness_pct"]})
    if criteria.get("min_parts_under_revision"):
        lines.append(_("at least %(n)d parts under revision control (with a revision)") % {
            "n": criteria["min_parts_under_revision"]})
    if criteria.get("min_vault_documents"):
        lines.append(_("at least %(n)d documents in the vault") % {"n": criteria["min_vault_documents"]})
    if criteria.get("min_ecos_completed_90d"):
        lines.append(_("at least %(n)d ECOs completed (applied) in the last 90 days") % {
            "n": criteria["min_ecos_completed_90d"]})
    if criteria.get("min_tracked_deliveries_pct"):
        lines.append(_("at least %(n)d%% of the sales deliveries of the last 30 days shipped with tracking") % {
            "n": criteria["min_tracked_deliveries_pct"]})
    if criteria.get("min_shipments_30d"):
        lines.append(_("at least %(n)d shipments in the last 30 days") % {"n": criteria["min_shipments_30d"]})
    return lines


def reasons_text(status: str, reasons: list[dict]) -> str:
    """Why: the unmet criteria of an enterprise at risk, the met ones of an adopted enterprise."""
    shown = [r for r in reasons or [] if r.get("met") == (status == ADOPTED)] or list(reasons or [])
    return "; ".join(reason_text(r) for r in shown)
