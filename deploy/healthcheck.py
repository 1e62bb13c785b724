"""Container health check for the web service: the login page answers below 500.

Sends the Host and X-Forwarded-Proto headers the reverse proxy would send, so neither
ALLOWED_HOSTS nor SECURE_SSL_REDIRECT turns the probe away.
"""
import os
import sys
import urllib.error
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
request = urllib.request.Request(
    "http://127.0.0.1:8000/login/", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        status = response.status
except urllib.error.HTTPError as error:
    status = error.code
except OSError as error:
    print(f"unhealthy: {error}")
    sys.exit(1)
sys.exit(0 if status < 500 else 1)
