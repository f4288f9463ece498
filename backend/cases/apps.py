from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "backend.cases"
    label = "cases"
    verbose_name = "执法案件"

    def ready(self) -> None:
        from backend.cases import subscribers

        subscribers.wire()  # answers the ledger's questions (backend/ledger/events.py)
        # Recompute this app's due dates when a year's holidays are entered (backend/common/calendar.py).
        from backend.cases.deadlines import deadlines_recompute_for_calendar
        from backend.common.calendar import register_calendar_recompute

        register_calendar_recompute("cases", deadlines_recompute_for_calendar)
