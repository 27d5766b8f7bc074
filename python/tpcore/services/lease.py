"""Ownership of a symbol: a lease in a JetStream KV bucket, taken and renewed with
revision checks.

The bucket's entries expire ``BusSettings.lease_ttl`` seconds after their last write.
:meth:`Lease.try_acquire` creates the key (it fails while another owner's entry lives);
:meth:`Lease.renew` rewrites it only at the revision this owner last wrote.
The owner counts its lease as held for only part of the TTL after the *start* of its last
successful write, so it stops working before the server can let anyone else in.
"""

from __future__ import annotations

import contextlib
import time

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

__all__ = ["Lease"]

#: The part of the TTL an owner trusts its lease for (the rest absorbs delays).
TRUSTED_FRACTION = 0.6


class Lease:
    """One owner's claim on one key."""

    def __init__(self, kv: KeyValue, key: str, owner: str, ttl: float) -> None:
        self.kv = kv
        self.key = key
        self.owner = owner
        self.ttl = ttl
        self.revision: int | None = None
        self._held_until = 0.0

    def held(self) -> bool:
        """True while this owner may act on the key."""
        return self.revision is not None and time.monotonic() < self._held_until

    async def try_acquire(self) -> bool:
        """Takes the key if nobody holds it; True on success."""
        started = time.monotonic()
        try:
            self.revision = await self.kv.create(self.key, self.owner.encode())
        except KeyWrongLastSequenceError:
            return False
        self._held_until = started + self.ttl * TRUSTED_FRACTION
        return True

    async def renew(self) -> bool:
        """Extends the lease; False (and no longer held) if another owner took it."""
        if self.revision is None:
            return False
        started = time.monotonic()
        try:
            self.revision = await self.kv.update(self.key, self.owner.encode(), last=self.revision)
        except (KeyWrongLastSequenceError, KeyNotFoundError):
            self.revision = None
            return False
        self._held_until = started + self.ttl * TRUSTED_FRACTION
        return True

    async def release(self) -> None:
        """Gives the key up at once (so a successor need not wait for the TTL)."""
        if self.revision is None:
            return
        revision, self.revision = self.revision, None
        with contextlib.suppress(KeyWrongLastSequenceError, KeyNotFoundError):
            await self.kv.delete(self.key, last=revision)
