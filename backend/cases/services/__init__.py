"""Case writes. Transitions live in :mod:`.lifecycle` (one service per row of the workflow table),
everything else in :mod:`.records`, :mod:`.documents`, :mod:`.deadline_extensions`,
:mod:`.decision_changes` and :mod:`.retention`; shared building blocks in :mod:`.common`."""

from backend.cases.services.cash import (
    case_cash_deposited,
    case_cash_handed_in,
    case_cash_landed,
    case_collect_cash,
)
from backend.cases.services.common import Step
from backend.cases.services.deadline_extensions import *  # noqa: F403
from backend.cases.services.decision_changes import *  # noqa: F403
from backend.cases.services.documents import *  # noqa: F403
from backend.cases.services.lifecycle import *  # noqa: F403
from backend.cases.services.lifecycle import TRANSITION_SERVICES
from backend.cases.services.records import *  # noqa: F403
from backend.cases.services.retention import *  # noqa: F403

__all__ = [
    "TRANSITION_SERVICES",
    "Step",
    "case_cash_deposited",
    "case_cash_handed_in",
    "case_cash_landed",
    "case_collect_cash",
]
