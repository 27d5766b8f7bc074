"""The engine from Python: scalar calls, the structured-array batch path, market data,
snapshots and the wire messages."""

from __future__ import annotations

import numpy as np
import pytest

from tpcore import book
from tpcore.errors import InvalidInput

SYM = 1


@pytest.fixture
def engine() -> book.Engine:
    e = book.Engine(fee_tiers=[(-100, 500), (0, 200)])
    e.add_book(book.Instrument(SYM, "T", tick_size=5, lot_size=10, band_bps=1_000))
    return e


def kinds(events: list[book.Event]) -> list[str]:
    return [e.kind for e in events]


def test_limit_orders_trade_at_the_makers_price_with_both_fees(engine: book.Engine) -> None:
    engine.submit(SYM, 1, 100, "sell", 50, 1000)
    events = engine.submit(SYM, 2, 200, "buy", 30, 1010)
    assert kinds(events) == ["accepted", "trade"]
    trade = events[1]
    assert (trade.price, trade.qty, trade.leaves, trade.maker_order_id, trade.maker_leaves) == (
        1000,
        30,
        0,
        1,
        20,
    )
    # 30,000 notional: taker 0.05% = 15, maker rebate 0.01% = -3.
    assert (trade.taker_fee, trade.maker_fee) == (15, -3)
    assert trade.side == "buy"
    assert trade.reason is None
    assert engine.best_ask(SYM) == (1000, 20)
    assert engine.best_bid(SYM) is None


def test_account_tiers_apply_to_orders_accepted_later(engine: book.Engine) -> None:
    engine.set_account_tier(200, 1)
    engine.submit(SYM, 1, 100, "sell", 10, 1000)
    trade = engine.submit(SYM, 2, 200, "buy", 10, 1000)[1]
    assert (trade.taker_fee, trade.maker_fee) == (2, -1)
    with pytest.raises(InvalidInput) as err:
        engine.set_account_tier(1, 9)
    assert err.value.reason == "invalid_fee_schedule"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"qty": 0, "price": 1000}, "invalid_quantity"),
        ({"qty": -10, "price": 1000}, "invalid_quantity"),
        ({"qty": 15, "price": 1000}, "quantity_off_lot"),
        ({"qty": 10, "price": 1003}, "price_off_tick"),
        ({"qty": 10, "price": 0}, "invalid_price"),
        ({"qty": 10, "price": 1000, "display_qty": 10}, "invalid_display_quantity"),
        # More than 100 slices: one taker would trade once per slice.
        ({"qty": 1010, "price": 1000, "display_qty": 10}, "invalid_display_quantity"),
        ({"qty": 10, "price": 1000, "tif": "ioc", "post_only": True}, "invalid_order"),
        ({"qty": 10, "price": 2**61 + 3}, "notional_overflow"),
        ({"qty": 10, "order_type": "stop_market", "trigger_price": 7}, "invalid_trigger_price"),
        ({"qty": 10, "price": 1000, "tif": "gtd", "expire_at": 0}, "expired_on_arrival"),
        ({"qty": 10, "price": 1000, "quote_budget": 5}, "invalid_quote_budget"),
    ],
)
def test_bad_orders_are_reject_events_not_exceptions(
    engine: book.Engine, kwargs: dict[str, object], reason: str
) -> None:
    events = engine.submit(SYM, 1, 100, "buy", **kwargs)  # type: ignore[arg-type]
    assert kinds(events) == ["rejected"]
    assert events[0].reason == reason
    assert events[0].order_id == 1
    engine.validate_invariants()


def test_band_duplicates_unknown_ids_and_symbols_are_rejects(engine: book.Engine) -> None:
    engine.submit(SYM, 1, 100, "sell", 10, 1000)
    engine.submit(SYM, 2, 200, "buy", 10, 1000)  # last price 1000, band 10%
    assert engine.submit(SYM, 3, 200, "buy", 10, 1105)[0].reason == "price_outside_band"
    assert engine.submit(SYM, 2, 200, "buy", 10, 900)[0].reason == "duplicate_order_id"
    assert engine.cancel(SYM, 99, 100)[0].reason == "unknown_order"
    assert engine.cancel(SYM, 1, 100)[0].reason == "unknown_order"  # filled already
    assert engine.submit(7, 4, 100, "buy", 10, 1000)[0].reason == "unknown_symbol"


def test_scalar_arguments_are_checked(engine: book.Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.submit(SYM, 1, 100, "long", 10, 1000)  # type: ignore[arg-type]
    assert err.value.reason == "invalid_enum"
    assert "side" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        engine.best_bid(5)
    assert err.value.reason == "unknown_symbol"


def test_amend_down_keeps_priority_and_up_loses_it(engine: book.Engine) -> None:
    engine.submit(SYM, 1, 100, "buy", 50, 1000)
    engine.submit(SYM, 2, 101, "buy", 50, 1000)
    assert kinds(engine.amend(SYM, 1, 100, 1000, 20)) == ["amended"]
    assert [o[0] for o in engine.orders(SYM, "buy")] == [1, 2]
    engine.amend(SYM, 1, 100, 1000, 40)
    assert [o[0] for o in engine.orders(SYM, "buy")] == [2, 1]
    assert engine.depth(SYM, "buy") == [(1000, 90, 2)]


def test_market_data_and_l2_deltas(engine: book.Engine) -> None:
    engine.track_l2_deltas(SYM, True)
    engine.submit(SYM, 1, 100, "buy", 50, 1000)
    engine.submit(SYM, 2, 100, "buy", 20, 995)
    engine.submit(SYM, 3, 101, "sell", 50, 1000)
    assert engine.l2_deltas(SYM) == [("buy", 995, 20), ("buy", 1000, 0)]
    assert engine.l2_deltas(SYM) == []
    assert engine.last_price(SYM) == 1000
    assert engine.order_count(SYM) == (1, 0)


def submit_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    commands = book.commands(n)
    commands["seq"] = np.arange(1, n + 1)
    commands["symbol"] = SYM
    commands["kind"] = book.CommandKind.SUBMIT
    commands["order_id"] = np.arange(1, n + 1)
    commands["account"] = rng.integers(1, 5, n)
    commands["side"] = rng.integers(1, 3, n)
    commands["order_type"] = book.OrderType.LIMIT
    commands["tif"] = rng.choice([book.TimeInForce.GTC, book.TimeInForce.IOC], n)
    commands["price"] = 5 * rng.integers(190, 210, n)
    commands["qty"] = 10 * rng.integers(1, 20, n)
    commands["stp"] = rng.integers(0, 5, n)
    return commands


def test_process_matches_the_scalar_calls(engine: book.Engine) -> None:
    commands = submit_rows(2_000, 1)
    events = engine.process(commands)
    assert events.dtype == book.EVENT_DTYPE
    scalar = book.Engine(fee_tiers=[(-100, 500), (0, 200)])
    scalar.add_book(engine.instrument(SYM))
    expected = []
    for row in commands:
        expected += scalar.submit(
            SYM,
            int(row["order_id"]),
            int(row["account"]),
            "buy" if row["side"] == 1 else "sell",
            int(row["qty"]),
            int(row["price"]),
            tif="gtc" if row["tif"] == book.TimeInForce.GTC else "ioc",
            stp=["cancel_taker", "cancel_taker", "cancel_maker", "cancel_both", "decrement"][
                int(row["stp"])
            ],  # type: ignore[arg-type]
            seq=int(row["seq"]),
        )
    assert len(events) == len(expected)
    for got, want in zip(events, expected, strict=True):
        assert book.EventKind(got["kind"]).name.lower() == want.kind
        assert (int(got["seq"]), int(got["order_id"]), int(got["price"]), int(got["qty"])) == (
            want.seq,
            want.order_id,
            want.price,
            want.qty,
        )
        assert book.REASONS[int(got["reason"])] == (want.reason or "")
    assert engine.state_hash() == scalar.state_hash()
    assert engine.last_seq == 2_000
    engine.validate_invariants()


def test_same_stream_twice_gives_identical_bytes_and_snapshots_resume(engine: book.Engine) -> None:
    commands = submit_rows(3_000, 2)
    whole = engine.process(commands).tobytes()
    again = book.Engine(fee_tiers=[(-100, 500), (0, 200)])
    again.add_book(engine.instrument(SYM))
    first = again.process(commands[:1_234])
    restored = book.Engine.restore(again.snapshot())
    assert restored.state_hash() == again.state_hash()
    assert restored.last_seq == 1_234
    rest = restored.process(commands[1_234:])
    assert first.tobytes() + rest.tobytes() == whole


def test_process_refuses_wrong_arrays(engine: book.Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.process(np.zeros(10, dtype=np.uint8))
    assert err.value.reason == "invalid_dtype"
    with pytest.raises(InvalidInput) as err:
        engine.process(book.commands(10)[::2])
    assert err.value.reason == "not_contiguous"
    blank = book.commands(3)
    assert [book.REASONS[r] for r in engine.process(blank)["reason"]] == ["unknown_symbol"] * 3
    blank["symbol"] = SYM
    assert [book.REASONS[r] for r in engine.process(blank)["reason"]] == ["invalid_command"] * 3


def test_wire_messages_round_trip(engine: book.Engine) -> None:
    commands = submit_rows(50, 3)
    header = b"TPCM" + book.LAYOUT_VERSION.to_bytes(2, "little") + (88).to_bytes(2, "little")
    reply = engine.process_message(header + commands.tobytes())
    assert reply[:4] == b"TPEV"
    events = np.frombuffer(reply[8:], dtype=book.EVENT_DTYPE)
    assert len(events) >= 50
    with pytest.raises(InvalidInput) as err:
        engine.process_message(b"TPCM\x09\x00\x58\x00")
    assert err.value.reason == "malformed_buffer"


def test_restore_refuses_garbage() -> None:
    with pytest.raises(InvalidInput) as err:
        book.Engine.restore(b"\x00" * 8 + b"nonsense")
    assert err.value.reason == "corrupt_snapshot"


def test_process_refuses_two_dimensional_arrays(engine: book.Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.process(book.commands(4).reshape(2, 2))
    assert err.value.reason == "invalid_shape"
