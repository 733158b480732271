"""The office's pages of subsidised plans, mounted at /office/billing/ on the public host
(config/urls_public.py, before the office's own "office/" include)."""

from django.urls import path

from billing import views_office as views

app_name = "billing_office"

urlpatterns = [
    path("", views.index, name="index"),
    path("settlements/<int:pk>/pay/", views.settlement_record_payment, name="settlement_pay"),
    path("<slug:code>/", views.programme_detail, name="programme"),
    path("<slug:code>/schemes/", views.scheme_new, name="scheme_new"),
    path("<slug:code>/schemes/<int:pk>/toggle/", views.scheme_toggle, name="scheme_toggle"),
    path("<slug:code>/statements/", views.statement_build, name="statement_build"),
    path("<slug:code>/statements/<str:month>/<str:fmt>/", views.statement_download, name="statement"),
]
