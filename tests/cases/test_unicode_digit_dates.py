"""Dates written with full-width (２０２６) or other Unicode digits answer 400 ``date_not_ascii``: DRF's date
parsing took any Unicode digit, so "２０２６-１２-０３" was silently read as 2026-12-03 (backend/common/fields.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import new_case, walk

START = dt.date(2026, 3, 2)
LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]


def _refused(r, field: str) -> None:
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == "date_not_ascii"
    assert "半角" in r.json()["message"] and field in r.json()["fields"]


@pytest.mark.parametrize(
    "value",
    [
        "２０２６-０３-２４",  # full-width (an IME in 全角 mode)
        "٢٠٢٦-٠٣-٢٤",  # Arabic-Indic
        "2026-03-２4",  # one stray full-width digit
        "२०२६-०३-२४",  # Devanagari
    ],
)
def test_a_service_date_in_unicode_digits_is_refused(as_user, officer_a, officer_a2, head_a, value):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    r = as_user(officer_a).post(
        f"/api/v1/cases/{case.id}/serve/",
        {"method": "direct", "recipient": "王小明", "served_on": value},
        format="json",
    )
    _refused(r, "served_on")
    case.refresh_from_db()
    assert case.status == "decided" and case.served_on is None


def test_a_clue_date_and_a_step_time_in_full_width_digits_are_refused(as_user, officer_a, officer_a2):
    officer = as_user(officer_a)
    body = {
        "title": "销售过期食品案",
        "party_type": "organisation",
        "party_name": "辽源市某某商贸有限公司",
        "facts": "销售超过保质期的食品",
        "legal_basis": LEGAL_BASIS,
        "officer_ids": [str(officer_a2.pk)],
    }
    _refused(
        officer.post("/api/v1/cases/", {**body, "clue_received_on": "２０２６-０３-０２"}, format="json"),
        "clue_received_on",
    )
    case_id = officer.post("/api/v1/cases/", body, format="json").json()["id"]
    r = officer.post(
        f"/api/v1/cases/{case_id}/start_verification/",
        {"performed_at": "２０２６-０３-０２T09:30:00+08:00"},
        format="json",
    )
    _refused(r, "performed_at")


def test_the_cash_hand_in_date_in_full_width_digits_is_refused(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="served", start=START)
    r = as_user(officer_a).post(
        f"/api/v1/cases/{case.id}/cash_collection/",
        {
            "receipt_number": "吉财罚0100",
            "collected_at": "２０２６-０３-２５T09:00:00+08:00",
            "ground": "remote_area",
            "party_requested": True,
            "ground_note": "长山村，距最近银行网点四十公里",
        },
        format="json",
    )
    _refused(r, "collected_at")
