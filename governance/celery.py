"""The Celery app.

Broker: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/,
so a machine with neither Redis nor PostgreSQL still runs the escalation schedule with
`celery worker -B` beside the dev server (see DESIGN §5 and docs/background-jobs.md).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
