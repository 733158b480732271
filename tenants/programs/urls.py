"""Mounted at /office/ on the public host (config/urls_public.py)."""

from django.urls import path

from tenants.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programmes/new/", views.programme_new, name="programme_new"),  # before <code>: "new" is reserved
    path("programmes/<slug:code>/", views.programme_detail, name="programme_detail"),
    path("programmes/<slug:code>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<slug:code>/enrol/", views.programme_enrol, name="programme_enrol"),
    path("programmes/<slug:code>/enrol-eligible/", views.programme_enrol_eligible, name="programme_enrol_eligible"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/decide/", views.enrolment_decide, name="enrolment_decide"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("enrolments/<int:pk>/milestones/", views.milestone_save, name="milestone_save"),
    path("enrolments/<int:pk>/subsidies/", views.subsidy_grant, name="subsidy_grant"),
    path("subsidies/<int:pk>/pay/", views.subsidy_pay, name="subsidy_pay"),
    path("subsidies/<int:pk>/cancel/", views.subsidy_cancel, name="subsidy_cancel"),
    path("subsidies/<int:pk>/clawback/", views.subsidy_payment_reverse, name="subsidy_payment_reverse"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("city/", views.city, name="city"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
    path("my/", views.my_enterprises, name="my_enterprises"),
    path("my/<slug:slug>/", views.my_enterprise, name="my_enterprise"),
    path("my/<slug:slug>/apply/", views.my_apply, name="my_apply"),
]
