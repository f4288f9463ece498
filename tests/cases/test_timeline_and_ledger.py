"""The case timeline merges the audit trail with transitions and documents; the trail of a real case is
tamper-evident (``manage.py verify_ledger`` names the first edited event)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cases.casekit import new_case, walk
from django.core.management import CommandError, call_command
from django.db import connection
from support import sequence_ledger

from backend.ledger.models import AuditEvent

START = dt.date(2026, 3, 2)


def test_the_timeline_merges_events_transitions_and_documents(as_user, officer_a, officer_a2, head_a, auditor_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    as_user(auditor_a).get(f"/api/v1/cases/{case.id}/")  # an audited read
    # Before the sequencer ran (batched mode: the commit hooks of the test's requests never fire), events
    # are on the timeline already, pending ones after every chained one, without seq or hash.
    before = as_user(auditor_a).get(f"/api/v1/cases/{case.id}/timeline/").json()["results"]
    flags = [e["pending"] for e in before]
    assert flags == sorted(flags)
    assert all((e["seq"] is None) == e["pending"] == (e["hash"] is None) for e in before)
    sequence_ledger()
    timeline = as_user(auditor_a).get(f"/api/v1/cases/{case.id}/timeline/").json()["results"]
    assert [e["action"] for e in timeline] == [e["action"] for e in before]  # chained in the order shown
    assert [e["transition"] for e in timeline] == [e["transition"] for e in before]
    assert not any(e["pending"] for e in timeline)
    actions = [e["action"] for e in timeline]
    assert actions[0] == "case.created"
    assert actions[-1] == "case.personal_data_read"
    assert [e["seq"] for e in timeline] == sorted(e["seq"] for e in timeline)
    transitions = [e["transition"]["to_status"] for e in timeline if e["transition"]]
    assert transitions == ["registered", "investigating", "investigation_concluded", "case_review", "proposed",
                           "notified", "reviewing_defence", "deciding", "decided"]
    decision = next(e for e in timeline if e["document"] and e["document"]["doc_type"] == "decision")
    assert decision["document"]["number"] == case.decision_number
    assert all(len(e["hash"]) == 64 for e in timeline)


def raw_update(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # bypass the append-only trigger
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_editing_a_cases_audit_event_in_the_database_is_detected(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="decided", start=START)
    sequence_ledger()
    call_command("verify_ledger")  # intact
    decided = AuditEvent.objects.get(case_id=case.id, action="case.transition", data__transition="decide")
    # Someone rewrites the recorded decision number directly in the database.
    forged = {**decided.data, "decision_number": "伪造〔2026〕0001号"}
    raw_update("UPDATE ledger_auditevent SET data = %s WHERE seq = %s", [json.dumps(forged), decided.seq])
    with pytest.raises(CommandError, match=f"第 {decided.seq} 号事件"):
        call_command("verify_ledger")
