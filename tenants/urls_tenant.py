from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_change_role, name="member_change_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("settings/", views.enterprise_settings, name="enterprise_settings"),
    path("auth/handoff/", views.handoff_redeem, name="handoff_redeem"),
    path("logout/", views.logout_view, name="logout"),
    path("go/<str:slug>/", views.go_to_enterprise, name="go_to_enterprise"),
    path("language/", views.language_set, name="language_set"),
    path("industries/search/", views.industry_search_results, name="industry_search"),
]
