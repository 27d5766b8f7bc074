"""Matcher snapshots in the JetStream object store, one object per symbol.

An object is ``TPSN``, a u16 format version, the u64 ORDERS stream sequence it covers (all
inputs up to and including it are applied) and then the engine's own snapshot bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from nats.js.errors import ObjectNotFoundError
from nats.js.object_store import ObjectStore

__all__ = ["Snapshot", "SnapshotStore"]

_MAGIC = b"TPSN"
_VERSION = 1
_HEADER = struct.Struct("<4sHQ")


@dataclass(frozen=True)
class Snapshot:
    """An engine snapshot and the last ORDERS sequence applied to it."""

    orders_seq: int
    engine: bytes

    def encode(self) -> bytes:
        """The stored form."""
        return _HEADER.pack(_MAGIC, _VERSION, self.orders_seq) + self.engine

    @classmethod
    def decode(cls, data: bytes) -> Snapshot:
        """Reads the stored form; ValueError if it is not one this build knows."""
        if len(data) < _HEADER.size:
            raise ValueError("snapshot object is truncated")
        magic, version, seq = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _VERSION:
            raise ValueError(f"not a version-{_VERSION} snapshot object")
        return cls(seq, data[_HEADER.size :])


class SnapshotStore:
    """Puts and gets the latest snapshot of each symbol."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def put(self, symbol: str, snapshot: Snapshot) -> None:
        """Replaces the symbol's snapshot."""
        await self.store.put(symbol, snapshot.encode())

    async def get(self, symbol: str) -> Snapshot | None:
        """The symbol's latest snapshot, or None."""
        try:
            result = await self.store.get(symbol)
        except ObjectNotFoundError:
            return None
        return Snapshot.decode(result.data or b"")
