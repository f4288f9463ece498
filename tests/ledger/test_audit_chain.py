"""The audit trail is append-only and hash-chained; editing it in the database is detected."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from support import sequence_ledger

from backend.ledger.models import AppendOnlyError, AuditEvent
from backend.ledger.services import audit_record, ledger_verify_chain

pytestmark = pytest.mark.django_db


def record(n: int, actor=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="test.event", target_type="thing", target_id=str(i), actor=actor,
                                       data={"n": i, "text": "现场检查"}))
        sequence_ledger()
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def raw_sql(sql: str, params: list) -> None:
    """Write around the ORM, as a rogue administrator would (bypassing the PostgreSQL trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_chain_to_each_other(officer_a):
    events = record(3, officer_a)
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].actor_name == "officer_a"
    assert ledger_verify_chain().ok


def test_the_orm_refuses_updates_and_deletes():
    event = record(1)[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError):
        audit_record(action="x", target_type="t", target_id="1")


def test_an_edited_event_is_named_by_the_verifier():
    events = record(5)
    raw_sql("UPDATE ledger_auditevent SET data = %s WHERE seq = %s", ['{"n": 99}', 3])
    result = ledger_verify_chain()
    assert not result.ok
    assert result.first_broken_seq == 3
    with pytest.raises(CommandError, match="第 3 号事件"):
        call_command("verify_ledger")
    assert events  # the other events are untouched


def test_a_deleted_event_is_detected():
    record(4)
    raw_sql("DELETE FROM ledger_auditevent WHERE seq = %s", [2])
    result = ledger_verify_chain()
    assert not result.ok
    assert result.first_broken_seq == 2


def test_a_deleted_last_event_is_detected():
    record(3)
    raw_sql("DELETE FROM ledger_auditevent WHERE seq = %s", [3])
    assert not ledger_verify_chain().ok


def test_verify_command_passes_on_an_intact_chain(capsys):
    record(3)
    call_command("verify_ledger")
    assert "3" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_update_and_delete():
    from django.db import DatabaseError

    record(1)
    for sql in ("UPDATE ledger_auditevent SET action = 'x'", "DELETE FROM ledger_auditevent",
                "UPDATE ledger_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL",
                "UPDATE ledger_auditevent SET hash = repeat('0', 64)"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_postgresql_trigger_admits_only_sealing_a_pending_event(settings):
    """A pending event (batched sequencer) may receive its seq/prev_hash/hash once, and nothing else."""
    from django.db import DatabaseError

    settings.LEDGER_SEQUENCER = "batched"
    with transaction.atomic():
        pending = audit_record(action="test.event", target_type="thing", target_id="p", data={"n": 1})
    assert pending.seq is None and pending.hash is None
    refused = [
        ("UPDATE ledger_auditevent SET action = 'x' WHERE id = %s", [pending.id]),
        ("UPDATE ledger_auditevent SET seq = 1, prev_hash = repeat('0', 64), hash = repeat('a', 64), "
         "data = '{}' WHERE id = %s", [pending.id]),  # sealing may not change the content
        ("UPDATE ledger_auditevent SET seq = 1 WHERE id = %s", [pending.id]),  # all three at once, or none
        ("DELETE FROM ledger_auditevent WHERE id = %s", [pending.id]),
    ]
    for sql, params in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert sequence_ledger() == 1
    sealed = AuditEvent.objects.get(pk=pending.pk)
    assert sealed.seq == 1 and ledger_verify_chain().ok
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_auditevent SET seq = 2, hash = repeat('b', 64) WHERE id = %s", [pending.id])
