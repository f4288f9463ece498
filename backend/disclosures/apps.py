from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "backend.disclosures"
    label = "disclosures"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        from backend.disclosures import subscribers

        subscribers.wire()  # answers the case workflow's events (backend/cases/events.py)
        # Recompute this app's due dates when a year's holidays are entered (backend/common/calendar.py).
        from backend.common.calendar import register_calendar_recompute
        from backend.disclosures.services.periodic import notices_recompute_for_calendar

        register_calendar_recompute("disclosures", notices_recompute_for_calendar)
