from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """One ``Idempotency-Key`` of one user: first a reservation, then the answer to replay.

    Mobile apps on flaky networks resend a POST when they did not see the answer, sometimes several copies
    at once. The row is created (``in_progress``) and committed *before* the work starts, so the unique
    (user, key) constraint lets exactly one request do the work; a duplicate meanwhile is told to retry
    (409 ``idempotency_in_flight``), and once the answer is stored (``done``, in the transaction of the
    work) every duplicate gets it replayed. ``token`` names the request holding the reservation: a
    reservation silent for ``IDEMPOTENCY_RESERVATION_TIMEOUT`` (its process crashed) is taken over by the
    next retry, and the old holder can then no longer complete it. Rows are purged ``IDEMPOTENCY_TTL``
    after ``created_at`` (``common.idempotency_purge``). See :mod:`backend.common.idempotency`.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("处理中")
        DONE = "done", _("已完成")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    token = models.CharField(max_length=32, blank=True)
    reserved_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] {self.state}"


class HolidayOverride(models.Model):
    """Admin-editable working-day calendar entries that override and extend ``chinese_calendar``.

    The package covers the years the State Council has announced (国务院办公厅 annual notice, 全国年节及
    纪念日放假办法 第二条); deadlines already reach into the next year, so staff enter the new notice here.
    """

    date = models.DateField(unique=True)
    is_workday = models.BooleanField(help_text=_("True for a make-up working day (调休上班), False for a holiday."))
    name = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text=_("e.g. 国办发明电〔2026〕X号"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays have been fully entered in :class:`HolidayOverride` (by the notice importer,
    backend/holiday_calendar/services.py)."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return str(self.year)
