"""gunicorn settings, read from the environment (README.md, "Deployment").

gunicorn -c config/gunicorn.conf.py config.wsgi
"""

from __future__ import annotations

import os

from core.env import env_int, env_list, env_str

bind = env_list("GUNICORN_BIND", [f"{env_str('HOST') or '127.0.0.1'}:{env_int('PORT', 8000)}"])
workers = env_int("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1, minimum=1)
threads = env_int("GUNICORN_THREADS", 2, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never takes every worker at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = max_requests // 10
# Only these proxies may say which scheme and client a request came from.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS") or "127.0.0.1"
# Django logs each request as a JSON line (config/middleware.py); gunicorn's own access
# log would repeat it as text. Its error log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL") or "info"
# Static files and the database connections are per worker; nothing needs preloading.
preload_app = False
