from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "backend.reviews"
    label = "reviews"
    verbose_name = "法制审核"

    def ready(self) -> None:
        from backend.reviews import subscribers

        subscribers.wire()  # answers the case workflow's events (backend/cases/events.py)
        # Recompute this app's due dates when a year's holidays are entered (backend/common/calendar.py).
        from backend.common.calendar import register_calendar_recompute
        from backend.reviews.services.recompute import review_rounds_recompute_for_calendar

        register_calendar_recompute("reviews", review_rounds_recompute_for_calendar)
