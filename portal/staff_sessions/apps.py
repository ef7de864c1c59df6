from django.apps import AppConfig


class StaffSessionsConfig(AppConfig):
    """Records which sessions belong to which user, and ends them when the user is deactivated."""

    name = "portal.staff_sessions"
    label = "staff_sessions"
    verbose_name = "Staff sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects receivers of the user model: importable only once the app registry is ready.
        from . import signals  # noqa: F401
