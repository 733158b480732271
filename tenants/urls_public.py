from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("go/<str:slug>/", views.go_to_enterprise, name="go_to_enterprise"),
    path("language/", views.language_set, name="language_set"),
]
