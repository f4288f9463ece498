"""``zhifa-field``: the reference field-device client (what the mobile app does), for demos and tests.

It registers a device key, signs capture records, queues files while "offline", uploads them with a standard
tus client (tuspy), resumes after being killed or after the server restarts, and shows progress bars.

    zhifa-field login --server http://127.0.0.1:8000 --username officer1      # password: prompt or $ZHIFA_PASSWORD
    zhifa-field register-device --model "DSJ-V9"                              # Ed25519 key, kept in ~/.zhifa-field
    zhifa-field capture photo.jpg --case <uuid> --kind photo --activity 现场检查 --lat 42.88 --lon 125.14
    zhifa-field queue                                                         # what is waiting
    zhifa-field sync                                                          # upload everything queued (resumable)
    zhifa-field upload video.mp4 --case <uuid> --kind video                   # capture + sync

This module never imports Django: it is a separate program that talks HTTP only. The capture record is
built with ``backend.ledgercore.canonical_json`` (pure Python, RFC 8785), the same bytes the server verifies.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import getpass
import hashlib
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from backend.ledgercore.canonical_json import capture_record, capture_record_bytes

DEFAULT_CHUNK = 8 * 1024 * 1024
TUS_HEADERS = {"Tus-Resumable": "1.0.0"}


class FieldError(Exception):
    """A problem the user should read (printed without a traceback)."""


# --------------------------------------------------------------------------- local state


class Home:
    """The client's state directory: config (server, tokens, device), device key, queue."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.queue_dir = path / "queue"
        self.queue_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)

    @property
    def config_file(self) -> Path:
        return self.path / "config.json"

    @property
    def key_file(self) -> Path:
        return self.path / "device_key.pem"

    def config(self) -> dict[str, Any]:
        if not self.config_file.exists():
            return {}
        return json.loads(self.config_file.read_text())

    def save_config(self, config: dict[str, Any]) -> None:
        _write_private(self.config_file, json.dumps(config, ensure_ascii=False, indent=2).encode())

    def entries(self) -> list[dict[str, Any]]:
        items = [json.loads(p.read_text()) for p in sorted(self.queue_dir.glob("*.json"))]
        return sorted(items, key=lambda e: e["queued_at"])

    def save_entry(self, entry: dict[str, Any]) -> None:
        path = self.queue_dir / f"{entry['id']}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False, indent=2))
        os.replace(tmp, path)  # atomic: a kill never leaves a half-written entry


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def default_home() -> Path:
    return Path(os.environ.get("ZHIFA_FIELD_HOME") or Path.home() / ".zhifa-field")


# --------------------------------------------------------------------------- HTTP session with tokens


class Api:
    def __init__(self, home: Home) -> None:
        self.home = home
        self.config = home.config()
        if not self.config.get("server"):
            raise FieldError("尚未登录：先运行 zhifa-field login --server URL --username 用户名")
        self.server = self.config["server"].rstrip("/")

    def url(self, path: str) -> str:
        return f"{self.server}{path}"

    def _token_expiring(self) -> bool:
        token = self.config.get("access", "")
        try:
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            return True
        return claims.get("exp", 0) - time.time() < 120

    def auth_headers(self) -> dict[str, str]:
        if self._token_expiring():
            self.refresh()
        return {"Authorization": f"Bearer {self.config['access']}"}

    def refresh(self) -> None:
        response = requests.post(self.url("/api/v1/auth/token/refresh/"), json={"refresh": self.config.get("refresh")},
                                 timeout=30)
        if response.status_code != 200:
            raise FieldError(f"登录已失效（{response.status_code}），请重新运行 zhifa-field login")
        self.config.update(response.json())
        self.home.save_config(self.config)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.auth_headers(), **kwargs.pop("headers", {})}
        return requests.request(method, self.url(path), headers=headers, timeout=60, **kwargs)


def login(home: Home, *, server: str, username: str, password: str) -> dict[str, Any]:
    config = home.config()
    body: dict[str, Any] = {"username": username, "password": password}
    if config.get("device_id") and config.get("username") == username and config.get("server") == server:
        body["device_id"] = config["device_id"]
    response = requests.post(server.rstrip("/") + "/api/v1/auth/token/", json=body, timeout=30)
    if response.status_code != 200:
        raise FieldError(f"登录失败：{response.status_code} {response.text[:200]}")
    config.update({"server": server.rstrip("/"), "username": username, **response.json()})
    home.save_config(config)
    return config


# --------------------------------------------------------------------------- device key and signing


def _load_key(home: Home) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if not home.key_file.exists():
        raise FieldError("尚未登记终端：先运行 zhifa-field register-device")
    return load_pem_private_key(home.key_file.read_bytes(), password=None)


def register_device(home: Home, *, model: str, name: str = "", serial_number: str = "") -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    api = Api(home)
    if home.key_file.exists():
        key = _load_key(home)
    else:
        key = Ed25519PrivateKey.generate()
        _write_private(home.key_file, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    response = api.request(
        "POST", "/api/v1/devices/",
        json={"model": model, "public_key": public,
              **{k: v for k, v in (("name", name), ("serial_number", serial_number)) if v}},
        headers={"Idempotency-Key": f"register-{public}"},
    )
    if response.status_code not in (200, 201):
        raise FieldError(f"终端登记失败：{response.status_code} {response.text[:300]}")
    device = response.json()
    api.config["device_id"] = device["id"]
    home.save_config(api.config)
    return device


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _rfc3339(moment: datetime.datetime) -> str:
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def capture(
    home: Home,
    path: Path,
    *,
    case: str,
    kind: str,
    activity: str = "",
    description: str = "",
    latitude: str | None = None,
    longitude: str | None = None,
    accuracy_m: str | None = None,
    captured_at: str | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """Hash and sign a capture and put it in the queue. Works offline (no network)."""
    path = path.resolve()
    if not path.is_file():
        raise FieldError(f"文件不存在：{path}")
    config = home.config()
    captured_at = captured_at or _rfc3339(datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC))
    digest = sha256 or sha256_file(path)
    metadata = {
        "case": case,
        "kind": kind,
        "filename": path.name,
        "captured_at": captured_at,
        "sha256": digest,
    }
    for key, value in (("latitude", latitude), ("longitude", longitude), ("accuracy_m", accuracy_m),
                       ("activity", activity), ("description", description)):
        if value:
            metadata[key] = str(value)
    device_id = config.get("device_id")
    if device_id and home.key_file.exists():
        record = capture_record_bytes(sha256=digest, captured_at=captured_at, case=case, device=device_id,
                                      latitude=latitude, longitude=longitude)
        metadata["device_id"] = device_id
        metadata["signature"] = base64.b64encode(_load_key(home).sign(record)).decode()
    entry = {
        "id": uuid.uuid4().hex,
        "path": str(path),
        "size": path.stat().st_size,
        "metadata": metadata,
        "capture_record": capture_record(sha256=digest, captured_at=captured_at, case=case, device=device_id,
                                         latitude=latitude, longitude=longitude),
        "queued_at": time.time(),
        "status": "queued",
        "upload_url": None,
    }
    home.save_entry(entry)
    return entry


# --------------------------------------------------------------------------- upload (tuspy)


def _upload_entry(api: Api, home: Home, entry: dict[str, Any], *, chunk_size: int, progress: bool,
                  retries: int, retry_delay: float) -> dict[str, Any]:
    from tqdm import tqdm
    from tusclient import client as tus_client
    from tusclient.exceptions import TusCommunicationError, TusUploadFailed

    path = Path(entry["path"])
    if not path.exists():
        entry.update(status="failed", error="文件已不存在")
        home.save_entry(entry)
        return entry
    attempts = 0
    bar = tqdm(total=entry["size"], unit="B", unit_scale=True, unit_divisor=1024, desc=path.name[:30],
               disable=not progress, file=sys.stderr)
    try:
        while True:
            try:
                client = tus_client.TusClient(api.url("/api/v1/uploads/"), headers=api.auth_headers())
                uploader = client.uploader(
                    file_path=str(path), chunk_size=chunk_size, metadata=entry["metadata"], upload_checksum=True,
                    url=entry.get("upload_url"),
                )
                if not uploader.url:
                    entry["upload_url"] = uploader.create_url()
                    entry["status"] = "uploading"
                    home.save_entry(entry)  # resume point: a killed client continues this upload
                    uploader.set_url(entry["upload_url"])
                    uploader.offset = 0
                bar.n = uploader.offset
                bar.refresh()
                while uploader.offset < entry["size"]:
                    client.set_headers(api.auth_headers())  # refreshed between chunks for long uploads
                    uploader.upload_chunk()
                    bar.n = uploader.offset
                    bar.refresh()
                break
            except (TusCommunicationError, TusUploadFailed, requests.RequestException) as exc:
                status = getattr(exc, "status_code", None)
                if status in (404, 410) and entry.get("upload_url"):
                    # Expired or terminated on the server: start over with a new upload.
                    entry["upload_url"] = None
                    home.save_entry(entry)
                    continue
                if status is not None and 400 <= status < 500 and status not in (409, 423, 429, 460):
                    entry.update(status="rejected" if status == 422 else "failed",
                                 error=_error_text(exc), http_status=status)
                    home.save_entry(entry)
                    return entry
                attempts += 1
                if attempts > retries:
                    entry.update(status="failed", error=_error_text(exc))
                    home.save_entry(entry)
                    return entry
                time.sleep(min(retry_delay * attempts, 30))
    finally:
        bar.close()
    head = api.request("HEAD", entry["upload_url"].replace(api.server, ""), headers=TUS_HEADERS)
    entry.update(
        status=head.headers.get("Evidence-Status", "received"),
        item=head.headers.get("Evidence-Item"),
        error=head.headers.get("Evidence-Error", ""),
    )
    home.save_entry(entry)
    return entry


def _error_text(exc: Exception) -> str:
    body = getattr(exc, "response_content", None)
    if isinstance(body, bytes | bytearray):
        try:
            return json.loads(body).get("message", "")[:300] or str(exc)
        except ValueError:
            return body[:300].decode(errors="replace")
    return str(exc)[:300]


def sync(home: Home, *, chunk_size: int = DEFAULT_CHUNK, progress: bool = True, retries: int = 20,
         retry_delay: float = 1.0) -> list[dict[str, Any]]:
    api = Api(home)
    done = []
    for entry in home.entries():
        if entry["status"] in ("queued", "uploading", "failed"):
            done.append(_upload_entry(api, home, entry, chunk_size=chunk_size, progress=progress, retries=retries,
                                      retry_delay=retry_delay))
    return done


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhifa-field", description="执法记录 field-device reference client")
    parser.add_argument("--home", type=Path, default=None, help="state directory (default ~/.zhifa-field)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("login", help="obtain tokens")
    p.add_argument("--server", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", default=None, help="default: $ZHIFA_PASSWORD or a prompt")

    p = sub.add_parser("register-device", help="create an Ed25519 key and register it")
    p.add_argument("--model", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--serial-number", default="")

    for name in ("capture", "upload"):
        p = sub.add_parser(name, help="queue a file" if name == "capture" else "queue a file and sync")
        p.add_argument("file", type=Path)
        p.add_argument("--case", required=True)
        p.add_argument("--kind", required=True, choices=["photo", "video", "audio", "document"])
        p.add_argument("--activity", default="")
        p.add_argument("--description", default="")
        p.add_argument("--lat", default=None)
        p.add_argument("--lon", default=None)
        p.add_argument("--accuracy", default=None)
        p.add_argument("--captured-at", default=None, help="RFC 3339; default: the file's modification time")
        if name == "upload":
            _sync_options(p)

    sub.add_parser("queue", help="list queued captures")
    p = sub.add_parser("sync", help="upload everything queued (resumes interrupted uploads)")
    _sync_options(p)
    return parser


def _sync_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK)
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--retries", type=int, default=20)
    p.add_argument("--retry-delay", type=float, default=1.0)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    home = Home(args.home or default_home())
    try:
        if args.command == "login":
            password = args.password or os.environ.get("ZHIFA_PASSWORD") or getpass.getpass("密码: ")
            login(home, server=args.server, username=args.username, password=password)
            print(f"已登录 {args.server} ({args.username})")
        elif args.command == "register-device":
            device = register_device(home, model=args.model, name=args.name, serial_number=args.serial_number)
            print(f"终端已登记：{device['id']}")
        elif args.command in ("capture", "upload"):
            entry = capture(home, args.file, case=args.case, kind=args.kind, activity=args.activity,
                            description=args.description, latitude=args.lat, longitude=args.lon,
                            accuracy_m=args.accuracy, captured_at=args.captured_at)
            print(f"已加入队列：{entry['id']} {Path(entry['path']).name} sha256={entry['metadata']['sha256']}"
                  f"{' (已签名)' if 'signature' in entry['metadata'] else ''}")
            if args.command == "upload":
                return _report(sync(home, chunk_size=args.chunk_size, progress=not args.no_progress,
                                    retries=args.retries, retry_delay=args.retry_delay))
        elif args.command == "queue":
            for entry in home.entries():
                print(f"{entry['id']}  {entry['status']:<10} {entry['size']:>12}  {Path(entry['path']).name}"
                      f"  {entry.get('item') or ''} {entry.get('error') or ''}")
        elif args.command == "sync":
            return _report(sync(home, chunk_size=args.chunk_size, progress=not args.no_progress,
                                retries=args.retries, retry_delay=args.retry_delay))
    except FieldError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0


def _report(entries: list[dict[str, Any]]) -> int:
    failed = 0
    for entry in entries:
        name = Path(entry["path"]).name
        if entry["status"] == "received":
            print(f"✓ {name} → 证据 {entry.get('item')}")
        else:
            failed += 1
            print(f"✗ {name}: {entry['status']} {entry.get('error', '')}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
