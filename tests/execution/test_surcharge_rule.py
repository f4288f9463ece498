"""The one computation of 加处罚款 (backend.cases.rules.surcharge_accrued), without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from backend.cases.rules import surcharge_accrued

D = dt.date
FINE = Decimal("5000.00")


def owed(**kw):
    args = {"fine": FINE, "schedule": [(D(2026, 12, 17), FINE)], "payments": [], "paused": []}
    return surcharge_accrued(**{**args, **kw})


def test_nothing_on_the_last_day_one_day_the_day_after():
    assert owed(as_of=D(2026, 12, 17)).amount == 0
    one = owed(as_of=D(2026, 12, 18))
    assert (one.since, one.days, one.amount) == (D(2026, 12, 18), 1, Decimal("150.00"))


def test_a_payment_on_a_day_stops_the_accrual_from_the_next_day():
    paid_late = owed(payments=[(D(2026, 12, 18), FINE)], as_of=D(2027, 3, 1))
    assert (paid_late.days, paid_late.amount) == (1, Decimal("150.00"))
    on_time = owed(payments=[(D(2026, 12, 17), FINE)], as_of=D(2027, 3, 1))
    assert on_time.amount == 0 and on_time.since is None


def test_the_surcharge_is_capped_at_the_fine():
    capped = owed(as_of=D(2027, 12, 31))
    assert capped.amount == FINE and capped.capped is True and capped.days == 34  # 34 × 150 ≥ 5000


def test_pending_remedy_days_are_not_counted_open_or_closed():
    closed = owed(paused=[(D(2026, 12, 20), D(2026, 12, 25))], as_of=D(2026, 12, 31))
    assert (closed.days, closed.paused_days) == (8, 6)
    still_open = owed(paused=[(D(2026, 12, 20), None)], as_of=D(2027, 1, 31))
    assert (still_open.days, still_open.amount) == (2, Decimal("300.00"))


def test_only_the_fine_carries_the_surcharge_and_counted_from_cuts_earlier_days():
    with_gains = surcharge_accrued(
        fine=FINE,
        schedule=[(D(2026, 12, 17), FINE + Decimal("1260.00"))],
        payments=[(D(2026, 12, 17), FINE)],
        paused=[],
        as_of=D(2027, 1, 31),
    )
    assert with_gains.amount == 0  # the fine was paid; the unpaid 没收违法所得 carries none
    later = owed(as_of=D(2026, 12, 31), counted_from=D(2026, 12, 30))
    assert (later.since, later.days) == (D(2026, 12, 30), 2)
