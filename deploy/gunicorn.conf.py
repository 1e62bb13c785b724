"""gunicorn settings for the web container (`gunicorn governance.wsgi -c deploy/gunicorn.conf.py`).

Values come from the environment so one image serves every size of deployment.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two sync workers per container by default; scale out with more containers behind the proxy.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 1000
max_requests_jitter = 100
# The reverse proxy sets X-Forwarded-Proto; trust it only from the proxy's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The access and error logs go through the same scrubbing filter as the application's
# (governance/log_filters.py): an ID number or phone in a URL never reaches the log in clear.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "governance.log_filters.PersonalDataFilter"}},
    "formatters": {"generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["personal_data"],
                    "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
