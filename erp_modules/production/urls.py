from django.urls import path
from django.views.generic import RedirectView

from erp_modules.production import views

app_name = "production"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="production:work_order_list", permanent=False)),
    path("work-orders/", views.work_order_list, name="work_order_list"),
    path("work-orders/new/", views.work_order_create, name="work_order_create"),
    path("work-orders/<int:work_order_id>/", views.work_order_detail, name="work_order_detail"),
    path("work-orders/<int:work_order_id>/release/", views.work_order_release, name="work_order_release"),
    path("work-orders/<int:work_order_id>/issue/", views.work_order_issue, name="work_order_issue"),
    path("work-orders/<int:work_order_id>/issue-remaining/", views.work_order_issue_remaining,
         name="work_order_issue_remaining"),
    path("work-orders/<int:work_order_id>/report/", views.work_order_report, name="work_order_report"),
    path("work-orders/<int:work_order_id>/reports/<int:report_id>/reverse/", views.work_order_report_reverse,
         name="work_order_report_reverse"),
    path("work-orders/<int:work_order_id>/complete/", views.work_order_complete, name="work_order_complete"),
    path("work-orders/<int:work_order_id>/cancel/", views.work_order_cancel, name="work_order_cancel"),
    path("piece-rates/", views.piece_rates, name="piece_rates"),
    path("workers/", views.worker_list, name="worker_list"),
    path("workers/new/", views.worker_edit, name="worker_create"),
    path("workers/<int:worker_id>/edit/", views.worker_edit, name="worker_edit"),
    path("trace/", views.trace, name="trace"),
]
