"""A local SMTP server that keeps what it accepts (aiosmtpd), for the stack test.

`hold(recipient, after=n)` makes it stop answering the message to `recipient` that comes after the
first `n` it accepted for them, until `release()`: the test can then kill the sender at a moment it
knows, with the n-th message accepted and the next one on the wire. A held message is never kept.
"""

import asyncio
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages = []  # email.message.EmailMessage, in the order accepted
        self._lock = threading.Lock()
        self._hold = None  # (recipient, after)
        self.holding = threading.Event()
        self._released = None

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        if self._hold and self._hold[0] in envelope.rcpt_tos and self.count(to=self._hold[0]) >= self._hold[1]:
            self.holding.set()
            await self._released.wait()
            return "451 held by the test, not accepted"
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def hold(self, recipient: str, *, after: int, loop) -> None:
        self._released = asyncio.Event()
        self._loop = loop
        self.holding.clear()
        self._hold = (recipient, after)

    def release(self) -> None:
        self._hold = None
        self._loop.call_soon_threadsafe(self._released.set)

    def snapshot(self) -> list:
        with self._lock:
            return list(self.messages)

    def count(self, *, to: str | None = None, subject: str | None = None) -> int:
        return len(self.matching(to=to, subject=subject))

    def matching(self, *, to: str | None = None, subject: str | None = None) -> list:
        return [
            m for m in self.snapshot()
            if (to is None or to in str(m["To"])) and (subject is None or subject in str(m["Subject"]))
        ]


class SinkServer:
    def __init__(self, port: int):
        self.sink = Sink()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=port)

    def start(self) -> Sink:
        self.controller.start()
        return self.sink

    @property
    def loop(self):
        return self.controller.loop

    def stop(self) -> None:
        if self.sink._hold:
            self.sink.release()
        self.controller.stop()
