"""A TCP proxy on 127.0.0.1 that tests and bench/faults.py put in front of PostgreSQL or
Redis to inject faults:

    proxy = FaultProxy(5432).start()   # forwards 127.0.0.1:proxy.port -> 127.0.0.1:5432
    proxy.freeze()    # connections stay open (new ones are accepted) but nothing moves
    proxy.refuse()    # the listener closes and every open connection is cut: "refused"
    proxy.passing()   # back to normal; what a frozen connection held goes on its way
    proxy.stop()

Threads, one pair per connection; a frozen pump simply waits before each send, so the
peer's kernel still acknowledges what is sent (as with a server that hangs).
"""

import contextlib
import socket
import threading

PASS, FREEZE, REFUSE = "pass", "freeze", "refuse"


class FaultProxy:
    def __init__(self, target_port, target_host="127.0.0.1", port=0):
        self.target = (target_host, target_port)
        self.port = port
        self.mode = PASS
        self.flowing = threading.Event()
        self.flowing.set()
        self.lock = threading.Lock()
        self.listener = None
        self.sockets = set()
        self.stopped = False

    # ---- control ---------------------------------------------------------

    def start(self):
        self._listen()
        return self

    def passing(self):
        with self.lock:
            self.mode = PASS
        if self.listener is None:
            self._listen()
        self.flowing.set()

    def freeze(self):
        with self.lock:
            self.mode = FREEZE
            self.flowing.clear()

    def refuse(self):
        with self.lock:
            self.mode = REFUSE
            listener, self.listener = self.listener, None
            sockets, self.sockets = self.sockets, set()
        if listener is not None:
            _close(listener)
        for sock in sockets:
            _close(sock)
        self.flowing.set()  # frozen pumps wake up to find their sockets gone

    def stop(self):
        self.stopped = True
        self.refuse()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    # ---- the forwarding --------------------------------------------------

    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]  # the same port again after refuse()
        with self.lock:
            self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by refuse() or stop()
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client):
        self.flowing.wait()  # frozen: accepted, and nothing more
        try:
            server = socket.create_connection(self.target, timeout=5)
            server.settimeout(None)
        except OSError:
            _close(client)
            return
        with self.lock:
            if self.mode == REFUSE:
                _close(client)
                _close(server)
                return
            self.sockets.update((client, server))
        for source, sink in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.sockets.discard(source)
                self.sockets.discard(sink)
            _close(source)
            _close(sink)


def _close(sock):
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
