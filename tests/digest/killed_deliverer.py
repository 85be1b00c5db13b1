"""A deliverer that is killed (SIGKILL) at a named point of a send: a real crash, in a child
process, with nothing after it run — no `finally`, no QUIT, no journal flush that was not
already on disk.

    python -m tests.digest.killed_deliverer DATABASE_URL SMTP_PORT JOURNAL STAGE NOW

STAGE is one of the points `fundwatch.digest.transports` reports ("handed_over", "accepted",
"recorded"). The process exits with -SIGKILL when it got there, or 0 if it never did.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime

from fundwatch.config import SmtpSettings
from fundwatch.digest.deliver import deliver
from fundwatch.digest.transports import SmtpTransport, new_owner
from fundwatch.store import Store
from fundwatch.store.outbox import QueuedMessage


def main(argv: list[str]) -> int:
    database_url, port, journal, stage, now = argv

    def fault(where: str, _message: QueuedMessage) -> None:
        if where == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    settings = SmtpSettings(host="127.0.0.1", port=int(port), security="none")
    store = Store.open(database_url)
    transport = SmtpTransport(settings, journal, owner=new_owner(), environ={})
    deliver(store.engine, transport, datetime.fromisoformat(now), fault=fault)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
