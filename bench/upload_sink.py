"""The ideal Python ingest sink for bench_uploads.py: the least a tus server must do for evidence.

A WSGI app (served by the same gunicorn as the project) that speaks just enough tus for tuspy and
tus-js-client (POST, HEAD, PATCH): it streams each body in 1 MiB reads, verifies ``Upload-Checksum`` when sent,
updates a SHA-256, appends to a file and fsyncs before answering. No auth, no database, no metadata checks,
state in process memory (run it with one worker).
"""

import base64
import hashlib
import os
import threading
import uuid

ROOT = os.environ.get("SINK_DIR", "/tmp/upload-sink")
os.makedirs(ROOT, exist_ok=True)
UPLOADS: dict = {}
LOCK = threading.Lock()
TUS = [("Tus-Resumable", "1.0.0")]


def app(environ, start_response):
    method = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE") or environ["REQUEST_METHOD"]
    path = environ["PATH_INFO"]
    if method == "POST":
        upload_id = uuid.uuid4().hex
        with LOCK:
            UPLOADS[upload_id] = {"offset": 0, "length": int(environ["HTTP_UPLOAD_LENGTH"]), "sha": hashlib.sha256()}
        os.makedirs(ROOT, exist_ok=True)
        open(os.path.join(ROOT, upload_id), "wb").close()
        location = f"http://{environ['HTTP_HOST']}/files/{upload_id}"
        start_response("201 Created", [*TUS, ("Location", location), ("Content-Length", "0")])
        return [b""]
    upload = UPLOADS.get(path.rsplit("/", 1)[-1])
    if upload is None:
        start_response("404 Not Found", [*TUS, ("Content-Length", "0")])
        return [b""]
    if method == "HEAD":
        start_response("200 OK", [*TUS, ("Upload-Offset", str(upload["offset"])),
                                  ("Upload-Length", str(upload["length"])), ("Content-Length", "0")])
        return [b""]
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    chunk_sum = None
    algorithm, _, expected = environ.get("HTTP_UPLOAD_CHECKSUM", "").partition(" ")
    if algorithm:
        chunk_sum = hashlib.new(algorithm)
    sha = upload["sha"].copy()
    with open(os.path.join(ROOT, path.rsplit("/", 1)[-1]), "ab") as fh:
        while remaining:
            block = stream.read(min(remaining, 1 << 20))
            if not block:
                break
            remaining -= len(block)
            sha.update(block)
            if chunk_sum:
                chunk_sum.update(block)
            fh.write(block)
        if chunk_sum and base64.b64encode(chunk_sum.digest()).decode() != expected:
            fh.truncate(upload["offset"])
            start_response("460 Checksum Mismatch", [*TUS, ("Content-Length", "0")])
            return [b""]
        fh.flush()
        os.fsync(fh.fileno())
        upload["offset"] = fh.tell()
    upload["sha"] = sha
    start_response("204 No Content", [*TUS, ("Upload-Offset", str(upload["offset"]))])
    return [b""]
