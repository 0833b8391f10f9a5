"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""
import asyncio
import re
import socket
import threading
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def header_problems(raw):
    """What RFC 5322 and the providers require of fgc's mail, checked on the raw bytes:
    a parseable Date and a Message-ID, Auto-Submitted, and a 7-bit body that any
    server accepts without 8BITMIME."""
    problems = []
    try:
        raw.decode("ascii")
    except UnicodeDecodeError:
        problems.append("8-bit bytes")
    msg = message_from_bytes(raw, policy=policy.compat32)
    try:
        if msg["Date"] is None or parsedate_to_datetime(msg["Date"]).tzinfo is None:
            problems.append("no Date")
    except (TypeError, ValueError):
        problems.append(f"bad Date {msg['Date']!r}")
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", (msg["Message-ID"] or "").strip()):
        problems.append(f"bad Message-ID {msg['Message-ID']!r}")
    if msg["Auto-Submitted"] != "auto-generated":
        problems.append("no Auto-Submitted")
    return problems


class Inbox:
    """The SMTP handler: every accepted message, raw and parsed."""

    def __init__(self):
        self.raw = []
        self.problems = []  # what any received mail lacks; the smtp_server fixture asserts none

    async def handle_DATA(self, server, session, envelope):
        self.raw.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        self.problems.extend(header_problems(envelope.content))
        return "250 OK"

    @property
    def messages(self):
        return [message_from_bytes(content, policy=policy.default) for _f, _t, content in self.raw]

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    def __init__(self, inbox=None):
        self.port = free_port()
        self.inbox = inbox or Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class SlowInbox(Inbox):
    """A handler that takes its time over each message, as a busy provider does. A
    message counts as delivered only once the client could have heard the 250: if
    the client dies during the wait, aiosmtpd cancels the handler and nothing is kept.

    `company`: the first message waits (at most 30 s) until a second connection is
    sending too, so several workers are known to have run at the same time.
    `hold_at`: the n-th message waits until `release` is set; `holding` tells when."""

    def __init__(self, delay=0.05, company=False, hold_at=None):
        super().__init__()
        self.delay, self.company, self.hold_at = delay, company, hold_at
        self.peers = []  # the connection each kept message came on
        self.arrivals = []
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrivals.append(session.peer)
        if self.company and len(self.arrivals) == 1:
            for _ in range(1500):
                if len(set(self.arrivals)) > 1:
                    break
                await asyncio.sleep(0.02)
        if len(self.arrivals) == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        await asyncio.sleep(self.delay)
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


class RefusingInbox(Inbox):
    """A provider that knows no such mailbox: every recipient gets 550."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
