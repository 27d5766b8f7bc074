"""Money at the edge: decimal prices and quantities to integer units and back."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from tpcore import book
from tpcore.errors import InvalidInput


@pytest.fixture
def btc() -> book.Instrument:
    return book.instrument(
        1, "BTC-USDT", tick_size="0.05", lot_size="0.001", min_qty="0.010", max_price="1000000"
    )


def test_units_follow_the_tick_and_lot(btc: book.Instrument) -> None:
    assert (btc.price_decimals, btc.tick_size, btc.qty_decimals, btc.lot_size) == (2, 5, 3, 1)
    assert (btc.min_qty, btc.max_price, btc.min_price) == (10, 100_000_000, 5)
    assert book.price_units(btc, "64000.55") == 6_400_055
    assert book.price_units(btc, Decimal("64000.5")) == 6_400_050
    assert book.qty_units(btc, "0.25") == 250
    assert book.qty_units(btc, 2) == 2_000
    assert book.price_decimal(btc, 6_400_055) == Decimal("64000.55")
    assert book.qty_decimal(btc, 250) == Decimal("0.250")
    assert book.notional_decimal(btc, 1_600_013_750) == Decimal("16000.13750")


@pytest.mark.parametrize(
    ("convert", "value", "reason"),
    [
        (book.price_units, "64000.51", "price_off_tick"),
        (book.price_units, "64000.555", "price_off_tick"),
        (book.qty_units, "0.0005", "quantity_off_lot"),
        (book.price_units, 64000.5, "float_money"),
        (book.qty_units, 0.25, "float_money"),
        (book.price_units, "abc", "invalid_money"),
        (book.price_units, "NaN", "invalid_money"),
        (book.qty_units, True, "invalid_money"),
    ],
)
def test_bad_money_raises_naming_the_reason(
    btc: book.Instrument, convert: object, value: object, reason: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        convert(btc, value)  # type: ignore[operator]
    assert err.value.reason == reason


def test_instrument_checks() -> None:
    with pytest.raises(InvalidInput) as err:
        book.instrument(1, "X", tick_size="0", lot_size="1")
    assert err.value.reason == "invalid_instrument"
    with pytest.raises(InvalidInput) as err:
        book.Instrument(1, "X", lot_size=10, min_qty=15)
    assert err.value.reason == "invalid_instrument"
    with pytest.raises(InvalidInput):
        book.instrument(1, "X", tick_size=0.01, lot_size="1")  # type: ignore[arg-type]


def test_engine_refuses_a_second_book_for_a_symbol(btc: book.Instrument) -> None:
    engine = book.Engine()
    engine.add_book(btc)
    with pytest.raises(InvalidInput) as err:
        engine.add_book(btc)
    assert err.value.reason == "duplicate_symbol"
    assert engine.symbols() == [1]
    assert engine.instrument(1) == btc


def test_record_arrays_keep_their_dtype_when_concatenated() -> None:
    commands = np.concatenate([book.commands(2), book.commands(3)])
    assert commands.dtype == book.COMMAND_DTYPE
    engine = book.Engine()
    events = np.concatenate([engine.process(commands[:2]), engine.process(commands[2:])])
    assert events.dtype == book.EVENT_DTYPE
    assert len(events) == 5  # five invalid commands, five rejects
