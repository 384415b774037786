"""gunicorn settings, read from the environment (docs/deployment.md, "Environment").

gunicorn -c config/gunicorn.conf.py config.wsgi
"""

from __future__ import annotations

import os

from core.env import env_int, env_list, env_str

bind = env_list("GUNICORN_BIND", [f"{env_str('HOST') or '127.0.0.1'}:{env_int('PORT', 8000)}"])
workers = env_int("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1, minimum=1)
threads = env_int("GUNICORN_THREADS", 2, minimum=1)
# gunicorn's threaded worker, except that it retires gracefully (config/gunicorn_worker.py).
# The sync worker holds no connection between requests, so it retires gracefully as it is.
worker_class = "config.gunicorn_worker.DrainingThreadWorker" if threads > 1 else "sync"
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5
# Workers are recycled gracefully, rather than not at all: recycling bounds what a slow leak
# in any library could cost (a worker's memory is reset every few thousand requests), and
# the jitter keeps workers from restarting together. It used to cost connection resets:
# gunicorn's gthread worker drops the connections it holds when it retires (gunicorn issue
# #3038). The draining worker stops accepting, answers every connection it holds one last
# time with `Connection: close`, then leaves; its successor, forked from the preloaded app,
# is ready at once. Under wrk, recycling every 50 requests, there is no socket error
# (tests/hardening/test_serving.py). GUNICORN_MAX_REQUESTS=0 turns recycling off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = max_requests // 10
# Long enough for a query string of the longest values the app checks (core/params.py), so
# that a value too long is a 400 naming the parameter rather than gunicorn's bare 400.
limit_request_line = 8190
# Only these proxies may say which scheme and client a request came from.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS") or "127.0.0.1"
# Django logs each request as a JSON line (config/middleware.py); gunicorn's own access
# log would repeat it as text. Its error log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL") or "info"
# The app is loaded once, before the workers are forked: a recycled worker's successor is
# ready at once instead of importing Django for a second or more while requests queue (wrk
# counted those as timeouts). Loading opens no connection (Django connects on first use),
# so nothing is shared between workers but the code.
preload_app = True
