"""追责时效 (行政处罚法 第三十六条): two years, five where 公民生命健康安全、金融安全 was harmed, counted from the
violation (or its end) to the day it was *discovered* — the 线索登记 — not to 立案."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.cases.rules import limitation_check
from backend.common.workdays import WorkdayCalendar

D = dt.date
CAL = WorkdayCalendar()
LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]

# --------------------------------------------------------------------------- the pure rule


@pytest.mark.parametrize(
    ("discovered_on", "expired"),
    [(D(2026, 3, 9), False), (D(2026, 3, 10), False), (D(2026, 3, 11), True)],
)
def test_two_years_end_on_the_anniversary_and_a_discovery_that_day_is_in_time(discovered_on, expired):
    result = limitation_check(violation_on=D(2024, 3, 10), discovered_on=discovered_on, serious=False, calendar=CAL)
    assert result.ends_on == D(2026, 3, 10) and result.years == 2
    assert result.expired is expired


@pytest.mark.parametrize(
    ("discovered_on", "expired"),
    [(D(2026, 3, 9), False), (D(2026, 3, 10), False), (D(2026, 3, 11), True)],
)
def test_five_years_where_life_health_or_financial_safety_was_harmed(discovered_on, expired):
    result = limitation_check(violation_on=D(2021, 3, 10), discovered_on=discovered_on, serious=True, calendar=CAL)
    assert result.ends_on == D(2026, 3, 10) and result.years == 5 and result.rule_code == "LIMITATION_SERIOUS"
    assert result.expired is expired


def test_the_end_does_not_roll_off_a_rest_day():
    # 2026-03-08 is a Sunday: the limitation bars the agency, it is not a day on which something must be done.
    assert limitation_check(violation_on=D(2024, 3, 8), discovered_on=D(2026, 3, 9), serious=False,
                            calendar=CAL).expired is True


def test_a_violation_on_29_february_ends_on_28_february():
    result = limitation_check(violation_on=D(2024, 2, 29), discovered_on=D(2026, 2, 28), serious=False, calendar=CAL)
    assert result.ends_on == D(2026, 2, 28) and not result.expired


# --------------------------------------------------------------------------- through the API


def _create(officer_client, officer2, *, violation_on: str, clue_received_on: str, **extra):
    body = {
        "title": "销售过期食品案", "party_type": "organisation", "party_name": "辽源市某某商贸有限公司",
        "party_uscc": "91220400MA0000007N", "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS,
        "officer_ids": [str(officer2.pk)], "violation_on": violation_on, "clue_received_on": clue_received_on,
        **extra,
    }
    r = officer_client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def _register(head_client, case_id, officers, **extra):
    return head_client.post(
        f"/api/v1/cases/{case_id}/register/",
        {"officer_ids": [str(o.pk) for o in officers], "opinion": "同意立案", **extra},
        format="json",
    )


@pytest.mark.parametrize(
    ("clue_received_on", "status", "code"),
    [("2026-03-09", 200, None), ("2026-03-10", 200, None), ("2026-03-11", 409, "limitation_expired")],
)
def test_registration_tests_the_limitation_on_the_day_the_clue_was_received(
    as_user, officer_a, officer_a2, head_a, clue_received_on, status, code
):
    """Violation 2024-03-10; the limitation ends 2026-03-10. 立案 happens today, months later: what counts is
    the discovery (线索登记), so a clue received on the last day is still punishable."""
    case_id = _create(as_user(officer_a), officer_a2, violation_on="2024-03-10", clue_received_on=clue_received_on)
    r = _register(as_user(head_a), case_id, [officer_a, officer_a2])
    assert r.status_code == status, r.json()
    if code:
        body = r.json()
        assert body["code"] == code
        assert body["extra"] == {"violation_on": "2024-03-10", "discovered_on": clue_received_on,
                                 "limitation_ends_on": "2026-03-10", "years": 2}
    detail = as_user(head_a).get(f"/api/v1/cases/{case_id}/?masked=1").json()
    assert detail["limitation"]["ends_on"] == "2026-03-10"
    assert detail["limitation"]["expired"] is (code is not None)


@pytest.mark.parametrize(("violation_on", "status"), [("2021-03-11", 200), ("2021-03-10", 200), ("2021-03-09", 409)])
def test_the_five_year_limitation_is_recorded_on_the_case(
    as_user, officer_a, officer_a2, head_a, violation_on, status
):
    case_id = _create(as_user(officer_a), officer_a2, violation_on=violation_on, clue_received_on="2026-03-10",
                      limitation_serious=True)
    r = _register(as_user(head_a), case_id, [officer_a, officer_a2])
    assert r.status_code == status, r.json()


def test_the_five_year_limitation_can_also_be_stated_at_registration(as_user, officer_a, officer_a2, head_a):
    case_id = _create(as_user(officer_a), officer_a2, violation_on="2022-01-05", clue_received_on="2026-01-05")
    assert _register(as_user(head_a), case_id, [officer_a, officer_a2]).json()["code"] == "limitation_expired"
    r = _register(as_user(head_a), case_id, [officer_a, officer_a2], serious_harm=True)
    assert r.status_code == 200, r.json()
    assert as_user(head_a).get(f"/api/v1/cases/{case_id}/?masked=1").json()["limitation_serious"] is True


def test_an_on_the_spot_penalty_is_discovered_the_day_it_is_decided(as_user, officer_a, officer_a2):
    body = {
        "title": "占道经营", "party_type": "person", "party_name": "李四", "facts": "在人行道上摆摊经营",
        "legal_basis": LEGAL_BASIS, "officer_ids": [str(officer_a2.pk)], "measures": [{"kind": "warning"}],
        "decided_at": "2026-06-10T10:00:00+08:00",
    }
    officer = as_user(officer_a)
    assert officer.post("/api/v1/cases/summary/", {**body, "violation_on": "2024-06-10"},
                        format="json").status_code == 201
    r = officer.post("/api/v1/cases/summary/", {**body, "violation_on": "2024-06-09"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "limitation_expired"
