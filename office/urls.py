"""Mounted at /office/ on the public host (config/urls_public.py)."""

from django.urls import path

from office.views import enrolments, figures, own, programmes

app_name = "office"

urlpatterns = [
    path("", programmes.dashboard, name="dashboard"),
    path("programmes/new/", programmes.programme_new, name="programme_new"),  # before <code>: "new" is reserved
    path("programmes/<slug:code>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<slug:code>/edit/", programmes.programme_edit, name="programme_edit"),
    path("programmes/<slug:code>/enrol/", programmes.programme_enrol, name="programme_enrol"),
    path("programmes/<slug:code>/enrol-eligible/", programmes.programme_enrol_eligible, name="programme_enrol_eligible"),
    path("enrolments/<int:pk>/", enrolments.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/decide/", enrolments.enrolment_decide, name="enrolment_decide"),
    path("enrolments/<int:pk>/withdraw/", enrolments.enrolment_withdraw, name="enrolment_withdraw"),
    path("enrolments/<int:pk>/milestones/", enrolments.milestone_save, name="milestone_save"),
    path("enrolments/<int:pk>/subsidies/", enrolments.subsidy_grant, name="subsidy_grant"),
    path("subsidies/<int:pk>/pay/", enrolments.subsidy_pay, name="subsidy_pay"),
    path("subsidies/<int:pk>/cancel/", enrolments.subsidy_cancel, name="subsidy_cancel"),
    path("subsidies/<int:pk>/clawback/", enrolments.subsidy_payment_reverse, name="subsidy_payment_reverse"),
    path("enterprises/<int:pk>/", figures.enterprise_detail, name="enterprise_detail"),
    path("city/", figures.city, name="city"),
    path("reports/", figures.reports, name="reports"),
    path("reports/<int:pk>/<str:fmt>/", figures.report_download, name="report_download"),
    path("my/", own.my_enterprises, name="my_enterprises"),
    path("my/<slug:slug>/", own.my_enterprise, name="my_enterprise"),
    path("my/<slug:slug>/apply/", own.my_apply, name="my_apply"),
]
