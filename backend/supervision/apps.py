from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "backend.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        from backend.supervision import subscribers

        subscribers.wire()  # 过错追究 from the case workflow's DecisionCorrected (backend/cases/events.py)
