"""No Docker engine runs here: keep the compose file and Dockerfile correct by parsing them."""

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"web", "worker", "postgres", "redis", "minio"} <= set(services)


def test_web_and_worker_use_the_real_services_and_no_inline_secrets():
    services = compose()["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["DEBUG"] == "false"
        assert env["SECRET_KEY"].startswith("${")  # from the environment, never written here
        assert set(services[name]["depends_on"]) == {"postgres", "redis", "minio"}


def test_dockerfile_runs_as_non_root_with_ffmpeg_and_gunicorn():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "ffmpeg" in dockerfile
    assert "\nUSER zhifa" in dockerfile
    assert "gunicorn" in (DOCKER / "entrypoint-web.sh").read_text()
    assert "celery" in (DOCKER / "entrypoint-worker.sh").read_text()


def test_the_image_installs_the_hashed_server_lock_then_the_project_alone():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "COPY requirements/server.txt" in dockerfile
    assert "pip install --require-hashes -r" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    assert dockerfile.index("--require-hashes") < dockerfile.index("COPY backend")  # its own cached layer
