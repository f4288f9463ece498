# Load the Celery app whenever Django starts, so @shared_task binds to it (and its settings) in every
# process: web, worker and management commands.
from backend.config.celery import app as celery_app

__all__ = ["celery_app"]
