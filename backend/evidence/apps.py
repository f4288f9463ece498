from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "backend.evidence"
    label = "evidence"
    verbose_name = "证据"

    def ready(self) -> None:
        from backend.evidence import subscribers

        subscribers.wire()  # answers the case workflow's events (backend/cases/events.py)
