"""The shared gunicorn settings: workers warm up before serving and freeze the loaded app out of the GC."""

from __future__ import annotations

import gc

import jieba

from backend.config import gunicorn as gunicorn_conf


def test_worker_start_loads_the_search_dictionary_and_freezes_the_heap():
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert jieba.dt.initialized
        assert gc.get_freeze_count() > 10_000  # the Django app, the URLconf, jieba's dictionary
    finally:
        gc.unfreeze()


def test_defaults_suit_long_uploads_and_can_be_overridden(monkeypatch):
    import importlib

    assert gunicorn_conf.worker_class == "gthread" and gunicorn_conf.threads >= 2
    assert gunicorn_conf.timeout >= 600  # a slow mobile client may take minutes for one chunk
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    try:
        assert importlib.reload(gunicorn_conf).workers == 7
    finally:
        monkeypatch.delenv("WEB_CONCURRENCY")
        importlib.reload(gunicorn_conf)
