"""The shared gunicorn settings: the app is loaded and warmed once, then frozen out of the GC before forking."""

from __future__ import annotations

import gc
import importlib

import jieba

from backend.config import gunicorn as gunicorn_conf


def test_prepare_loads_the_search_dictionary_closes_connections_and_freezes_the_heap(monkeypatch):
    from django.db import connections

    closed: list[bool] = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    monkeypatch.setattr(gunicorn_conf, "_prepared", False)
    gc.unfreeze()
    try:
        gunicorn_conf.pre_fork(server=None, worker=None)
        assert jieba.dt.initialized
        assert closed == [True], "a forked worker must not inherit the master's database connections"
        assert gc.get_freeze_count() > 10_000  # the Django app, the URLconf, jieba's dictionary
        gunicorn_conf.post_worker_init(worker=None)  # inherited through fork: not done twice
        assert closed == [True]
    finally:
        gc.unfreeze()


def test_defaults_suit_long_uploads_and_can_be_overridden(monkeypatch):
    assert gunicorn_conf.worker_class == "gthread" and gunicorn_conf.threads >= 2
    assert gunicorn_conf.timeout >= 600  # a slow mobile client may take minutes for one chunk
    assert gunicorn_conf.preload_app
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    try:
        assert importlib.reload(gunicorn_conf).workers == 7
    finally:
        monkeypatch.delenv("WEB_CONCURRENCY")
        importlib.reload(gunicorn_conf)


def test_no_shared_control_socket_unless_one_is_given(monkeypatch, tmp_path):
    # One default path per user would be shared by every instance on the host (two web instances, tests).
    assert gunicorn_conf.control_socket_disable is True
    assert not hasattr(gunicorn_conf, "control_socket")
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", str(tmp_path / "web-1.ctl"))
    try:
        reloaded = importlib.reload(gunicorn_conf)
        assert reloaded.control_socket_disable is False
        assert reloaded.control_socket == str(tmp_path / "web-1.ctl")
    finally:
        monkeypatch.delenv("GUNICORN_CONTROL_SOCKET")
        importlib.reload(gunicorn_conf)
