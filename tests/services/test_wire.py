"""The wire format: order messages in, event messages out, positions of events."""

from __future__ import annotations

import numpy as np
import pytest

from tpcore import book
from tpcore.services.config import BusSettings
from tpcore.services.fleet import connection_args, partition
from tpcore.services.wire import (
    COMMAND_HEADER,
    EVENT_HEADER,
    SEQ_SHIFT,
    WireError,
    decode_events,
    decode_orders,
    encode_commands,
    encode_events,
    event_positions,
    split_events,
)


def orders(n: int, first_id: int = 1) -> np.ndarray:
    out = book.commands(n)
    out["symbol"] = 1
    out["kind"] = book.CommandKind.SUBMIT
    out["order_type"] = book.OrderType.LIMIT
    out["tif"] = book.TimeInForce.GTC
    out["order_id"] = np.arange(first_id, first_id + n)
    out["account"] = 7
    out["side"] = book.Side.BUY
    out["price"] = 1000
    out["qty"] = 10
    return out


def test_one_order_and_a_batch_are_the_same_kind_of_message() -> None:
    one, many = encode_commands(orders(1)[0]), encode_commands(orders(3))
    assert one.startswith(COMMAND_HEADER)
    assert len(one) == 8 + 88
    assert len(many) == 8 + 3 * 88


def test_decode_stamps_each_command_with_its_message_sequence_and_index() -> None:
    bodies = [encode_commands(orders(2, 1)), encode_commands(orders(3, 10))]
    decoded = decode_orders(bodies, [5, 9])
    assert decoded.bad == []
    expected = [
        (5 << SEQ_SHIFT) + 0,
        (5 << SEQ_SHIFT) + 1,
        *((9 << SEQ_SHIFT) + i for i in range(3)),
    ]
    assert decoded.commands["seq"].tolist() == expected
    assert decoded.commands["order_id"].tolist() == [1, 2, 10, 11, 12]
    assert decoded.commands.dtype == book.COMMAND_DTYPE


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "truncated_header"),
        (b"TPCM\x01\x00", "truncated_header"),
        (b"JUNKJUNK" + bytes(88), "bad_magic"),
        (EVENT_HEADER + bytes(96), "bad_magic"),
        (b"TPCM\x02\x00\x58\x00" + bytes(88), "unsupported_layout"),
        (COMMAND_HEADER + bytes(87), "partial_record"),
        (COMMAND_HEADER, "no_records"),
    ],
)
def test_a_bad_message_is_reported_with_its_reason_and_the_rest_decoded(
    body: bytes, reason: str
) -> None:
    decoded = decode_orders(
        [encode_commands(orders(1)), body, encode_commands(orders(1, 5))], [1, 2, 3]
    )
    assert [(position, why) for position, why, _ in decoded.bad] == [(1, reason)]
    assert decoded.commands["order_id"].tolist() == [1, 5]


def test_encode_refuses_another_dtype_and_empty_batches() -> None:
    with pytest.raises(WireError, match="COMMAND_DTYPE"):
        encode_commands(np.zeros(2, dtype=np.int64))
    with pytest.raises(WireError, match="1 to"):
        encode_commands(book.commands(0))


def test_events_round_trip_and_refuse_command_messages() -> None:
    events = np.zeros(4, dtype=book.EVENT_DTYPE)
    events["order_id"] = [1, 2, 3, 4]
    assert decode_events(encode_events(events)).tobytes() == events.tobytes()
    with pytest.raises(WireError) as caught:
        decode_events(encode_commands(orders(1)))
    assert caught.value.reason == "bad_magic"


def events_from(origins: list[int]) -> np.ndarray:
    events = np.zeros(len(origins), dtype=book.EVENT_DTYPE)
    events["seq"] = np.asarray(origins, dtype=np.uint64) << np.uint64(SEQ_SHIFT)
    events["order_id"] = np.arange(len(origins))
    return events


def test_positions_count_events_within_each_input_message() -> None:
    origin, index = event_positions(events_from([3, 3, 3, 7, 9, 9]))
    assert origin.tolist() == [3, 3, 3, 7, 9, 9]
    assert index.tolist() == [0, 1, 2, 0, 0, 1]


def test_split_events_resumes_after_a_stored_position_and_bounds_message_size() -> None:
    events = events_from([3, 3, 3, 7, 9, 9])
    messages = split_events(events, after=(3, 1), per_message=2)
    assert [(m.first, m.last) for m in messages] == [((3, 2), (7, 0)), ((9, 0), (9, 1))]
    joined = np.concatenate([decode_events(m.body) for m in messages])
    assert joined["order_id"].tolist() == [2, 3, 4, 5]
    assert split_events(events, after=(9, 1)) == []
    assert len(split_events(events)) == 1


def test_fleet_workers_get_the_connection_options_but_never_the_password() -> None:
    settings = BusSettings(
        user="matcher",
        password="s3cret",  # noqa: S106 - a test value
        tls_ca="ca.pem",
        manage_streams=False,
        replicas=3,
    )
    args = connection_args(settings)
    assert "s3cret" not in " ".join(args)
    assert args[args.index("--user") + 1] == "matcher"
    assert args[args.index("--password-env") + 1] == "TPCORE_NATS_PASSWORD"
    assert args[args.index("--tls-ca") + 1] == "ca.pem"
    assert args[args.index("--replicas") + 1] == "3"
    assert "--no-manage-streams" in args
    assert "--user" not in connection_args(BusSettings())


def test_symbols_across_matchers_are_dealt_round_robin() -> None:
    assert partition(["A", "B", "C"], 2) == [["A", "C"], ["B"]]
    assert partition(["A"], 3) == [["A"]]
