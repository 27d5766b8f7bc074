"""Money at the edge: ``Decimal``, ``str`` or ``int`` in, never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tpcore.errors import InvalidInput

__all__ = ["Money", "to_decimal"]

#: What the front doors accept for prices, quantities and amounts.
Money = Decimal | str | int


def to_decimal(value: Money, what: str) -> Decimal:
    """``value`` as a finite ``Decimal``; ``InvalidInput`` (``float_money`` for a float,
    ``invalid_money`` otherwise) naming ``what``."""
    if isinstance(value, float):
        raise InvalidInput(
            f"{what} must be a Decimal, str or int, not a float (floats are not exact)",
            "float_money",
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        raise InvalidInput(f"{what} must be a Decimal, str or int", "invalid_money")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"{what} {value!r} is not a number", "invalid_money") from None
    if not number.is_finite():
        raise InvalidInput(f"{what} {value!r} is not finite", "invalid_money")
    return number
