"""Helpers for the supervision tests (import as ``from supervision.supkit import ...``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from backend.accounts.models import Agency, User
from backend.cases.models import Case


def closed_case(agency: Agency, officer: User | None, *, number: str, party: str, **fields) -> Case:
    """A closed general-procedure penalty case of ``agency`` (a 5,000 yuan fine); ``fields`` override."""
    today = timezone.localdate()
    values = {
        "agency": agency, "created_by": officer, "title": "销售超过保质期的食品案", "case_number": number,
        "party_type": "organisation", "party_name": party, "party_uscc": "91220400MA0000002X",
        "procedure": "general", "status": Case.Status.CLOSED, "facts": "当事人在其经营场所销售超过保质期的预包装食品。",
        "violation_type": "销售超过保质期的食品",
        "legal_basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}],
        "decided_measures": [{"kind": "fine", "amount": "5000.00"}], "fine_amount": Decimal("5000.00"),
        "decision_outcome": "penalty", "decision_number": f"{number}罚",
        "decided_on": today - datetime.timedelta(days=30), "registered_on": today - datetime.timedelta(days=70),
    }  # fmt: skip
    values.update(fields)
    case = Case.objects.create(**values)
    if officer is not None:
        case.handling_officers.set([officer])
    return case
