"""gunicorn's settings, read from the project folder by every `gunicorn` started here: the docker
compose web service, `make bench` and the reload test (tests/test_gunicorn.py).

Reloads without an outage. The application is loaded once in the master (`preload_app`) and each
worker is a fork of it, ready in milliseconds. A HUP (new settings, log files reopened) starts the
new workers and then stops the old ones gracefully, so something is always accepting; without
preloading, the old workers were stopped while the new ones were still importing Django, and the
site answered nothing for as long as that took (38 s under load in the review of issue 12).
A new version of the code needs a new master: `kill -USR2 <master>` starts one from the new code
beside the old, then `kill -WINCH <old master>` and `kill -QUIT <old master>` retire the old one
(README, "Deploying a new version").

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import os

import gunicorn.http.wsgi

# The Server header names no software or version (issue 13): gunicorn writes this module value into
# every response it sends.
gunicorn.http.wsgi.SERVER = "WRES Portal"

bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
preload_app = True
# A request slower than this is killed; the graceful stop waits as long for one in flight.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Bounded requests: the portal's largest legitimate request is an upload (gunicorn has no body limit:
# Django answers 413 to a declared body over MAX_REQUEST_BYTES before reading it, and the proxy in
# front should cap bodies at 6 MB); the request line and headers stay small.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# Behind the TLS proxy X-Forwarded-Proto is trusted from these addresses (compose: its network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
