"""Serializer fields shared by the apps' APIs: the party type vocabulary, and dates bounded like
:mod:`backend.common.inputs` (one range for every date an API accepts: case dates, document dates, review
dates, disclosure dates)."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

from backend.common import parties
from backend.common.errors import ApplicationError
from backend.common.inputs import date_in_range, date_range_message

NON_ASCII_DATE_MESSAGE = "日期须用半角阿拉伯数字书写（如 2026-12-03），不接受全角数字或其他文字的数字"


def _ensure_ascii(field: serializers.Field, value: Any) -> None:
    """Refuse (400 ``date_not_ascii``) a date written with full-width (２０２６) or other Unicode digits.

    DRF's parsers match ``\\d`` and call ``int()``, both of which take any Unicode digit, so "２０２６-１２-０３"
    and "٢٠٢٦-١٢-٠٣" were read as 2026-12-03 without a word; a date of an act is evidence and is taken as
    the client wrote it or not at all (backend/common/inputs.py: clients speak ASCII)."""
    if isinstance(value, str) and not value.isascii():
        raise ApplicationError(
            "date_not_ascii",
            NON_ASCII_DATE_MESSAGE,
            status=400,
            fields={field.field_name or "date": [NON_ASCII_DATE_MESSAGE]},
        )


class PartyTypeField(serializers.ChoiceField):
    """A party type (backend/common/parties.py). The document lists today's words only; an old word
    (``person``) is still read as its replacement during the transition period."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(member.value, parties.LABELS[member]) for member in parties.PartyType], **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str) and data in parties.LEGACY_VALUES:
            data = parties.LEGACY_VALUES[data].value
        return super().to_internal_value(data)


class ClientDateField(serializers.DateField):
    """A ``DateField`` whose value must lie in ``CLIENT_DATE_MIN … CLIENT_DATE_MAX`` (code ``date_out_of_range``)."""

    default_error_messages = {"date_out_of_range": date_range_message()}

    def to_internal_value(self, value: Any) -> datetime.date:
        _ensure_ascii(self, value)
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            self.fail("date_out_of_range")
        return parsed


class ClientDateTimeField(serializers.DateTimeField):
    """A ``DateTimeField`` whose value must lie in the client date range (code ``date_out_of_range``)."""

    default_error_messages = {"date_out_of_range": date_range_message()}

    def to_internal_value(self, value: Any) -> datetime.datetime:
        _ensure_ascii(self, value)
        # Check the wall-clock date before DRF converts to the server's zone (which overflows at the ends).
        if isinstance(value, str) and len(value) >= 4 and value[:4].isascii() and value[:4].isdigit():
            year = int(value[:4])
            if not datetime.MINYEAR <= year <= datetime.MAXYEAR or not date_in_range(datetime.date(year, 1, 1)):
                self.fail("date_out_of_range")
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            self.fail("date_out_of_range")
        return parsed
