from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        from backend.common import calendar  # noqa: F401  (rebuilds the calendar when overrides change)
