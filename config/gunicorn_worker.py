"""A gunicorn threaded worker that retires without dropping a connection.

gunicorn's `gthread` worker, on reaching `max_requests` (or on a graceful stop), leaves its
loop at once: the connections it had accepted but not yet read, and the keep-alive
connections waiting for their next request, are closed unanswered, and a client that sends
on one gets a connection reset (gunicorn issue #3038; wrk counted them as socket errors).

This worker stops accepting instead, then answers every connection it holds: the next
request on each is served with `Connection: close` (the worker is no longer alive, so
gunicorn closes after each response), so the client opens a new connection, which another
worker (or this one's successor) accepts from the shared listening socket. It leaves when
it holds no connection and runs no request, or after `graceful_timeout`. A keep-alive
connection left idle is closed at its keep-alive timeout, as it would be at any time.
"""

from __future__ import annotations

import contextlib
import selectors
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker


class DrainingThreadWorker(ThreadWorker):
    def run(self):
        for sock in self.sockets:
            sock.setblocking(False)
            # As gunicorn does: the listener's name, captured once.
            server = sock.getsockname()
            self.poller.register(sock, selectors.EVENT_READ, partial(self.accept, server))

        while self.alive:
            self.serve_once()
            if not self.is_parent_alive():
                break

        self.drain()
        self.tpool.shutdown(False)
        self.poller.close()
        for sock in self.sockets:
            sock.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)

    def serve_once(self) -> None:
        """One turn of gunicorn's loop: accept, read, hand requests to the threads, reap."""
        self.notify()
        if self.nr_conns < self.worker_connections:
            for key, _ in self.poller.select(1.0):
                key.data(key.fileobj)
            result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
        else:
            result = futures.wait(self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED)
        for future in result.done:
            self.futures.remove(future)
        self.murder_keepalived()

    def drain(self) -> None:
        """Accept nothing more; answer the connections held, each one last time."""
        for sock in self.sockets:
            with contextlib.suppress(KeyError, ValueError):
                self.poller.unregister(sock)
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while (self.nr_conns > 0 or self.futures) and time.monotonic() < deadline:
            if not self.is_parent_alive():
                return
            self.serve_once()

    def finish_request(self, fs):
        """A response sent as keep-alive just before the worker began to retire: the client
        may already be sending its next request on that connection, so wait for it and
        answer it (with `Connection: close`) rather than close under it."""
        if self.alive or fs.cancelled() or fs.exception() is not None:
            return super().finish_request(fs)
        keepalive, conn = fs.result()
        if not keepalive:
            return super().finish_request(fs)
        conn.sock.setblocking(False)
        conn.set_timeout()
        with self._lock:
            self._keep.append(conn)
            self.poller.register(
                conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
            )
        return None
