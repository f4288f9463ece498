from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first response to a POST that carried an ``Idempotency-Key``.

    Mobile apps on flaky networks resend a POST when they did not see the answer; the replay must return
    the first answer and create nothing new. A different body with the same key is a client bug (422).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


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

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays have been fully entered in :class:`HolidayOverride`."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return str(self.year)
