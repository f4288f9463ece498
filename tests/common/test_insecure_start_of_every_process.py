"""Signing keys must be long enough with DEBUG off, and every process — web (gunicorn), Celery worker and
Celery beat — refuses to start on an insecure configuration: it exits non-zero and says why.

Before: a one-character JWT_SIGNING_KEY was accepted, and the worker logged the refusal of its start-up hook
and went on to consume tasks ("celery@… ready"); beat checked nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from support import free_port

from backend.config.checks import EXIT_INSECURE_CONFIGURATION, MIN_SIGNING_KEY_LENGTH, refuse_insecure_start

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


def _secure(settings, jwt_key: str = GOOD_KEY) -> None:
    from backend.ledgercore.signed_note import generate_key

    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": jwt_key}
    settings.LEDGER_SIGNING_KEY = generate_key(settings.LEDGER_ORIGIN).signer_key
    settings.ALLOWED_HOSTS = ["enforce.example.gov.cn"]


@pytest.mark.django_db
@pytest.mark.parametrize("length", [1, MIN_SIGNING_KEY_LENGTH - 1])
def test_a_short_jwt_signing_key_is_refused_with_debug_off(settings, length):
    _secure(settings, jwt_key="x" * length)
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E006"):
        refuse_insecure_start()


@pytest.mark.django_db
def test_a_jwt_signing_key_of_the_minimum_length_is_accepted(settings):
    _secure(settings, jwt_key="x" * MIN_SIGNING_KEY_LENGTH)
    refuse_insecure_start()


@pytest.mark.django_db
def test_a_short_metrics_token_is_refused_with_debug_off(settings):
    _secure(settings)
    settings.METRICS_TOKEN = "short"
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E007"):
        refuse_insecure_start()


@pytest.mark.django_db
def test_the_development_key_is_never_a_jwt_signing_key_in_production(settings):
    _secure(settings, jwt_key=settings.INSECURE_SECRET_KEY)
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E006"):
        refuse_insecure_start()


def _process_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    from backend.ledgercore.signed_note import generate_key

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        "DEBUG": "0",
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": GOOD_KEY,
        "LEDGER_SIGNING_KEY": generate_key("zhifa.example/ledger").signer_key,
        "ALLOWED_HOSTS": "enforce.example.gov.cn",
        "JWT_SIGNING_KEY": "x",  # the finding: one character
    }
    env.update(overrides)
    return env


def _run(cmd: list[str], env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


CELERY = str(Path(sys.executable).with_name("celery"))


@pytest.mark.slow
def test_the_celery_worker_refuses_an_insecure_configuration(tmp_path):
    result = _run([CELERY, "-A", "backend.config.celery", "worker", "--pool", "solo", "-l", "INFO"],
                  _process_env(tmp_path))  # fmt: skip
    assert result.returncode == EXIT_INSECURE_CONFIGURATION, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Refusing to start on an insecure configuration" in result.stderr
    assert "enf.E006" in result.stderr
    assert " ready." not in result.stdout + result.stderr


@pytest.mark.slow
def test_celery_beat_refuses_an_insecure_configuration(tmp_path):
    result = _run([CELERY, "-A", "backend.config.celery", "beat", "-s", str(tmp_path / "beat-schedule")],
                  _process_env(tmp_path))  # fmt: skip
    assert result.returncode == EXIT_INSECURE_CONFIGURATION, result.stdout[-2000:] + result.stderr[-2000:]
    assert "enf.E006" in result.stderr


@pytest.mark.slow
def test_gunicorn_refuses_an_insecure_configuration(tmp_path):
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = _run([gunicorn, "-c", "python:backend.config.gunicorn", "backend.config.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "1"], _process_env(tmp_path))  # fmt: skip
    assert result.returncode != 0
    assert "enf.E006" in result.stdout + result.stderr


@pytest.mark.slow
def test_the_celery_worker_starts_on_a_secure_configuration(tmp_path):
    """The control: the same command and environment with a long key gets to "ready"."""
    env = _process_env(tmp_path, JWT_SIGNING_KEY="j" * MIN_SIGNING_KEY_LENGTH)
    proc = subprocess.Popen(
        [CELERY, "-A", "backend.config.celery", "worker", "--pool", "solo", "-l", "INFO", "-Q", "h8-none"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            if " ready." in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert any(" ready." in line for line in seen), "".join(seen)[-3000:]
