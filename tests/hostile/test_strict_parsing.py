"""Unit tests of the one strict parser for client numbers and dates, and of the JSON depth limit."""

from __future__ import annotations

import datetime

import pytest

from backend.common.errors import ApplicationError
from backend.common.inputs import (
    CLIENT_DATE_MAX,
    CLIENT_DATE_MIN,
    INT64_MAX,
    int_or_none,
    is_ascii_int,
    parse_client_date,
    parse_client_datetime,
    parse_int,
)
from backend.common.parsers import JSONTooDeep, json_depth_exceeds, parse_json_bytes
from backend.redaction import birth_date_from_id, is_valid_id_number, luhn_valid


@pytest.mark.parametrize("value", ["0", "7", "0042", str(INT64_MAX)])
def test_ascii_integers_that_fit_64_bits_are_numbers(value: str) -> None:
    assert is_ascii_int(value) and int_or_none(value) == int(value)


@pytest.mark.parametrize("value", ["", " 1", "1 ", "+1", "-1", "1_000", "1.0", "³", "٣", "３", "①", "𝟑",
                                   str(INT64_MAX + 1), "9" * 19, "9" * 5000])
def test_anything_else_is_not(value: str) -> None:
    assert not is_ascii_int(value) and int_or_none(value) is None


def test_parse_int_bounds_are_inclusive() -> None:
    assert parse_int("1", field="x", minimum=1, maximum=3) == 1
    assert parse_int("3", field="x", minimum=1, maximum=3) == 3
    for value in ("0", "4", "³"):
        with pytest.raises(ApplicationError) as refused:
            parse_int(value, field="x", minimum=1, maximum=3)
        assert refused.value.code == "invalid_integer" and refused.value.status == 400


def test_the_client_date_range_is_inclusive_at_both_ends() -> None:
    day = datetime.timedelta(days=1)
    assert parse_client_date(CLIENT_DATE_MIN.isoformat(), field="d") == CLIENT_DATE_MIN
    assert parse_client_date(CLIENT_DATE_MAX.isoformat(), field="d") == CLIENT_DATE_MAX
    for outside in (CLIENT_DATE_MIN - day, CLIENT_DATE_MAX + day):
        with pytest.raises(ApplicationError):
            parse_client_date(outside.isoformat(), field="d")


@pytest.mark.parametrize("value", ["0000-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00",
                                   "10000-01-01T00:00:00", "2026-02-30T00:00:00", "٢٠٢٦-01-01T00:00:00",
                                   "2026-01-01", "yesterday"])
def test_absurd_date_times_are_refused_with_the_given_code(value: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        parse_client_datetime(value, field="updated_since", code="invalid_updated_since")
    assert refused.value.code == "invalid_updated_since" and refused.value.status == 400


def test_a_naive_date_time_is_taken_in_the_servers_zone_and_an_offset_can_be_required() -> None:
    parsed = parse_client_datetime("2026-05-01T08:30:00", field="t", code="c")
    assert parsed is not None and parsed.tzinfo is not None
    with pytest.raises(ApplicationError):
        parse_client_datetime("2026-05-01T08:30:00", field="t", code="c", require_timezone=True)
    assert parse_client_datetime("2026-05-01T08:30:00.123Z", field="t", code="c", require_timezone=True)


def test_json_at_the_depth_limit_parses_and_one_level_more_does_not(settings) -> None:
    settings.JSON_MAX_DEPTH = 32
    assert parse_json_bytes(b"[" * 32 + b"]" * 32) is not None
    with pytest.raises(JSONTooDeep):
        parse_json_bytes(b"[" * 33 + b"]" * 33)
    with pytest.raises(JSONTooDeep):
        parse_json_bytes(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3) and json_depth_exceeds({"a": [1, {"b": 2}]}, 2)


def test_identity_checks_refuse_non_ascii_digits_instead_of_raising() -> None:
    assert is_valid_id_number("2204021990030712³4") is False  # int("³") raised ValueError before
    assert birth_date_from_id("22040219９0030712３4") is None
    assert luhn_valid("4111 1111 1111 111³") is False
