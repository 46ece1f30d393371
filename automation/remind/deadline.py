"""A whole-send deadline for blocking network I/O (SMTP sessions, webhook POSTs).

A socket timeout bounds each read, not a send: a server that answers one byte a second
never trips it. `SendGuard` bounds the whole send instead. While it is armed, a watchdog
thread checks every `POLL_SECONDS` whether the deadline has passed or the stop event is set
(SIGTERM / Ctrl+C in `ledger watch`); then it shuts down every socket the send uses, which
wakes the blocked read at once (it sees end-of-file) and the library raises its own
connection error. Connecting is done here too, without blocking (`connect`), so a server
that never completes the TCP handshake is cut off the same way.

    guard = SendGuard(30.0, stop)
    with guard:
        smtp = GuardedSMTP(host, port, guard=guard)   # see channels.py
        ...
    if guard.fired: ...    # "deadline" or "stop": the send was cut off, say why
"""

from __future__ import annotations

import errno
import select
import socket
import threading
import time
from typing import Callable

POLL_SECONDS = 0.1
READ_TIMEOUT_MARGIN = 1.0

DEADLINE = "deadline"
STOPPED = "stop"

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, 10035}  # 10035: WSAEWOULDBLOCK


class SendAborted(OSError):
    """Raised by `SendGuard.check` / `connect` when the deadline passed or a stop was asked."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.ETIMEDOUT if reason == DEADLINE else errno.EINTR, reason)
        self.reason = reason


class SendGuard:
    """The deadline of one send: `seconds` from arming (`with guard:`), or until `stop` is set."""

    def __init__(self, seconds: float, stop: threading.Event | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = max(0.0, float(seconds))
        self.stop = stop
        self.clock = clock
        self.fired: str | None = None  # DEADLINE / STOPPED once the watchdog cut the send off
        self.request_sent = False  # set by the senders once the whole request went out
        self._end = clock() + self.seconds
        self._sockets: list[Callable[[], socket.socket | None]] = []
        self._lock = threading.Lock()
        self._disarmed = threading.Event()
        self._thread: threading.Thread | None = None

    # --- state ---------------------------------------------------------------------------

    def remaining(self) -> float:
        return max(0.0, self._end - self.clock())

    def reason(self) -> str | None:
        """Why the send must end now (DEADLINE / STOPPED), or None."""
        if self.fired:
            return self.fired
        if self.stop is not None and self.stop.is_set():
            return STOPPED
        if self.clock() >= self._end:
            return DEADLINE
        return None

    def check(self) -> None:
        reason = self.reason()
        if reason:
            raise SendAborted(reason)

    def read_timeout(self, per_read: float) -> float:
        """The per-read socket timeout: the configured one, but ending a little after the
        deadline, so that the watchdog (which knows why) ends a slow send, not the socket
        (whose bare "timed out" would look like a broken connection worth retrying)."""
        return max(0.05, min(per_read, self.remaining())) + READ_TIMEOUT_MARGIN

    # --- sockets ----------------------------------------------------------------------------

    def watch(self, current_socket: Callable[[], socket.socket | None]) -> None:
        """Cut off the socket `current_socket()` returns when the send must end. A callable,
        not the socket: STARTTLS and TLS wrapping replace the socket object mid-send."""
        with self._lock:
            self._sockets.append(current_socket)
            fired = self.fired
        if fired:
            _shutdown(current_socket())

    def connect(self, address: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        """`socket.create_connection`, interruptible by the deadline and the stop event;
        the returned socket has the per-read `timeout` and is watched."""
        host, port = address[:2]
        last: OSError | None = None
        for family, kind, proto, _, addr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            try:
                if source_address:
                    sock.bind(source_address)
                self._connect_one(sock, addr)
                sock.settimeout(self.read_timeout(timeout if timeout is not None else self.seconds))
                self.watch(lambda s=sock: s)
                return sock
            except SendAborted:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"getaddrinfo returned nothing for {host}")

    def _connect_one(self, sock: socket.socket, addr) -> None:
        sock.setblocking(False)
        code = sock.connect_ex(addr)
        if code and code not in _IN_PROGRESS:
            raise OSError(code, _strerror(code))
        while code:
            self.check()
            _, writable, failed = select.select([], [sock], [sock], min(POLL_SECONDS, self.remaining()))
            if writable or failed:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, _strerror(code))
                return
        self.check()

    # --- the watchdog -------------------------------------------------------------------------

    def __enter__(self) -> SendGuard:
        self._end = self.clock() + self.seconds
        self._thread = threading.Thread(target=self._watchdog, name="send-deadline", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:  # after this the watchdog never touches the sockets again
            self._disarmed.set()
        if self._thread is not None:
            self._thread.join()

    def _watchdog(self) -> None:
        while not self._disarmed.wait(POLL_SECONDS):
            reason = self.reason()
            if reason:
                with self._lock:
                    if self._disarmed.is_set():
                        return
                    self.fired = reason
                    getters = list(self._sockets)
                for get in getters:
                    _shutdown(get())
                return


def _shutdown(sock: socket.socket | None) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter drops the TLS object under
    # the thread that is reading; the plain shutdown just makes the read see end-of-file.
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


def _strerror(code: int) -> str:
    import os

    try:
        return os.strerror(code)
    except ValueError:
        return f"error {code}"
