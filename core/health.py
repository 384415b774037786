"""Probes for a load balancer or orchestrator.

`/healthz`: the process answers (no database, so a database outage does not restart it).
`/readyz`: the database and the cache both answer; otherwise 503 naming what is down.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("atlas.health")


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


@never_cache
@require_GET
def readyz(request):
    checks = {}
    for name, check in (("database", _database), ("cache", _cache)):
        try:
            check()
        except Exception as error:
            # The reason goes to the log; the response names only the component.
            logger.error("readiness check failed: %s", name, exc_info=error)
            checks[name] = "down"
        else:
            checks[name] = "ok"
    down = [name for name, state in checks.items() if state != "ok"]
    if down:
        return JsonResponse({"status": "unavailable", "down": down, "checks": checks}, status=503)
    return JsonResponse({"status": "ready", "checks": checks})
