from django.urls import path

from pdm.parts import views

urlpatterns = [
    path("parts/", views.part_list, name="pdm_part_list"),
    path("parts/new/", views.part_new, name="pdm_part_new"),
    path("parts/<int:part_id>/", views.part_detail, name="pdm_part_detail"),
    path("parts/<int:part_id>/where-used/", views.part_where_used, name="pdm_part_where_used"),
    path("parts/<int:part_id>/revisions/new/", views.revision_start, name="pdm_revision_start"),
    path("revisions/<int:revision_id>/", views.revision_detail, name="pdm_revision_detail"),
    path("revisions/<int:revision_id>/submit/", views.revision_submit, name="pdm_revision_submit"),
    path("revisions/<int:revision_id>/return/", views.revision_return, name="pdm_revision_return"),
    path("revisions/<int:revision_id>/release/", views.revision_release, name="pdm_revision_release"),
    path("revisions/<int:revision_id>/obsolete/", views.revision_obsolete, name="pdm_revision_obsolete"),
    path("revisions/<int:revision_id>/lines/add/", views.revision_line_add, name="pdm_revision_line_add"),
    path("revisions/<int:revision_id>/lines/remove/", views.revision_line_remove, name="pdm_revision_line_remove"),
    path("rules/", views.rule_list, name="pdm_rule_list"),
    path("rules/<int:rule_id>/", views.rule_list, name="pdm_rule_edit"),
]
