"""The embedded default's filesystem broker: a message is never visible half-written."""

from __future__ import annotations

import os
import threading
import time

from kombu import Connection

from backend.common.broker import FilesystemTransport


def _connection(folder) -> Connection:
    return Connection(
        "filesystem://", transport="backend.common.broker:FilesystemTransport",
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False},
    )  # fmt: skip


def test_the_settings_use_it_for_the_embedded_default(settings):
    assert settings.CELERY_BROKER_URL != "filesystem://" or (
        settings.CELERY_BROKER_TRANSPORT == "backend.common.broker:FilesystemTransport"
    )
    assert FilesystemTransport.Channel.__name__ == "FilesystemChannel"


def test_a_message_is_written_aside_and_renamed_into_place(tmp_path, monkeypatch):
    seen: list[list[str]] = []
    real_replace = os.replace

    def replace(src, dst):  # what a consumer listing the folder would see just before the rename
        seen.append(sorted(os.listdir(tmp_path)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"n": 1})
        assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].endswith(".jobs.msg.part")
        assert [name.endswith(".jobs.msg") for name in os.listdir(tmp_path)] == [True]
        assert queue.get(timeout=1).payload == {"n": 1}
        queue.close()


def test_concurrent_producers_and_a_consumer_lose_and_break_nothing(tmp_path, monkeypatch):
    # The race of kombu's own transport: a consumer moving a file the producer is still writing. Serialising
    # is made slow (it happens between creating and filling the file in kombu's _put) so the window is wide:
    # kombu's transport fails this test with JSONDecodeError, ours does not.
    from kombu.transport import filesystem

    from backend.common import broker

    def slow_dumps(payload):
        time.sleep(0.01)
        return real_dumps(payload)

    real_dumps = broker.dumps
    monkeypatch.setattr(broker, "dumps", slow_dumps)
    monkeypatch.setattr(filesystem, "dumps", slow_dumps)
    big = "x" * 64 * 1024
    with _connection(tmp_path) as conn:
        consumer = conn.SimpleQueue("jobs")
        errors: list[BaseException] = []

        def produce(worker: int) -> None:
            try:
                with _connection(tmp_path) as own:
                    q = own.SimpleQueue("jobs")
                    for n in range(25):
                        q.put({"worker": worker, "n": n, "pad": big})
                    q.close()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=produce, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        received = set()
        while len(received) < 100:
            message = consumer.get(timeout=20)  # a half-written file would raise JSONDecodeError here
            received.add((message.payload["worker"], message.payload["n"]))
            message.ack()
        for thread in threads:
            thread.join()
        consumer.close()
    assert not errors
    assert received == {(w, n) for w in range(4) for n in range(25)}
