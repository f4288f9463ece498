"""Fixtures for the execution tests: a decided fine served through the API, and clients per persona.

The case is created directly in 决定 (the steps before it are the cases tests' subject); everything from
送达 on goes through the public API with the clock pinned to the day of each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import client_for, pin_clock

from backend.cases.models import Case

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Clients:
    """Role clients that act on a pinned day: ``c.officer.post(...)`` after ``c.on("2026-12-10")``."""

    def __init__(self, monkeypatch, users: dict[str, Any]) -> None:
        self._monkeypatch = monkeypatch
        for name, user in users.items():
            setattr(self, name, client_for(user))

    def on(self, day: str) -> Clients:
        pin_clock(self._monkeypatch, at(day))
        return self


@pytest.fixture
def clients(monkeypatch, officer_a, head_a, auditor_a, officer_b, reviewer_a) -> Clients:
    return Clients(
        monkeypatch,
        {"officer": officer_a, "head": head_a, "auditor": auditor_a, "other": officer_b, "reviewer": reviewer_a},
    )


@pytest.fixture
def decided_fine(agency_a, officer_a, officer_a2) -> Callable[..., Case]:
    """``decided_fine(decided_on="2026-12-01", fine="5000.00", gains=None)`` → a 决定 fining 辽源市恒通商贸有限公司."""

    def make(*, decided_on: str = "2026-12-01", fine: str = "5000.00", gains: str | None = None) -> Case:
        measures: list[dict[str, Any]] = [{"kind": "fine", "amount": fine}]
        if gains:
            measures.insert(0, {"kind": "confiscate_gains", "amount": gains})
        decided = dt.date.fromisoformat(decided_on)
        case = Case.objects.create(
            agency=agency_a,
            created_by=officer_a,
            title="经营超过保质期的食品",
            case_number="辽市监立字〔2026〕0117号",
            party_type="organisation",
            party_name="辽源市恒通商贸有限公司",
            party_uscc="91220400MA0Y3K2X1B",
            party_legal_rep="李建华",
            party_address="吉林省辽源市西安区仙城大路1200号",
            facts="当事人在其经营场所销售超过保质期的预包装食品42袋，货值金额人民币1260元。",
            violation_type="经营超过保质期的食品",
            procedure="general",
            legal_basis=[{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}],
            decided_measures=measures,
            fine_amount=Decimal(fine),
            confiscation_amount=Decimal(gains) if gains else None,
            status=Case.Status.DECIDED,
            decision_outcome="penalty",
            decision_state="effective",
            decision_number="辽市监罚〔2026〕117号",
            decided_on=decided,
            registered_on=decided - dt.timedelta(days=40),
        )
        case.handling_officers.set([officer_a, officer_a2])
        return case

    return make


@pytest.fixture
def serve(clients) -> Callable[[Case, str], dict]:
    """Serve the decision on ``day`` through the API, as the officer (直接送达)."""

    def do(case: Case, day: str) -> dict:
        r = clients.on(day).officer.post(
            f"/api/v1/cases/{case.id}/serve/",
            {"method": "direct", "served_on": day, "recipient": "李建华"},
            format="json",
        )
        assert r.status_code == 200, r.content
        return r.json()

    return do


def pay(client, case: Case, amount: str, day: str, reference: str, channel: str = "bank") -> Any:
    return client.post(
        f"/api/v1/cases/{case.id}/payments/",
        {
            "amount": amount,
            "paid_on": day,
            "channel": channel,
            "reference": reference,
            "payer": "辽源市恒通商贸有限公司",
        },
        format="json",
    )


def account(client, case: Case) -> dict:
    r = client.get(f"/api/v1/cases/{case.id}/account/")
    assert r.status_code == 200, r.content
    return r.json()


def deadlines(client, case: Case) -> dict[str, dict]:
    r = client.get(f"/api/v1/cases/{case.id}/deadlines/")
    assert r.status_code == 200, r.content
    return {row["rule_code"]: row for row in r.json()}
