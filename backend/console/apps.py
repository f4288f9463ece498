from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The staff web console (/console/): server-rendered pages over the same services as the API."""

    name = "backend.console"
    label = "console"
    verbose_name = "工作台"
