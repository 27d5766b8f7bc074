"""Names on the bus: subjects, streams, buckets, consumers and message ids.

Every service and test takes its names from here, so a subject is spelled in one place.
Symbols are instrument names such as ``BTC-USDT``: subject tokens, so no ``.``, ``*``,
``>`` or whitespace.
"""

from __future__ import annotations

import re

__all__ = [
    "DEAD_STREAM",
    "EVENTS_STREAM",
    "LEASE_BUCKET",
    "ORDERS_STREAM",
    "SNAPSHOT_BUCKET",
    "dead_subject",
    "event_msg_id",
    "events_subject",
    "lease_key",
    "matcher_consumer",
    "orders_subject",
    "parse_msg_id",
    "validate_symbol",
]

ORDERS_STREAM = "ORDERS"
EVENTS_STREAM = "EVENTS"
DEAD_STREAM = "DEAD"
LEASE_BUCKET = "tp_leases"
SNAPSHOT_BUCKET = "tp_snapshots"

_SYMBOL = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def validate_symbol(symbol: str) -> str:
    """Returns ``symbol`` if it can be a subject token and a consumer name, else raises."""
    if not _SYMBOL.match(symbol):
        raise ValueError(f"symbol {symbol!r} must be 1-64 of A-Z a-z 0-9 _ -")
    return symbol


def orders_subject(symbol: str) -> str:
    """Where orders for ``symbol`` are published (stream ORDERS)."""
    return f"tp.orders.{symbol}"


def events_subject(symbol: str) -> str:
    """Where the matcher publishes the events of ``symbol`` (stream EVENTS)."""
    return f"tp.events.{symbol}"


def dead_subject(symbol: str) -> str:
    """Where undecodable order messages for ``symbol`` go, with a reason (stream DEAD)."""
    return f"tp.dead.{symbol}"


def matcher_consumer(symbol: str) -> str:
    """The durable pull consumer on ORDERS that the owner of ``symbol`` reads."""
    return f"matcher_{symbol}"


def lease_key(symbol: str) -> str:
    """The key of the ownership lease of ``symbol`` in the lease bucket."""
    return f"matcher.{symbol}"


def event_msg_id(symbol: str, seq: int, index: int) -> str:
    """The JetStream message id of an output whose first event is event ``index`` of the
    order message ``seq`` (a dead letter: index 0)."""
    return f"{symbol}:{seq}:{index}"


def parse_msg_id(msg_id: str) -> tuple[str, int, int]:
    """``(symbol, seq, index)`` from an id made by :func:`event_msg_id`."""
    symbol, seq, index = msg_id.rsplit(":", 2)
    return symbol, int(seq), int(index)
