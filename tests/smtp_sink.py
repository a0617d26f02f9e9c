"""An SMTP server on 127.0.0.1 that keeps what it receives (aiosmtpd), for tests of real delivery.

``SmtpSink(port).start()`` listens; ``stop()`` closes the port (a mail server that is down);
``start()`` again on the same port brings it back. ``reject`` holds addresses answered with 550.
Nothing leaves this machine.
"""
import logging
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self.sink.lock:
            self.sink.received.append(
                {"to": list(envelope.rcpt_tos), "message_id": message["Message-ID"], "subject": message["Subject"],
                 "message": message}
            )
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host, self.port = host, port or free_port(host)
        self.received: list[dict] = []
        self.reject: set[str] = set()
        self.lock = threading.Lock()
        self._controller = None

    def start(self):
        # server_hostname: else aiosmtpd asks DNS for this machine's name on every connection.
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10, server_hostname="localhost"
        )
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["message_id"] for m in self.received]
