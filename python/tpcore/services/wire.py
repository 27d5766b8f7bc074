"""The wire format of the fleet: the matching engine's command and event records.

A message body is an 8-byte header (4 magic bytes ``TPCM`` or ``TPEV``, the layout
version and the record size, both little-endian u16) and then one or more fixed-size
records, :data:`tpcore.book.COMMAND_DTYPE` or :data:`tpcore.book.EVENT_DTYPE`. One order
and a batch of orders are the same thing: a message with one record or with many.

The matcher decodes everything it fetched in one go (:func:`decode_orders`): the bodies
are joined into one command array and each command is stamped with its input sequence,
``(stream sequence << 16) | index in the message``, so events name the ORDERS message
they came from. Python does per-message work here, never per-order work.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tpcore.book import COMMAND_DTYPE, EVENT_DTYPE, LAYOUT_VERSION

__all__ = [
    "COMMAND_HEADER",
    "EVENT_HEADER",
    "MAX_RECORDS",
    "SEQ_SHIFT",
    "DecodedOrders",
    "EventMessage",
    "WireError",
    "decode_events",
    "decode_orders",
    "encode_commands",
    "encode_events",
    "event_positions",
    "split_events",
]

HEADER_SIZE = 8
COMMAND_HEADER = b"TPCM" + struct.pack("<HH", LAYOUT_VERSION, COMMAND_DTYPE.itemsize)
EVENT_HEADER = b"TPEV" + struct.pack("<HH", LAYOUT_VERSION, EVENT_DTYPE.itemsize)
#: Bits of a command's ``seq`` that hold its index within its message.
SEQ_SHIFT = 16
#: The most records one order message may carry.
MAX_RECORDS = (1 << SEQ_SHIFT) - 1
#: The most event records published in one message (under 1 MB with the header).
EVENTS_PER_MESSAGE = 10_000


class WireError(ValueError):
    """A message body that is not a valid record message; ``reason`` is a stable code."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def encode_commands(commands: np.ndarray) -> bytes:
    """One order message from an array (or one record) of :data:`COMMAND_DTYPE`."""
    array = np.atleast_1d(np.asarray(commands))
    if array.dtype != COMMAND_DTYPE:
        raise WireError("commands must have tpcore.book.COMMAND_DTYPE", "bad_dtype")
    if not 0 < len(array) <= MAX_RECORDS:
        raise WireError(f"a message carries 1 to {MAX_RECORDS} commands", "bad_count")
    return COMMAND_HEADER + array.tobytes()


def encode_events(events: np.ndarray) -> bytes:
    """One event message from an array of :data:`EVENT_DTYPE`."""
    return EVENT_HEADER + np.ascontiguousarray(events).tobytes()


def _check(body: bytes, magic: bytes, header: bytes, size: int) -> int:
    """The record count of a message body, or :class:`WireError` with the reason."""
    if len(body) < HEADER_SIZE:
        raise WireError(f"{len(body)} bytes is shorter than the header", "truncated_header")
    if body[:4] != magic:
        raise WireError(f"magic {body[:4]!r} is not {magic!r}", "bad_magic")
    if body[:HEADER_SIZE] != header:
        version, record = struct.unpack_from("<HH", body, 4)
        raise WireError(
            f"layout version {version} with {record}-byte records is not supported",
            "unsupported_layout",
        )
    records, rest = divmod(len(body) - HEADER_SIZE, size)
    if rest:
        raise WireError(f"{rest} bytes after the last whole record", "partial_record")
    if records == 0:
        raise WireError("the message has no records", "no_records")
    return records


def decode_events(body: bytes) -> np.ndarray:
    """The (read-only) event records of one event message."""
    _check(body, b"TPEV", EVENT_HEADER, EVENT_DTYPE.itemsize)
    return np.frombuffer(body, dtype=EVENT_DTYPE, offset=HEADER_SIZE)


@dataclass
class DecodedOrders:
    """What :func:`decode_orders` made of a fetched batch."""

    #: Every valid command, in input order, ``seq`` stamped.
    commands: np.ndarray
    #: ``(position in the batch, reason, detail)`` of each message that is not valid.
    bad: list[tuple[int, str, str]] = field(default_factory=list)


def decode_orders(bodies: Sequence[bytes], stream_seqs: Sequence[int]) -> DecodedOrders:
    """Joins the command records of many order messages into one stamped array."""
    good: list[memoryview] = []
    seqs: list[int] = []
    counts: list[int] = []
    bad: list[tuple[int, str, str]] = []
    for position, (body, stream_seq) in enumerate(zip(bodies, stream_seqs, strict=True)):
        try:
            count = _check(body, b"TPCM", COMMAND_HEADER, COMMAND_DTYPE.itemsize)
            if count > MAX_RECORDS:
                raise WireError(f"{count} commands exceed {MAX_RECORDS}", "too_many_records")
        except WireError as error:
            bad.append((position, error.reason, str(error)))
            continue
        good.append(memoryview(body)[HEADER_SIZE:])
        seqs.append(stream_seq)
        counts.append(count)
    joined = bytearray().join(good)
    commands = np.frombuffer(joined, dtype=COMMAND_DTYPE)
    if len(commands):
        per_message = np.asarray(counts, dtype=np.int64)
        starts = np.repeat(np.cumsum(per_message) - per_message, per_message)
        index = np.arange(len(commands), dtype=np.int64) - starts
        base = np.repeat(np.asarray(seqs, dtype=np.uint64) << np.uint64(SEQ_SHIFT), per_message)
        commands["seq"] = base + index.astype(np.uint64)
    return DecodedOrders(commands, bad)


def event_positions(events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each event: the ORDERS sequence of the message that caused it, and its index
    among that message's events. The pair orders all events of a symbol."""
    origin = (events["seq"] >> np.uint64(SEQ_SHIFT)).astype(np.int64)
    if len(origin) == 0:
        return origin, origin.copy()
    first = np.flatnonzero(np.r_[True, origin[1:] != origin[:-1]])
    runs = np.diff(np.r_[first, len(origin)])
    index = np.arange(len(origin), dtype=np.int64) - np.repeat(first, runs)
    return origin, index


@dataclass(frozen=True)
class EventMessage:
    """Consecutive events of one symbol, from ``first`` to ``last`` (inclusive), each a
    ``(input sequence, index)`` position."""

    first: tuple[int, int]
    last: tuple[int, int]
    body: bytes


def split_events(
    events: np.ndarray, after: tuple[int, int] = (0, -1), per_message: int = EVENTS_PER_MESSAGE
) -> list[EventMessage]:
    """The events positioned after ``after``, as messages of at most ``per_message``."""
    origin, index = event_positions(events)
    keep = (origin > after[0]) | ((origin == after[0]) & (index > after[1]))
    start = int(np.argmax(keep)) if keep.any() else len(events)
    messages = []
    for low in range(start, len(events), per_message):
        high = min(low + per_message, len(events)) - 1
        messages.append(
            EventMessage(
                (int(origin[low]), int(index[low])),
                (int(origin[high]), int(index[high])),
                encode_events(events[low : high + 1]),
            )
        )
    return messages
