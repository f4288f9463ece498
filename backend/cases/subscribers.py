"""The cases app's answers to the ledger's questions (backend/ledger/events.py)."""

from __future__ import annotations

from typing import Any

from backend.cases.models import Case
from backend.common.events import subscribe
from backend.ledger.events import CaseNumbers


def answer_case_numbers(question: CaseNumbers) -> dict[Any, str]:
    return dict(Case.objects.filter(id__in=question.case_ids).values_list("id", "case_number"))


def wire() -> None:
    """Called from CasesConfig.ready()."""
    subscribe(CaseNumbers, answer_case_numbers)
