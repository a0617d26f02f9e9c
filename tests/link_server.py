"""A small web server on 127.0.0.1 that answers like the sites our links point to.

Paths: /ok (200), /moved (301 to /ok), /found (302 to /ok), /missing (404),
/error (500), /hang (never answers until the server stops), /no-head (HEAD 405,
GET 200), /forbidden (403), /loop (redirects to itself). Nothing here leaves
this machine.
"""
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet in tests
        pass

    def _answer(self, status, headers=None, body=b""):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        path = self.path.split("?")[0]
        self.server.hits.append((self.command, path))
        if path.startswith("/ok"):
            return self._answer(200, body=b"<p>ok</p>")
        if path.startswith("/moved"):
            return self._answer(301, {"Location": "/ok"})
        if path.startswith("/found"):
            return self._answer(302, {"Location": "/ok"})
        if path.startswith("/missing"):
            return self._answer(404, body=b"<p>weg</p>")
        if path.startswith("/error"):
            return self._answer(500, body=b"<p>stuk</p>")
        if path.startswith("/hang"):
            self.server.stopping.wait(30)
            return None
        if path.startswith("/no-head"):
            return self._answer(405 if self.command == "HEAD" else 200, body=b"<p>ok</p>")
        if path.startswith("/forbidden"):
            return self._answer(403)
        if path.startswith("/loop"):
            return self._answer(302, {"Location": path})
        return self._answer(404)

    do_GET = _route
    do_HEAD = _route


@contextmanager
def link_server():
    """Serve in a thread; yields the base URL, e.g. http://127.0.0.1:54321."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.hits = []
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
