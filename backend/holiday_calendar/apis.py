"""``POST /api/v1/calendar/notices/``: system administrators enter a year's holidays from the State Council's
notice — first with ``confirm: false`` to see what was parsed, then with ``confirm: true`` to save it (audited;
every open deadline that depended on the year is recomputed). The Django admin offers the same two steps."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsSystemAdmin
from backend.common.calendar import calendar_years_overview
from backend.holiday_calendar.services import holiday_notice_import, holiday_notice_preview
from backend.ledger.services import audit_context_from_request


class HolidayNoticeInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, help_text="the notice's full text, title included")
    year = serializers.IntegerField(required=False, allow_null=True, min_value=2004, max_value=2200)
    source = serializers.CharField(required=False, allow_blank=True, max_length=200)
    confirm = serializers.BooleanField(default=False, help_text="false: preview only; true: save and recompute")


class HolidayNoticeEntryOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    rest = serializers.ListField(child=serializers.DateField())
    work = serializers.ListField(child=serializers.DateField())
    stated_days = serializers.IntegerField(allow_null=True)


class HolidayNoticeDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_workday = serializers.BooleanField()
    name = serializers.CharField()
    was_workday = serializers.BooleanField()
    was_source = serializers.CharField()
    changes = serializers.BooleanField()


class HolidayNoticeOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    document_number = serializers.CharField()
    entries = HolidayNoticeEntryOutputSerializer(many=True)
    days = HolidayNoticeDayOutputSerializer(many=True)
    removed = serializers.ListField(child=serializers.DateField())
    warnings = serializers.ListField(child=serializers.CharField())
    already_entered = serializers.BooleanField()
    saved = serializers.BooleanField()
    recomputed = serializers.DictField(child=serializers.IntegerField(), help_text="changed deadlines per app")


class HolidayNoticeImportApi(APIView):
    permission_classes = [IsSystemAdmin]

    @extend_schema(
        operation_id="calendar_notice_import", request=HolidayNoticeInputSerializer,
        responses={200: HolidayNoticeOutputSerializer, 201: HolidayNoticeOutputSerializer,
                   422: OpenApiResponse(description="holiday_notice_unreadable: extra.problems lists why")},
    )
    def post(self, request: Request) -> Response:
        data = HolidayNoticeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args: dict[str, Any] = {"text": data.validated_data["text"], "year": data.validated_data.get("year")}
        if not data.validated_data["confirm"]:
            preview = holiday_notice_preview(**args)
            body = {**preview.as_dict(), "saved": False, "recomputed": {}}
            return Response(HolidayNoticeOutputSerializer(body).data)
        preview, changes = holiday_notice_import(
            **args, source=data.validated_data.get("source", ""), today=timezone.localdate(),
            context=audit_context_from_request(request),
        )
        body = {**preview.as_dict(), "saved": True, "recomputed": {k: len(v) for k, v in changes.items()}}
        return Response(HolidayNoticeOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class CalendarDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_workday = serializers.BooleanField(help_text="true: 调休上班 on a weekend; false: a holiday on a weekday")
    name = serializers.CharField(allow_null=True)
    source = serializers.CharField()


class CalendarYearOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    covered = serializers.BooleanField(help_text="official holiday data exists; otherwise deadlines are provisional")
    entered = serializers.BooleanField(help_text="the State Council's notice was entered here")
    source = serializers.CharField()
    days = CalendarDayOutputSerializer(many=True, help_text="days that differ from a Monday–Friday week")


class CalendarYearListApi(APIView):
    """The working-day calendar in use (every signed-in role reads it: deadlines are counted on it)."""

    @extend_schema(operation_id="calendar_years", responses=CalendarYearOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        overview = calendar_years_overview(today=timezone.localdate())
        return Response(CalendarYearOutputSerializer(overview, many=True).data)
