from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "backend.execution"
    label = "execution"
    verbose_name = "决定的执行"

    def ready(self) -> None:
        from backend.execution import subscribers

        subscribers.wire()  # answers the case workflow's events (backend/cases/events.py)
