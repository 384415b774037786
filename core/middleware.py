"""Request logging: one JSON line per request (config/logs.py formats it)."""

from __future__ import annotations

import logging
import re
import time
import uuid

logger = logging.getLogger("atlas.request")

# A proxy's request id is kept only when it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """Logs method, path, status, duration and size of every request, and echoes a request id.

    The query string is left out: it can hold search terms people would not want logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        size = None if response.streaming else len(response.content)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "bytes": size,
                "cache": response.get("X-Cache"),
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "user_agent": request.headers.get("User-Agent", "")[:200],
            },
        )
        return response
