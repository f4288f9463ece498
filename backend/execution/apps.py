from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "backend.execution"
    label = "execution"
    verbose_name = "决定的执行"

    def ready(self) -> None:
        # The case lifecycle tells this app of its steps through domain events (backend/cases/events.py);
        # the cases app never imports this one.
        from backend.cases.events import CaseClosing, DecisionServed
        from backend.common.events import subscribe
        from backend.execution.services.handlers import on_case_closing, on_decision_served

        subscribe(DecisionServed, on_decision_served)
        subscribe(CaseClosing, on_case_closing)
