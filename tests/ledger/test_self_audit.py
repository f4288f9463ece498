"""Self-audit: any change to a stored entry, tree node, checkpoint, event or original raises an alert."""

import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.models import AuditEvent, LogEntry
from backend.ledger.selfaudit import ledger_self_audit
from backend.ledger.tasks import ledger_checkpoint
from backend.ledger.tasks import ledger_self_audit as self_audit_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(case_a, officer_a, evidence, events):
    items = [evidence(case_a, officer_a, f"file {n}".encode() * 50, name=f"{n}.jpg") for n in range(3)]
    events(6)
    checkpoint_sign()
    return items


def kinds(report) -> set[str]:
    return {p["kind"] for p in report.problems}


def alerts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="ledger.alert"))


def test_an_intact_ledger_passes(logged, capsys):
    report = ledger_self_audit(full=True)
    assert report.ok, report.problems
    assert report.entries == LogEntry.objects.count() and report.originals_checked == 3
    assert report.checkpoints_checked == 1 and report.chain_events == report.entries
    call_command("ledger_self_audit", "--all")
    assert "self-audit OK" in capsys.readouterr().out
    assert alerts() == []


def test_a_changed_entry_is_found_and_alerted(logged, tamper, caplog):
    entry = bytes(LogEntry.objects.get(index=5).entry)
    assert b'"n":1' in entry
    tamper("UPDATE ledger_logentry SET entry = %s WHERE idx = 5", [entry.replace(b'"n":1', b'"n":2')])
    with caplog.at_level(logging.ERROR):
        report = ledger_self_audit()
    assert {"entry_changed", "tree_mismatch", "event_entry_differs"} <= kinds(report)
    assert any(p.get("index") == 5 for p in report.problems if p["kind"] == "tree_mismatch")
    assert "LEDGER ALERT" in caplog.text
    [alert] = alerts()
    assert alert.data["kind"] == "self_audit" and alert.data["details"]["problems"]
    with pytest.raises(CommandError, match="不一致"):
        call_command("ledger_self_audit")


def test_a_changed_tree_node_is_found(logged, tamper):
    tamper("UPDATE ledger_treenode SET hash = %s WHERE level = 1 AND idx = 2", [b"\x09" * 32])
    report = ledger_self_audit(alert=False)
    assert [(p["kind"], p["level"], p["index"]) for p in report.problems] == [("tree_mismatch", 1, 2)]


def test_a_changed_original_byte_is_found(logged, tamper):
    stored = Path(django_settings.STORAGE_LOCAL_ROOT) / logged[1].storage_key
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0x80
    stored.write_bytes(data)
    report = ledger_self_audit(full=True)
    [problem] = report.problems
    assert problem["kind"] == "original_changed" and problem["evidence_id"] == str(logged[1].id)
    assert len(alerts()) == 1


def test_a_missing_original_is_found(logged):
    stored = Path(django_settings.STORAGE_LOCAL_ROOT) / logged[0].storage_key
    stored.chmod(0o644)
    stored.unlink()
    assert kinds(ledger_self_audit(full=True, alert=False)) == {"original_missing"}


def test_an_edited_audit_event_is_found(logged, tamper):
    tamper("UPDATE ledger_auditevent SET data = %s WHERE seq = 4", ['{"n": 99}'])
    assert {"event_entry_differs", "chain_broken"} <= kinds(ledger_self_audit(alert=False))


def test_a_deleted_last_entry_is_found(logged, tamper):
    last = LogEntry.objects.order_by("-index").first().index
    tamper("DELETE FROM ledger_logentry WHERE idx = %s", [last])
    report = ledger_self_audit(alert=False)
    assert {"event_not_logged", "tree_mismatch"} <= kinds(report)


def test_a_changed_or_forged_checkpoint_is_found(logged, tamper):
    tamper("UPDATE ledger_checkpoint SET root_hash = %s", [b"\x00" * 32])
    assert kinds(ledger_self_audit(alert=False)) == {"checkpoint_row"}
    tamper("UPDATE ledger_checkpoint SET note = replace(note, %s, %s)", ["\n10\n", "\n9\n"])
    assert "checkpoint_signature" in kinds(ledger_self_audit(alert=False))


def test_a_checkpoint_that_does_not_match_the_recomputed_tree_is_found(logged, tamper):
    # Both an entry and its leaf node rewritten consistently: the tree agrees with itself, but no longer
    # with the signed checkpoint (and the event no longer matches its entry).
    from backend.ledgercore.merkle import leaf_hash

    entry = bytes(LogEntry.objects.get(index=0).entry).replace(b'"action":"case.created"', b'"action":"case.xxxxxxx"')
    tamper("UPDATE ledger_logentry SET entry = %s, leaf_hash = %s WHERE idx = 0", [entry, leaf_hash(entry)])
    tamper("UPDATE ledger_treenode SET hash = %s WHERE level = 0 AND idx = 0", [leaf_hash(entry)])
    report = ledger_self_audit(alert=False)
    assert "tree_mismatch" in kinds(report) and "event_entry_differs" in kinds(report)


def test_the_periodic_tasks_sign_and_audit(events):
    events(3)
    ledger_checkpoint.delay()
    assert LogEntry.objects.count() == 3
    assert self_audit_task.delay().get() is True


def test_checkpoints_signed_by_a_retired_key_verify_with_the_published_previous_keys(logged, settings):
    from backend.ledgercore.signed_note import NoteSigner, generate_key

    old_key = settings.LEDGER_SIGNING_KEY
    settings.LEDGER_SIGNING_KEY = generate_key("zhifa.test/ledger").signer_key  # rotation
    report = ledger_self_audit(alert=False)
    assert kinds(report) == {"checkpoint_signature"}  # the old key is not published yet
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = [NoteSigner.parse(old_key).verifier().to_vkey()]
    assert ledger_self_audit(alert=False).ok
    settings.LEDGER_SIGNING_KEY = ""  # an audit host without the signing key
    assert ledger_self_audit(alert=False).ok
