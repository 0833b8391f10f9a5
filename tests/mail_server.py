"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""
import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """The SMTP handler: every accepted message, raw and parsed."""

    def __init__(self):
        self.raw = []

    async def handle_DATA(self, server, session, envelope):
        self.raw.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    @property
    def messages(self):
        return [message_from_bytes(content, policy=policy.default) for _f, _t, content in self.raw]

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
