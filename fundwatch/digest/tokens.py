"""HMAC tokens for links that act without a login: unsubscribe, "not relevant", private feeds.

A token is ``base64url(HMAC-SHA256(secret, purpose NUL part NUL part …))`` cut to 128 bits, so it
proves the link was made by this installation for exactly that profile and recipient or call,
and cannot be forged or moved to another one. Nothing is stored per token.

The secret comes from ``$FUNDWATCH_SECRET``. Without it (the demo, a first try) a random secret
is generated once into a 0600 file beside the outbox, with a warning: links keep working across
restarts of the same installation, and an operator can rotate it by deleting the file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from fundwatch.errors import FundwatchError

SECRET_ENV = "FUNDWATCH_SECRET"
SECRET_FILE = ".fundwatch-secret"
_MIN_SECRET = 16

log = logging.getLogger("fundwatch.digest")


class Signer:
    """Makes and checks tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < _MIN_SECRET:
            raise FundwatchError(f"the link secret must be at least {_MIN_SECRET} bytes long")
        self._secret = secret

    def token(self, purpose: str, *parts: str) -> str:
        message = "\0".join((purpose, *parts)).encode("utf-8")
        mac = hmac.new(self._secret, message, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def check(self, token: str, purpose: str, *parts: str) -> bool:
        return hmac.compare_digest(
            token.encode("ascii", "replace"), self.token(purpose, *parts).encode("ascii")
        )


def load_signer(
    outbox_dir: str | os.PathLike[str], environ: Mapping[str, str] | None = None
) -> Signer:
    """The installation's signer: $FUNDWATCH_SECRET, else a generated secret file."""
    env = os.environ if environ is None else environ
    value = env.get(SECRET_ENV, "")
    if value:
        return Signer(value.encode("utf-8"))
    path = Path(outbox_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
            log.warning("$%s not set: generated a link secret in %s", SECRET_ENV, path)
    return Signer(path.read_text().strip().encode("utf-8"))


def encode(text: str) -> str:
    """Text as a URL-safe token part (addresses and call refs in links)."""
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode(value: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
