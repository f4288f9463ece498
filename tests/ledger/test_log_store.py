"""Every audit event is a leaf of the Merkle log; the log tables are append-only; checkpoints are signed."""

import json
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from support import sequence_ledger

from backend.ledger.checkpoints import LedgerInconsistent, checkpoint_sign, checkpoint_time
from backend.ledger.models import AppendOnlyError, AuditEvent, Checkpoint, LogEntry, TreeNode
from backend.ledger.services import audit_record, log_entry_bytes
from backend.ledger.store import log_size, log_tree
from backend.ledgercore.signed_note import NoteVerifier, open_checkpoint

pytestmark = pytest.mark.django_db

ORIGIN = "zhifa.test/ledger"


def test_each_audit_event_is_appended_to_the_log_in_chain_order(events, rfc9162):
    events = events(7)
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.index for e in entries] == [ev.seq - 1 for ev in events]
    leaves = []
    for event, entry in zip(events, entries, strict=True):
        body = json.loads(bytes(entry.entry))
        assert body["hash"] == event.hash and body["seq"] == event.seq and body["data"] == {"n": event.seq - 1}
        assert bytes(entry.entry) == log_entry_bytes(AuditEvent.objects.get(seq=event.seq))
        assert bytes(entry.leaf_hash) == rfc9162.leaf(bytes(entry.entry))
        leaves.append(rfc9162.leaf(bytes(entry.entry)))
    tree = log_tree()
    assert tree.size == 7 == log_size()
    for size in range(8):
        assert tree.root(size) == rfc9162.mth(leaves[:size])


def test_evidence_hashes_are_indexed_for_the_public_lookup():
    sha = "ab" * 32
    with transaction.atomic():
        audit_record(action="evidence.received", target_type="evidence.evidenceitem", target_id="x",
                     data={"sha256": sha})
        audit_record(action="evidence.rejected", target_type="evidence.evidenceitem", target_id="y",
                     data={"sha256": "cd" * 32})
    sequence_ledger()
    assert list(LogEntry.objects.exclude(evidence_sha256=None).values_list("evidence_sha256", flat=True)) == [sha]


@pytest.mark.parametrize("mode", ["inline", "batched"])
def test_appending_costs_the_same_number_of_queries_at_any_size(events, settings, mode):
    """Inline: the writer chains and logs its event (bounded queries, whatever the size). Batched: the
    writer only inserts its event; sealing it costs the same bounded number of queries at any size."""
    settings.LEDGER_SEQUENCER = mode

    def append(target_id: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as write, transaction.atomic():
            audit_record(action="t", target_type="t", target_id=target_id)
        with CaptureQueriesContext(connection) as seal:
            sequence_ledger()
        return len(write), len(seal)

    events(1)
    small = append("1")
    events(62)
    large = append("2")  # leaf 64: completes 7 nodes at once
    assert large == small
    if mode == "inline":
        assert small[0] <= 9  # 8 as before, plus the probe for events left pending by batched writers
    else:
        assert small[0] <= 3  # savepoint, INSERT, release
        assert small[1] <= 14
    assert TreeNode.objects.filter(level=6).count() == 1


def test_the_orm_refuses_to_change_the_log(events):
    events(2)
    checkpoint = checkpoint_sign().checkpoint
    entry = LogEntry.objects.first()
    node = TreeNode.objects.first()
    for obj in (entry, node, checkpoint):
        with pytest.raises(AppendOnlyError):
            obj.save()
        with pytest.raises(AppendOnlyError):
            obj.delete()
    for model in (LogEntry, TreeNode, Checkpoint):
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            model.objects.all().update(pk=1) if model is not TreeNode else model.objects.update(level=9)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers exist on PostgreSQL only")
def test_postgresql_triggers_refuse_update_and_delete_on_the_log_tables(events):
    events(2)
    checkpoint_sign()
    for sql in ("UPDATE ledger_treenode SET hash = hash", "DELETE FROM ledger_treenode",
                "UPDATE ledger_logentry SET entry = entry", "DELETE FROM ledger_logentry",
                "UPDATE ledger_checkpoint SET note = note", "DELETE FROM ledger_checkpoint"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def test_a_signed_checkpoint_verifies_with_the_published_key(events, verifier_key, rfc9162):
    events(5)
    checkpoint = checkpoint_sign().checkpoint
    opened = open_checkpoint(checkpoint.note, NoteVerifier.parse(verifier_key)).checkpoint
    leaves = [rfc9162.leaf(bytes(e)) for e in LogEntry.objects.order_by("index").values_list("entry", flat=True)]
    assert opened.origin == ORIGIN and opened.size == 5 and opened.root_hash == rfc9162.mth(leaves)
    assert checkpoint.verifier_key == verifier_key
    assert checkpoint_time(checkpoint).endswith("Z")


def test_an_unchanged_tree_is_not_signed_again_unless_forced(events):
    events(2)
    first = checkpoint_sign()
    again = checkpoint_sign()
    assert first.created and not again.created and again.checkpoint.pk == first.checkpoint.pk
    assert checkpoint_sign(force=True).created
    events(1)
    assert checkpoint_sign().checkpoint.tree_size == 3


def test_signing_refuses_a_history_inconsistent_with_the_last_checkpoint(events, tamper):
    events(6)
    checkpoint_sign()
    events(2)
    # Node (2, 0) covers leaves 0..3: the consistency proof from size 6 to 8 is built on it.
    tamper("UPDATE ledger_treenode SET hash = %s WHERE level = 2 AND idx = 0", [b"\x07" * 32])
    with pytest.raises(LedgerInconsistent):
        checkpoint_sign()
    assert Checkpoint.objects.count() == 1
    alert = AuditEvent.objects.filter(action="ledger.alert").get()
    assert alert.data["kind"] == "checkpoint_inconsistent"


def test_the_checkpoint_command_prints_the_signed_note(events, capsys):
    events(3)
    call_command("ledger_checkpoint")
    out = capsys.readouterr().out
    assert f"{ORIGIN}\n3\n" in out and "— " in out


# --------------------------------------------------------------------------- keys


def test_without_a_key_and_with_debug_off_signing_is_refused(events, settings):
    settings.DEBUG = False
    settings.LEDGER_SIGNING_KEY = ""
    events(1)
    with pytest.raises(ImproperlyConfigured):
        checkpoint_sign()
    from backend.ledger.checks import ledger_key_errors, ledger_signing_key_check

    assert [m.id for m in ledger_signing_key_check()] == ["ledger.E001"]
    assert ledger_key_errors()


def test_in_debug_a_development_key_is_generated_with_a_warning(events, settings, tmp_path, caplog):
    settings.DEBUG = True
    settings.LEDGER_SIGNING_KEY = ""
    settings.VAR_DIR = tmp_path
    events(1)
    checkpoint = checkpoint_sign().checkpoint
    key_file = tmp_path / "ledger-signing.key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "development ledger signing key" in caplog.text
    assert checkpoint.verifier_key.startswith(ORIGIN + "+")


def test_the_key_can_come_from_a_file(events, settings, tmp_path, verifier_key):
    path = tmp_path / "signer.key"
    path.write_text(settings.LEDGER_SIGNING_KEY + "\n")
    os.chmod(path, 0o600)
    settings.LEDGER_SIGNING_KEY = ""
    settings.LEDGER_SIGNING_KEY_FILE = str(path)
    events(1)
    assert checkpoint_sign().checkpoint.verifier_key == verifier_key
    from backend.ledger.checks import ledger_signing_key_check

    assert ledger_signing_key_check() == []


def test_keygen_writes_a_private_key_file_once_and_prints_the_public_key(tmp_path, capsys):
    out = tmp_path / "k"
    call_command("ledger_keygen", "--out", str(out))
    printed = capsys.readouterr().out
    assert out.read_text().startswith(f"PRIVATE+KEY+{ORIGIN}+")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    public = printed.strip().splitlines()[-1]
    assert NoteVerifier.parse(public).name == ORIGIN
    assert "PRIVATE" not in printed
    with pytest.raises(CommandError):
        call_command("ledger_keygen", "--out", str(out))


def test_the_migration_backfills_events_recorded_before_the_log_existed(rfc9162):
    """Events written without the log (as before migration 0003) are appended in chain order."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.utils import timezone

    from backend.ledger.models import GENESIS_HASH
    from backend.ledger.services import compute_event_hash

    prev = GENESIS_HASH
    for seq in range(1, 6):
        event = AuditEvent(seq=seq, occurred_at=timezone.now(), action="old.event", target_type="t",
                           target_id=str(seq), data={"sha256": "ef" * 32} if seq == 3 else {}, prev_hash=prev)
        if seq == 3:
            event.action = "evidence.received"
        event.hash = compute_event_hash(event)
        event.save()
        prev = event.hash
    assert not LogEntry.objects.exists()
    migration = importlib.import_module("backend.ledger.migrations.0003_merkle_log")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.event_id for e in entries] == [1, 2, 3, 4, 5]
    assert [bytes(e.entry) for e in entries] == [log_entry_bytes(ev) for ev in AuditEvent.objects.order_by("seq")]
    assert entries[2].evidence_sha256 == "ef" * 32
    assert log_tree().root() == rfc9162.mth([rfc9162.leaf(bytes(e.entry)) for e in entries])
