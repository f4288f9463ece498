"""Case writes. Transitions live in :mod:`.lifecycle` (one service per row of the workflow table),
everything else in :mod:`.records`; shared building blocks in :mod:`.common`."""

from backend.cases.services.cash import (
    case_cash_deposited,
    case_cash_handed_in,
    case_cash_landed,
    case_collect_cash,
)
from backend.cases.services.common import Step
from backend.cases.services.lifecycle import *  # noqa: F403
from backend.cases.services.lifecycle import TRANSITION_SERVICES
from backend.cases.services.records import *  # noqa: F403

__all__ = [
    "TRANSITION_SERVICES",
    "Step",
    "case_cash_deposited",
    "case_cash_handed_in",
    "case_cash_landed",
    "case_collect_cash",
]
