"""Writes for the informatization office, one module per entity: programmes (settings and their
history), enrolments (and milestones), subsidies (grants, payments, reversals), snapshots (the daily
adoption figures and the evaluation of enrolments), monthly_reports. Public schema only.

Callers use ``from office import services`` / ``services.programme_create(...)``: every service is
named here."""

from office.services.enrolments import (enrolment_apply, enrolment_decide, enrolment_enrol, enrolment_withdraw,
                                        milestone_record, programme_enrol_eligible)
from office.services.monthly_reports import monthly_report_request, monthly_report_run, month_start, previous_month
from office.services.programmes import (PROGRAMME_FIELDS, RESERVED_CODES, programme_create, programme_update,
                                        programme_validate)
from office.services.snapshots import (SNAPSHOT_FIELDS, adoption_record_write, adoption_snapshot_record,
                                       programme_reevaluate)
from office.services.subsidies import subsidy_cancel, subsidy_grant, subsidy_pay, subsidy_payment_reverse

__all__ = [
    "PROGRAMME_FIELDS", "RESERVED_CODES", "SNAPSHOT_FIELDS", "adoption_record_write", "adoption_snapshot_record",
    "enrolment_apply", "enrolment_decide", "enrolment_enrol", "enrolment_withdraw", "milestone_record",
    "month_start", "monthly_report_request", "monthly_report_run", "previous_month", "programme_create",
    "programme_enrol_eligible", "programme_reevaluate", "programme_update", "programme_validate", "subsidy_cancel",
    "subsidy_grant", "subsidy_pay", "subsidy_payment_reverse",
]
