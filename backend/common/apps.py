from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        from backend.config import checks  # noqa: F401  (registers system checks)
