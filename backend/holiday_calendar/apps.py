from django.apps import AppConfig


class HolidayCalendarConfig(AppConfig):
    """The upkeep of the official working-day calendar: importing each year's State Council holiday notice,
    the overrides in the admin and through the API, and the recompute command — every change audited. The
    calendar itself (models, pure rules, recompute job) is ``backend.common``; this app is above the ledger
    and accounts because it audits and checks roles (ARCHITECTURE.md "Layers")."""

    name = "backend.holiday_calendar"
    label = "holiday_calendar"
    verbose_name = "工作日历维护"
