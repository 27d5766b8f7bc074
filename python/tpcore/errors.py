"""The exceptions tpcore raises.

The extension module raises these classes (they are imported into Rust), so they can be
caught, subclassed and pickled like any Python exception. Reason codes are stable
snake_case strings and part of the API.
"""

from __future__ import annotations

__all__ = ["DecryptionError", "InvalidInput", "InvariantError", "TpcoreError"]


class TpcoreError(Exception):
    """Base class of every error tpcore raises."""


class InvalidInput(TpcoreError, ValueError):
    """An argument, or one element of a batch, is not acceptable.

    Attributes:
        reason: A stable snake_case code such as ``"invalid_secret_key"``.
        index: The row of the batch that is bad (the first one), or ``None`` when the error
            concerns the argument as a whole (its shape, dtype or length).
    """

    reason: str
    index: int | None

    def __init__(self, message: str, reason: str, index: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.index = index

    def __reduce__(self) -> tuple[type[InvalidInput], tuple[str, str, int | None]]:
        return (type(self), (str(self), self.reason, self.index))


class DecryptionError(InvalidInput):
    """A keystore did not decrypt: the password is wrong or the file was altered.

    Its ``reason`` is ``"wrong_password"``; the MAC is checked before anything is decrypted.
    """


class InvariantError(TpcoreError, AssertionError):
    """A structural invariant of an order book does not hold (a bug, never bad input).

    Raised by ``Engine.validate_invariants()``, which tests and replay checks call.
    """
