"""Project package and kernel app: settings, Celery app, regions, users, scoping, audit."""
from governance.celery import app as celery_app

__all__ = ("celery_app",)
