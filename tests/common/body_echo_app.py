"""A tiny WSGI app for test_request_body.py: reads the body with ``body_reader`` and answers its digest.

Served by a real gunicorn, so the socket fast path and gunicorn's keep-alive bookkeeping are exercised.
"""

import hashlib

import django
from django.conf import settings

settings.configure(ALLOWED_HOSTS=["*"], USE_TZ=True)
django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402

from backend.common.request_body import body_reader  # noqa: E402


def app(environ, start_response):
    request = WSGIRequest(environ)
    block_size = int(environ.get("HTTP_X_BLOCK", "65536"))
    read = body_reader(request)
    path = "fast" if type(getattr(read, "__self__", None)).__name__ == "_SocketBodyReader" else "plain"
    digest = hashlib.sha256()
    total = 0
    try:
        while True:
            block = read(block_size)
            if not block:
                break
            digest.update(block)
            total += len(block)
    except OSError:
        pass
    body = f"{path} {total} {digest.hexdigest()}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
