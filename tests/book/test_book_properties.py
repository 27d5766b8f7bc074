"""Property tests at the Python boundary (hypothesis): the engine against the pure-Python
reference book on the commands both understand, chunked processing equal to one call,
and snapshots that resume byte for byte."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benches.pybook import PyBook
from tpcore import book

SYM = 1

# (kind, order_id, side, price, qty, ioc)
command = st.tuples(
    st.sampled_from(
        [book.CommandKind.SUBMIT] * 5 + [book.CommandKind.CANCEL, book.CommandKind.AMEND]
    ),
    st.integers(1, 40),
    st.sampled_from([book.Side.BUY, book.Side.SELL]),
    st.integers(95, 105),
    st.integers(-1, 12),
    st.booleans(),
)


def to_array(stream: list[tuple[int, int, int, int, int, bool]]) -> np.ndarray:
    commands = book.commands(len(stream))
    for i, (kind, order_id, side, price, qty, ioc) in enumerate(stream):
        row = commands[i]
        row["seq"] = i + 1
        row["symbol"] = SYM
        row["kind"] = kind
        row["order_id"] = order_id
        row["account"] = order_id  # one account per order: no self-trade prevention
        if kind == book.CommandKind.SUBMIT:
            row["side"] = side
            row["order_type"] = book.OrderType.LIMIT
            row["tif"] = book.TimeInForce.IOC if ioc else book.TimeInForce.GTC
        if kind != book.CommandKind.CANCEL:
            row["price"] = price
            row["qty"] = qty
    return commands


def fresh() -> book.Engine:
    engine = book.Engine()
    engine.add_book(book.Instrument(SYM, "T", band_bps=1_000_000, id_window=0))
    return engine


@settings(max_examples=150, deadline=None)
@given(st.lists(command, max_size=120))
def test_engine_agrees_with_the_reference_book(stream: list) -> None:
    events = fresh().process(to_array(stream))
    peer = PyBook()
    expected = []
    for kind, order_id, side, price, qty, ioc in stream:
        if kind == book.CommandKind.SUBMIT:
            expected += peer.submit(order_id, side, price, qty, ioc)
        elif kind == book.CommandKind.CANCEL:
            expected += peer.cancel(order_id)
        else:
            expected += peer.amend(order_id, price, qty)
    got = [
        (
            book.EventKind(int(e["kind"])).name.lower(),
            int(e["order_id"]),
            int(e["qty"]),
            int(e["leaves"]),
            int(e["maker_order_id"]),
        )
        for e in events
    ]
    want = [(k, oid, qty, leaves, maker) for k, oid, _price, qty, leaves, maker in expected]
    assert got == want
    trades = events[events["kind"] == book.EventKind.TRADE]
    want_prices = [price for k, _, price, *_ in expected if k == "trade"]
    assert trades["price"].tolist() == want_prices


full_command = st.fixed_dictionaries(
    {
        "kind": st.integers(0, 6),
        "order_id": st.integers(1, 30),
        "account": st.integers(1, 3),
        "side": st.integers(0, 3),
        "order_type": st.integers(1, 4),
        "tif": st.integers(1, 4),
        "price": st.integers(90, 110),
        "qty": st.integers(0, 8),
        "trigger_price": st.integers(90, 110),
        "display_qty": st.sampled_from([0, 0, 0, 1, 2]),
        "quote_budget": st.sampled_from([0, 0, 0, 500]),
        "expire_at": st.integers(0, 20),
        "flags": st.integers(0, 3),
        "stp": st.integers(0, 4),
    }
)


@settings(max_examples=120, deadline=None)
@given(st.lists(full_command, max_size=100), st.integers(0, 100), st.integers(1, 7))
def test_chunks_and_snapshots_replay_byte_for_byte(stream: list, cut: int, chunk: int) -> None:
    commands = book.commands(len(stream))
    for i, fields in enumerate(stream):
        for name, value in fields.items():
            commands[i][name] = value
        commands[i]["seq"] = i + 1
        commands[i]["symbol"] = SYM
    whole = fresh().process(commands).tobytes()

    chunked = fresh()
    pieces = []
    for start in range(0, len(commands), chunk):
        pieces.append(chunked.process(commands[start : start + chunk]).tobytes())
        chunked.validate_invariants()
    assert b"".join(pieces) == whole

    cut = min(cut, len(commands))
    first = fresh()
    head = first.process(commands[:cut]).tobytes()
    resumed = book.Engine.restore(first.snapshot())
    assert resumed.state_hash() == first.state_hash()
    assert head + resumed.process(commands[cut:]).tobytes() == whole
