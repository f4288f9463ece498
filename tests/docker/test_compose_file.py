"""No Docker engine runs here: keep the compose file, the Dockerfiles and the proxy's configuration correct by
parsing them, and by having Debian's nginx check the proxy configuration as shipped (``nginx -t``)."""

import ipaddress
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from deploy.proxy import nginx_binary, render_compose_nginx

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
APP_SERVICES = ("migrate", "web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def default(value: str) -> str:
    """``${NAME:-default}`` → ``default`` (what compose uses when the variable is unset)."""
    match = re.fullmatch(r"\$\{\w+:-([^}]*)\}", str(value))
    assert match, f"{value!r} is not ${{NAME:-default}}"
    return match.group(1)


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"proxy", "migrate", "web", "worker", "beat", "postgres", "redis", "minio"} <= set(services)


def test_app_services_use_the_real_services_and_no_inline_secrets():
    services = compose()["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["DEBUG"] == "false"
        assert env["SECRET_KEY"].startswith("${")  # from the environment, never written here


def test_n_wide_with_one_scheduler_and_migrations_run_once_before_everything():
    services = compose()["services"]
    assert int(default(services["web"]["deploy"]["replicas"])) >= 2
    assert int(default(services["worker"]["deploy"]["replicas"])) >= 2
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["beat"]["environment"]["ROLE"] == "beat"
    # Exactly one scheduler: no other service runs beat, and the worker role never embeds it.
    for name, service in services.items():
        if name != "beat":
            assert (service.get("environment") or {}).get("ROLE", "worker") != "beat", name
            assert "beat" not in " ".join(map(str, service.get("command") or [])), name
    worker_script = (DOCKER / "entrypoint-worker.sh").read_text()
    worker_branch = worker_script.split("worker)", 1)[1].split(";;", 1)[0]
    assert "--beat" not in worker_branch and "celery -A backend.config.celery worker" in worker_branch
    assert "celery -A backend.config.celery beat" in worker_script
    # Migrations: a one-shot job; no web instance migrates at start.
    migrate = services["migrate"]
    assert migrate["restart"] == "no" and migrate["command"][-2:] == ["migrate", "--noinput"]
    web_script = (DOCKER / "entrypoint-web.sh").read_text().splitlines()
    web_commands = [line for line in web_script if not line.startswith("#")]
    assert not any("migrate" in line for line in web_commands)
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert {"postgres", "redis", "minio"} <= set(depends), name


def test_only_the_proxy_is_published_and_it_alone_is_trusted():
    data = compose()
    services = data["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]
    assert "443:443" in services["proxy"]["ports"]
    proxy_address = default(services["proxy"]["networks"]["front"]["ipv4_address"])
    subnet = default(data["networks"]["front"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    for name in APP_SERVICES:
        assert default(services[name]["environment"]["TRUSTED_PROXIES"]) == proxy_address, name
    assert "front" in services["web"]["networks"] and "front" not in services["worker"]["networks"]
    assert "front" not in services["postgres"]["networks"]  # the proxy cannot reach the databases
    assert services["web"]["environment"]["ALLOWED_HOSTS"].startswith("${PUBLIC_HOST")


def test_health_checks_probe_readyz_through_the_proxy_and_on_each_instance():
    services = compose()["services"]
    proxy_check = " ".join(services["proxy"]["healthcheck"]["test"])
    assert "https://$${PUBLIC_HOST}/readyz" in proxy_check and "--resolve" in proxy_check
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_dockerfiles_run_as_non_root_with_ffmpeg_gunicorn_and_debian_nginx():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "ffmpeg" in dockerfile
    assert "\nUSER zhifa" in dockerfile
    assert "gunicorn" in (DOCKER / "entrypoint-web.sh").read_text()
    assert "celery" in (DOCKER / "entrypoint-worker.sh").read_text()
    proxy = (DOCKER / "Dockerfile.proxy").read_text()
    assert "FROM debian:" in proxy and "nginx" in proxy and "curl" in proxy
    assert "COPY nginx/zhifa-proxy.conf /etc/nginx/zhifa-proxy.conf" in proxy
    assert "COPY docker/nginx.conf /etc/nginx/nginx.conf" in proxy


def test_the_proxy_rules_forward_the_scheme_buffer_bodies_and_bound_sizes():
    rules = (REPO / "nginx" / "zhifa-proxy.conf").read_text()
    for directive in ("proxy_request_buffering on;", "proxy_set_header X-Forwarded-Proto $scheme;",
                      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "client_max_body_size 2g;",
                      "client_body_timeout 120s;", "proxy_read_timeout 600s;"):  # fmt: skip
        assert directive in rules, directive
    conf = (DOCKER / "nginx.conf").read_text()
    assert "listen 443 ssl" in conf and "return 308 https://" in conf and "include /etc/nginx/zhifa-proxy.conf;" in conf


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed and could not be (scripts/system-deps.sh)")
def test_nginx_accepts_both_configurations(tmp_path):
    nginx = nginx_binary()
    conf = render_compose_nginx(tmp_path, http_port=8080, https_port=8443, upstreams=[8000, 8001])
    checked = subprocess.run([nginx, "-t", "-e", "stderr", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    # The embedded one as scripts/serve.sh renders it.
    template = (REPO / "nginx" / "embedded.conf.template").read_text()
    values = {"RUN_DIR": str(tmp_path), "TEMP_DIR": str(tmp_path / "temp"), "USER_LINE": "", "PORT": "8080",
              "UPSTREAM_PORT": "8081", "REPO": str(REPO)}  # fmt: skip
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    assert "@" not in re.sub(r"#.*", "", template)
    (tmp_path / "temp").mkdir()  # serve.sh creates it
    embedded = tmp_path / "embedded.conf"
    embedded.write_text(("user root;\n" if os.geteuid() == 0 else "") + template)
    checked = subprocess.run([nginx, "-t", "-e", "stderr", "-c", str(embedded)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_image_installs_the_hashed_server_lock_then_the_project_alone():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "COPY requirements/server.txt" in dockerfile
    assert "pip install --require-hashes -r" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    assert dockerfile.index("--require-hashes") < dockerfile.index("COPY backend")  # its own cached layer
