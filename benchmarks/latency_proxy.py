"""A TCP proxy on loopback that counts request/response round trips and delays each one.

A round trip starts when the client sends after the server has answered (or on a new
connection); the first client chunk of each round trip waits ``latency_s`` before it is
forwarded, so a database behind the proxy looks that far away. Used by
``benchmarks/roundtrips.py`` and by ``tests/perf/test_roundtrips.py``.
"""

from __future__ import annotations

import socket
import threading
import time


class LatencyProxy:
    def __init__(self, host: str, port: int, latency_s: float = 0.0) -> None:
        self.upstream = (host, port)
        self.latency_s = latency_s
        self._lock = threading.Lock()
        self._round_trips = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()

    @property
    def round_trips(self) -> int:
        with self._lock:
            return self._round_trips

    def reset(self) -> None:
        with self._lock:
            self._round_trips = 0

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            answered = threading.Event()
            answered.set()  # a new connection starts a round trip
            threading.Thread(target=self._client_to_server, args=(client, server, answered), daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(server, client, answered), daemon=True).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket, answered: threading.Event) -> None:
        try:
            while data := client.recv(65536):
                if answered.is_set():
                    answered.clear()
                    with self._lock:
                        self._round_trips += 1
                    if self.latency_s:
                        time.sleep(self.latency_s)
                server.sendall(data)
        except OSError:
            pass
        finally:
            _close(server)

    def _server_to_client(self, server: socket.socket, client: socket.socket, answered: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                answered.set()
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
