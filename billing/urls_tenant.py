"""The owner's billing pages on the enterprise host, mounted by config/urls_tenants.py as:
path("billing/", include("billing.urls_tenant"))."""

from django.urls import path

from billing import views, views_welcome

app_name = "billing_tenant"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/", views.plan_choose, name="plan_choose"),
    path("welcome/", views_welcome.welcome, name="welcome"),  # the plan choice right after sign-up
    path("subscriptions/<int:pk>/cancel/", views.subscription_cancel, name="cancel"),
    path("subscriptions/<int:pk>/cancel/withdraw/", views.subscription_cancel_withdraw, name="cancel_withdraw"),
    path("subscriptions/<int:pk>/pending/withdraw/", views.subscription_pending_withdraw, name="pending_withdraw"),
    path("subscriptions/<int:pk>/card/", views.card_update, name="card_update"),
    path("subscriptions/<int:pk>/payment-method/", views.payment_method_switch, name="payment_method"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/fapiao/", views.fapiao_request, name="fapiao"),
]
