from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "backend.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        # 过错追究: a decision 撤销/确认违法/确认无效 opens a fault case. The cases app publishes the event and
        # never imports this app (backend/common/events.py).
        from backend.cases.events import DecisionCorrected
        from backend.common.events import subscribe
        from backend.supervision.services import fault_case_open_for_correction

        subscribe(DecisionCorrected, fault_case_open_for_correction)
