import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

application = get_wsgi_application()

from backend.config.checks import refuse_insecure_start  # noqa: E402

# Production refuses to serve on an insecure configuration (see checks.py).
refuse_insecure_start()
