"""gunicorn's settings, read from the project folder by every `gunicorn` started here: the docker
compose web service, the Dockerfile's command, `make bench` (bench/pages.py) and the reload test
(tests/test_gunicorn.py).

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

import gc
import os
from typing import Any

import gunicorn.http.wsgi

# The Server header names no software or version (issue 13): gunicorn writes this module value into
# every response it sends.
gunicorn.http.wsgi.SERVER = "WRES Portal"

bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
# Worker processes and threads (issue 18). A page is mostly Python (CPU, under the GIL) with a few
# short database round trips: one process per core plus one keeps the cores busy while another
# waits on PostgreSQL, and a few threads per process overlap those waits without more memory.
# `gthread`, not `sync`: sync workers close the connection after every response, so each request
# from the TLS proxy (or wrk) paid a new TCP connection; gthread keeps it open (keep-alive) and
# parks idle connections without holding a thread. No gevent/eventlet: psycopg and Django's ORM
# are not made cooperative by them without monkey-patching, which we do not want in production.
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = True


def when_ready(server: Any) -> None:
    """The application is loaded in the master and no worker is forked yet: collect its garbage
    once, then freeze what is left (Django, the URL patterns, the settings: about 200,000 objects)
    so that no worker's garbage collector ever scans it (issue 18). Without this each worker's first
    full collections walked every inherited object, 142 to 249 ms each with the worker answering
    nothing (measured with gc.callbacks in the workers under wrk, 20,000 authorities), and wrote to
    every object's header, so each worker copied pages it could have shared: private memory per
    worker 88 to 92 MB, 43 to 45 MB frozen. Python's documentation for gc.freeze() recommends this
    for a parent that forks without exec."""
    gc.collect()
    gc.freeze()


def pre_fork(server: Any, worker: Any) -> None:
    """Before each fork, also a replacement worker's: freeze what the master made since."""
    gc.freeze()


# A request slower than this is killed; the graceful stop waits as long for one in flight.
timeout = 30
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open: longer than the proxy's reuse of it would be
# wasted, shorter makes the proxy reconnect (nginx keeps upstream connections about 60 s).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Each worker is replaced after about this many requests (jittered so they do not all restart
# together): bounds a slow leak; with the application preloaded a new worker is ready at once.
max_requests = 5000
max_requests_jitter = 500
# Bounded requests: the portal's largest legitimate request is an upload (gunicorn has no body limit:
# Django answers 413 to a declared body over MAX_REQUEST_BYTES before reading it, and the proxy in
# front should cap bodies at 6 MB); the request line and headers stay small.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# One line per request on stdout (the container log); `GUNICORN_ACCESS_LOG=` (empty) turns it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Behind the TLS proxy X-Forwarded-Proto is trusted from these addresses (compose: its network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
