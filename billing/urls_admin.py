"""The platform administrator's billing pages, mounted on the public host by config/urls_public.py as
path("platform/billing/", include("billing.urls_admin"))."""

from django.urls import path

from billing import views_admin as views

app_name = "billing_admin"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("past-due/", views.past_due, name="past_due"),
    path("past-due/<int:pk>/remind/", views.past_due_remind, name="remind"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("fapiao/", views.fapiao_list, name="fapiao"),
    path("fapiao/<int:pk>/issue/", views.fapiao_issue, name="fapiao_issue"),
]
