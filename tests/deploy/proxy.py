"""The compose stack's nginx (docker/nginx.conf + nginx/zhifa-proxy.conf) run on this machine: the same
files, with the container's listen ports, paths and Docker DNS name replaced for loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def nginx_binary() -> str | None:
    """Debian's nginx, installing it (scripts/system-deps.sh) when absent and this user may."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["bash", "scripts/system-deps.sh"], cwd=REPO, env={**os.environ, "WITH_BROWSER": "0"},
                       capture_output=True, timeout=600, check=False)  # fmt: skip
        found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    return found


def self_signed_certificate(directory: Path, host: str = "localhost") -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def render_compose_nginx(directory: Path, *, http_port: int, https_port: int, upstreams: list[int]) -> Path:
    """docker/nginx.conf for loopback: its listen lines, certificate and include paths, and the web service's
    DNS name (an upstream group of ``upstreams`` instead). Everything else is the file as shipped."""
    text = (REPO / "docker" / "nginx.conf").read_text()
    cert, key = self_signed_certificate(directory)
    temp = directory / "nginx-temp"
    temp.mkdir(exist_ok=True)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "set $zhifa_upstream http://web:8000;": "set $zhifa_upstream http://zhifa_web;",
        "/etc/nginx/tls/fullchain.pem": str(cert),
        "/etc/nginx/tls/privkey.pem": str(key),
        "/etc/nginx/zhifa-proxy.conf": str(REPO / "nginx" / "zhifa-proxy.conf"),
        "pid /run/nginx.pid;": f"pid {directory / 'nginx.pid'};",
        "access_log /dev/stdout zhifa;": f"access_log {directory / 'access.log'} zhifa;",
    }
    for old, new in replacements.items():
        assert old in text, f"docker/nginx.conf no longer has {old!r}: update tests/deploy/proxy.py"
        text = text.replace(old, new)
    servers = "".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;\n" for port in upstreams)
    local = (
        f"    upstream zhifa_web {{\n{servers}        keepalive 8;\n        keepalive_timeout 60s;\n    }}\n"
        + "".join(f"    {kind}_temp_path {temp / kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    )  # fmt: skip
    text = text.replace("http {\n", "http {\n" + local, 1)
    if os.geteuid() == 0:  # workers would run as nobody, who cannot enter pytest's private temp directory
        text = "user root;\n" + text
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def start_nginx(conf: Path, log: Path) -> subprocess.Popen:
    binary = nginx_binary()
    assert binary is not None
    checked = subprocess.run([binary, "-t", "-q", "-e", "stderr", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    out = open(log, "wb")  # noqa: SIM115 - kept open for the child
    proc = subprocess.Popen([binary, "-e", "stderr", "-c", str(conf), "-g", "daemon off;"], stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    time.sleep(0.3)
    assert proc.poll() is None, log.read_text()
    return proc
