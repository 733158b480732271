"""Reads for the office pages and the monthly report. Public schema only: programmes.py (programmes,
enrolments, subsidies, the change history, reports), figures.py (an enterprise's figures over time,
the city's in groups, and the privacy rules they follow), pdm.py and logistics.py (the PDM and logistics
programmes' measures per enrolled enterprise). Callers use ``selectors.<name>``."""

from office.selectors.figures import (DIMENSIONS, MIN_COHORT, SNAPSHOT_MAX_AGE_DAYS, carried_forward,
                                      city_activity_series, city_figures, cohort_visible, CohortRow, CohortTable,
                                      enrolled_enterprise_ids, enterprise_visible_to_office, latest_snapshots,
                                      own_benchmark, publishable, sector_labels, snapshot_charts, snapshot_list)
from office.selectors.programmes import (ChangeRow, enrolment_get_for_office, enrolment_list, enterprises_for_member,
                                         member_enterprise_get, office_user, own_enrolment_list,
                                         programme_change_rows, programme_cohort_size, programme_eligible_enterprises,
                                         programme_list, programme_progress, programme_progress_series,
                                         programme_subsidy_totals, programme_target_text, Progress, report_list,
                                         reversal_list, subsidy_list)
from office.selectors.logistics import LogisticsMeasures, LogisticsRow, logistics_measures
from office.selectors.pdm import PdmMeasures, PdmRow, pdm_measures

__all__ = [
    "DIMENSIONS", "MIN_COHORT", "SNAPSHOT_MAX_AGE_DAYS", "carried_forward", "ChangeRow", "city_activity_series",
    "city_figures", "cohort_visible", "CohortRow", "CohortTable", "enrolled_enterprise_ids",
    "enrolment_get_for_office", "enrolment_list", "enterprise_visible_to_office", "enterprises_for_member",
    "latest_snapshots", "LogisticsMeasures", "LogisticsRow", "logistics_measures", "member_enterprise_get", "PdmMeasures", "PdmRow", "pdm_measures", "office_user", "own_benchmark", "own_enrolment_list",
    "programme_change_rows", "programme_cohort_size", "programme_eligible_enterprises", "programme_list",
    "programme_progress", "programme_progress_series", "programme_subsidy_totals", "programme_target_text",
    "Progress", "publishable", "report_list", "reversal_list", "sector_labels", "snapshot_charts",
    "snapshot_list", "subsidy_list",
]
