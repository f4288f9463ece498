"""The batched sequencer (backend/ledger/sequencer.py) on real concurrency and real process kills.

Writers in threads and in separate processes record events in their own case transactions with no global
lock; the chain must come out exact (every committed event sealed exactly once, no gap, nothing from a
rolled-back transaction), in commit order per case, with the log, proofs and checkpoints matching; a
sealer killed mid-batch must leave nothing half-done.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from support import sequence_ledger

from backend.cases.models import Case
from backend.ledger.models import AuditEvent, ChainHead, LogEntry, TreeNode
from backend.ledger.selfaudit import ledger_self_audit
from backend.ledger.sequencer import ledger_sequence, pending_count
from backend.ledger.services import audit_record, ledger_verify_chain
from backend.ledger.store import log_size, log_tree
from backend.ledgercore.merkle import verify_inclusion

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite has one writer at a time)"
)


class Rollback(Exception):
    pass


def write_case_event(case_id, *, writer: str, n: int, events: int = 1, rollback: bool = False) -> None:
    """A request-like transaction: lock the case row, bump its version, record the change."""
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            Case.objects.filter(pk=case_id).update(version=F("version") + 1)
            for part in range(events):
                audit_record(
                    action="case.updated",
                    target=case,
                    case_id=case.id,
                    data={"version": case.version + 1, "writer": writer, "n": n, "part": part, "rolled_back": rollback},
                )
            if rollback:
                raise Rollback
    except Rollback:
        pass


WRITER_SCRIPT = textwrap.dedent("""
    import os, random, sys
    sys.path[:0] = [{root!r}, {tests!r}, {support!r}]
    import django
    django.setup()
    from test_sequencer import write_case_event
    cases, name, count = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])
    rng = random.Random(name)
    for n in range(count):
        write_case_event(rng.choice(cases), writer=name, n=n, events=1 + (n % 3 == 0), rollback=n % 7 == 3)
""")


def _subprocess_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.config.settings",
        LEDGER_SEQUENCER="batched",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    )
    return env


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_chain_every_event_once_in_commit_order_per_case(settings, agency_a, tmp_path):
    settings.LEDGER_SEQUENCER = "batched"
    settings.LEDGER_SEQUENCE_BATCH = 7  # many small batches: more interleavings of sealers and writers
    cases = [
        Case.objects.create(agency=agency_a, title=f"案件{i}", party_type="organisation", party_name="某某商贸有限公司")
        for i in range(4)
    ]
    ids = [str(c.id) for c in cases]
    threads_n, per_thread, procs_n, per_proc = 8, 30, 2, 40
    errors: list[BaseException] = []

    def thread_writer(t: int) -> None:
        rng = random.Random(t)
        try:
            for n in range(per_thread):
                write_case_event(rng.choice(ids), writer=f"t{t}", n=n, events=1 + (n % 3 == 0), rollback=n % 7 == 3)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    script = tmp_path / "writer.py"
    script.write_text(
        WRITER_SCRIPT.format(root=str(ROOT), tests=str(Path(__file__).parent), support=str(ROOT / "tests"))
    )
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), ",".join(ids), f"p{p}", str(per_proc)],
            env=_subprocess_env(),
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(procs_n)
    ]
    threads = [threading.Thread(target=thread_writer, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for proc in procs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    assert not errors, errors

    # Every writer sealed after its commit, or left it to a sealer that looked again after its own commit.
    assert pending_count() == 0
    events = list(AuditEvent.objects.filter(action="case.updated").order_by("seq"))
    committed = [
        (w, n)
        for w, count in [
            *((f"t{t}", per_thread) for t in range(threads_n)),
            *((f"p{p}", per_proc) for p in range(procs_n)),
        ]
        for n in range(count)
        if n % 7 != 3
    ]
    expected = sum(1 + (n % 3 == 0) for _, n in committed)
    assert len(events) == expected
    assert not any(e.data["rolled_back"] for e in events)

    total = AuditEvent.objects.count()
    chain = ledger_verify_chain()
    assert chain.ok and chain.checked == total
    assert ChainHead.objects.get(name="audit").last_seq == total == log_size() == LogEntry.objects.count()
    assert sorted(LogEntry.objects.values_list("event_id", flat=True)) == list(range(1, total + 1))

    # Per case: chain order is commit order (the version each transaction set under the case row lock);
    # per writer: its transactions in the order it ran them; inside a transaction: call order.
    by_case: dict[str, list[AuditEvent]] = {}
    by_writer: dict[str, list[tuple[int, int]]] = {}
    for event in events:
        by_case.setdefault(str(event.case_id), []).append(event)
        by_writer.setdefault(event.data["writer"], []).append((event.data["n"], event.data["part"]))
    for case_events in by_case.values():
        keys = [(e.data["version"], e.data["part"]) for e in case_events]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for sequence in by_writer.values():
        assert sequence == sorted(sequence)

    # Proofs and checkpoints are exact over the sealed log.
    tree = log_tree()
    root = tree.root()
    for event in random.Random(1).sample(events, 10):
        index = event.seq - 1
        assert verify_inclusion(tree.leaf_hash_at(index), index, tree.size, tree.inclusion_proof(index), root)
    report = ledger_self_audit(alert=False)
    assert report.ok, report.problems


KILLED_SEALER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import django
    django.setup()
    from backend.ledger import sequencer
    real_append = sequencer.log_append

    def append_then_hang(entries):
        first = real_append(entries)  # events sealed, leaves and nodes written: all uncommitted
        print("MID-BATCH", len(entries), flush=True)
        time.sleep(120)
        return first

    sequencer.log_append = append_then_hang
    sequencer.ledger_sequence()
""")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_sealer_killed_mid_batch_leaves_nothing_half_done(settings, tmp_path, monkeypatch):
    settings.LEDGER_SEQUENCER = "batched"
    with transaction.atomic():  # three sealed events first, so the kill happens on a non-empty log
        for i in range(3):
            audit_record(action="test.event", target_type="thing", target_id=str(i), data={"n": i})
    assert pending_count() == 0  # sealed by the commit hook
    head_before = ChainHead.objects.get(name="audit")
    nodes_before = TreeNode.objects.count()
    # Twenty committed events that no writer sealed (as if each had died right after its commit).
    from backend.ledger import sequencer

    monkeypatch.setattr(sequencer, "schedule_sequencing", lambda: None)
    for i in range(20):
        with transaction.atomic():
            audit_record(action="test.event", target_type="thing", target_id=f"k{i}", data={"n": i})
    monkeypatch.undo()
    assert pending_count() == 20

    script = tmp_path / "sealer.py"
    script.write_text(KILLED_SEALER.format(root=str(ROOT)))
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        env=_subprocess_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("MID-BATCH 20"), (line, proc.stderr.read() if proc.poll() is not None else "")
        # While it holds the head, a writer's try returns at once instead of queueing behind it.
        assert ledger_sequence(wait=False) == 0
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    # Nothing of the killed batch is visible: events pending, head, entries and nodes as before.
    assert pending_count() == 20
    head = ChainHead.objects.get(name="audit")
    assert (head.last_seq, head.last_hash) == (head_before.last_seq, head_before.last_hash) == (3, head.last_hash)
    assert LogEntry.objects.count() == 3 and TreeNode.objects.count() == nodes_before
    # The next sealer takes the batch whole.
    assert ledger_sequence() == 20
    chain = ledger_verify_chain()
    assert chain.ok and chain.checked == 23 == log_size()
    assert [e.target_id for e in AuditEvent.objects.order_by("seq")][3:] == [f"k{i}" for i in range(20)]
    assert ledger_self_audit(alert=False).ok


@pytest.mark.django_db
def test_an_inline_writer_chains_pending_events_first(settings):
    """A cluster changing modes (rolling deploy): the inline writer seals what batched writers recorded,
    so the chain keeps the order in which events were recorded."""
    settings.LEDGER_SEQUENCER = "batched"
    with transaction.atomic():
        first = audit_record(action="test.event", target_type="thing", target_id="batched")
    assert first.seq is None
    settings.LEDGER_SEQUENCER = "inline"
    with transaction.atomic():
        second = audit_record(action="test.event", target_type="thing", target_id="inline")
    assert second.seq == 2
    assert AuditEvent.objects.get(pk=first.pk).seq == 1
    assert ledger_verify_chain().ok and log_size() == 2


@pytest.mark.django_db
def test_the_self_audit_reports_events_the_sequencer_cannot_seal(settings, monkeypatch):
    import datetime

    from django.utils import timezone

    from backend.ledger import sequencer

    settings.LEDGER_SEQUENCER = "batched"
    settings.LEDGER_PENDING_MAX_AGE = 60
    with transaction.atomic():
        event = audit_record(action="test.event", target_type="thing", target_id="stuck")
    assert sequence_ledger() == 1  # the normal case: nothing stays pending
    with transaction.atomic():
        event = audit_record(action="test.event", target_type="thing", target_id="stuck")
    old = timezone.now() - datetime.timedelta(minutes=10)
    with connection.cursor() as cursor:  # recorded ten minutes ago (the trigger forbids this; bypass it)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE ledger_auditevent SET occurred_at = %s WHERE id = %s", [old, event.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")

    def broken(head, *, limit=None):
        raise sequencer.SequencingError("disk full")

    monkeypatch.setattr(sequencer, "seal_pending", broken)
    report = ledger_self_audit(alert=False)
    kinds = {p["kind"] for p in report.problems}
    assert {"sequencer_failed", "event_pending"} <= kinds


@pytest.mark.django_db
def test_the_sequence_command_seals_what_is_pending(settings, capsys):
    from django.core.management import call_command

    settings.LEDGER_SEQUENCER = "batched"
    with transaction.atomic():
        for i in range(3):
            audit_record(action="test.event", target_type="thing", target_id=str(i))
    assert pending_count() == 3  # the test's outer transaction never commits, so no commit hook ran
    call_command("verify_ledger")
    assert "3 条事件等待排序入链" in capsys.readouterr().out
    call_command("ledger_sequence")
    assert "已排序入链 3 条事件；仍待排序 0 条" in capsys.readouterr().out
    assert ledger_verify_chain().checked == 3 == log_size()
