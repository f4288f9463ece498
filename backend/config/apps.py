from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: its system checks and the commands that span every app (seed_demo).
    It is the top layer (ARCHITECTURE.md "Layers"): it may import any app, no app imports it."""

    name = "backend.config"
    label = "project"
    verbose_name = "项目"

    def ready(self) -> None:
        from backend.config import checks  # noqa: F401  (registers the system checks)
