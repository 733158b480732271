from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import session_bind_host

        # Every login() in a request binds its session to the request's host (see core.middleware).
        user_logged_in.connect(session_bind_host, dispatch_uid="core.session_bind_host")
