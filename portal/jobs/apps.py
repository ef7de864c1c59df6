from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Tracks background jobs started by staff: state, progress, result file and its expiry."""

    name = "portal.jobs"
    label = "portal_jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"
