"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, in a subprocess so it can be stopped.

    server = SmtpServer(tmp_path / "smtp")
    server.start()                      # picks a free port; server.url is smtp://127.0.0.1:<port>
    server.reply(rcpt={"x@y.example": 550})   # refuse one recipient permanently
    server.reply(all_rcpt=451)          # every recipient: temporary failure
    server.reply(drop_first=3, drop_every=4)  # store the DATA, then hang up before the 250 reply
    server.reply()                      # accept everything again
    server.stop()                       # "mail server down"; start() again uses the same port
    server.messages()                   # what it received: Received(mail_from, rcpt_tos, message)

The subprocess writes every accepted message as a JSON file in the spool folder and reads its
reply rules from `control.json` there on every command, so a test changes them while it runs.
Run as a script, it is that subprocess.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage
    raw: bytes
    dropped: bool = False       # kept, but the connection was closed before the 250 reply


class SmtpServer:
    """The parent's handle on the aiosmtpd subprocess."""

    def __init__(self, spool: Path):
        self.spool = Path(spool)
        self.spool.mkdir(parents=True, exist_ok=True)
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.reply()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "SmtpServer":
        """Start (or restart, on the same port) and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--port", str(self.port or 0), "--spool", str(self.spool)],
            stdout=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + timeout
        line = self.process.stdout.readline()
        if not line.startswith("PORT ") or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"the test SMTP server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        """Kill the server: connections are refused until `start()`."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None

    def reply(self, *, rcpt: dict | None = None, all_rcpt: int | None = None, data: int | None = None,
              drop_first: int = 0, drop_every: int = 0) -> None:
        """Set the reply rules: a code per recipient, a code for every recipient, a code for DATA.

        `drop_first` / `drop_every`: the server keeps the message (the final "." arrived) but closes
        the connection before answering 250, for the first N messages and for every k-th one
        (counted over every DATA it receives since it started). The sender cannot know the message
        arrived, so it must send it again: the classic source of duplicates.
        """
        rules = {"rcpt": rcpt or {}, "all_rcpt": all_rcpt, "data": data,
                 "drop_first": drop_first, "drop_every": drop_every}
        partial = self.spool / "control.json.tmp"
        partial.write_text(json.dumps(rules))
        partial.replace(self.spool / "control.json")

    def messages(self) -> list[Received]:
        """Every message accepted so far, in arrival order."""
        result = []
        for path in sorted(self.spool.glob("msg-*.json")):
            item = json.loads(path.read_text())
            raw = item["data"].encode("latin-1")
            result.append(Received(item["mail_from"], item["rcpt_tos"],
                                   email.message_from_bytes(raw, policy=email.policy.default), raw,
                                   item.get("dropped", False)))
        return result

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """The messages once there are at least `count` (fails the test after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            received = self.messages()
            if len(received) >= count or time.monotonic() > deadline:
                return received
            time.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the subprocess ----------------------------------------------------------------------------

def _serve(port: int, spool: Path) -> None:
    import asyncio

    from aiosmtpd.smtp import SMTP

    def rules() -> dict:
        try:
            return json.loads((spool / "control.json").read_text())
        except (OSError, ValueError):
            return {}

    class Handler:
        counter = 0
        data_count = 0          # every DATA received, for the drop rules

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            current = rules()
            code = current.get("rcpt", {}).get(address) or current.get("all_rcpt")
            if code:
                return f"{code} {'4.3.0 try again later' if code < 500 else '5.1.1 mailbox unavailable'}"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            current = rules()
            code = current.get("data")
            if code:
                return f"{code} {'4.3.0 try again later' if code < 500 else '5.6.0 rejected'}"
            Handler.counter += 1
            Handler.data_count += 1
            every = current.get("drop_every") or 0
            drop = Handler.data_count <= (current.get("drop_first") or 0) or (every and Handler.data_count % every == 0)
            name = f"msg-{time.time_ns()}-{os.getpid()}-{Handler.counter:06d}"
            item = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                    "data": envelope.original_content.decode("latin-1"), "dropped": bool(drop)}
            partial = spool / f".{name}.tmp"
            partial.write_text(json.dumps(item))
            partial.replace(spool / f"{name}.json")     # visible to the test only when complete
            if drop:
                # Stored, yet the client never hears 250: hang up now. Closing the connection
                # cancels this handler (aiosmtpd's connection_lost), so no reply is ever written.
                server.transport.abort()
                await asyncio.sleep(3600)
            return "250 Message accepted for delivery"

    async def main():
        loop = asyncio.get_running_loop()
        handler = Handler()
        server = await loop.create_server(lambda: SMTP(handler, hostname="test-smtp.example"),
                                          host="127.0.0.1", port=port, reuse_address=True)
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--spool", type=Path, required=True)
    args = parser.parse_args()
    _serve(args.port, args.spool)
