"""Withdrawal policy for Ethereum transactions, checked before anything is signed.

Per key: an allow-list of destination addresses, a cap on each transaction's value and a
rolling 24-hour limit. The limit's state lives in the JetStream KV bucket
``tp_withdrawals`` (one entry per key: the amounts spent per minute) and is updated with
compare-and-swap, so signers sharing the bucket can never both spend the same allowance.
Minutes count for 1,441 minutes, so the window is never shorter than 24 hours: the limit
errs on the side of refusing.

A key without a policy entry may not sign transactions at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

__all__ = ["WITHDRAWAL_BUCKET", "Allowances", "KeyPolicy", "WithdrawalPolicy"]

WITHDRAWAL_BUCKET = "tp_withdrawals"
WINDOW_MINUTES = 24 * 60


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{what} must be an integer (wei) or a decimal/hex string")
    number = int(value, 16) if isinstance(value, str) and value.startswith("0x") else int(value)
    if number < 0:
        raise ValueError(f"{what} must not be negative")
    return number


@dataclass(frozen=True)
class KeyPolicy:
    """What one key may send."""

    allow: frozenset[str]
    max_value: int
    daily_limit: int


@dataclass(frozen=True)
class WithdrawalPolicy:
    """Policies by lower-case ``0x`` address."""

    keys: dict[str, KeyPolicy]

    @classmethod
    def load(cls, path: str | Path) -> WithdrawalPolicy:
        """``{"keys": {"0xaddr": {"allow": [...], "max_value": wei, "daily_limit": wei}}}``"""
        data = json.loads(Path(path).read_text())
        keys = {
            address.lower(): KeyPolicy(
                frozenset(a.lower() for a in entry.get("allow", [])),
                _int(entry["max_value"], f"{address}.max_value"),
                _int(entry["daily_limit"], f"{address}.daily_limit"),
            )
            for address, entry in data.get("keys", {}).items()
        }
        return cls(keys)

    def check(self, key: str, to: str | None, value: int) -> str | None:
        """The reason code refusing this transaction, or None if the stateless rules pass."""
        policy = self.keys.get(key)
        if policy is None:
            return "no_policy"
        if to is None or to.lower() not in policy.allow:
            return "destination_not_allowed"
        if value > policy.max_value:
            return "value_above_cap"
        return None


class Allowances:
    """The rolling 24-hour spend of each key, shared through a KV bucket."""

    def __init__(self, kv: KeyValue, *, clock: Callable[[], float] = time.time) -> None:
        self.kv = kv
        self.clock = clock

    async def reserve(self, key: str, amounts: Sequence[int], limit: int) -> list[bool]:
        """Spends what fits under ``limit``, in order; which amounts were granted."""
        entry_key = f"spend.{key.lower()}"
        while True:
            minute = int(self.clock() // 60)
            spent, revision = await self._read(entry_key, minute)
            used = sum(spent.values())
            granted = []
            for amount in amounts:
                fits = used + amount <= limit
                granted.append(fits)
                if fits:
                    used += amount
                    spent[minute] = spent.get(minute, 0) + amount
            if not any(granted):
                return granted
            body = json.dumps({str(m): v for m, v in spent.items()}).encode()
            try:
                if revision is None:
                    await self.kv.create(entry_key, body)
                else:
                    await self.kv.update(entry_key, body, last=revision)
            except KeyWrongLastSequenceError:
                continue  # another signer spent meanwhile: read again
            return granted

    async def release(self, key: str, amount: int) -> None:
        """Gives back an amount reserved for a transaction that was then not signed."""
        entry_key = f"spend.{key.lower()}"
        while True:
            minute = int(self.clock() // 60)
            spent, revision = await self._read(entry_key, minute)
            if revision is None:
                return
            for m in sorted(spent, reverse=True):
                taken = min(spent[m], amount)
                spent[m] -= taken
                amount -= taken
                if amount == 0:
                    break
            body = json.dumps({str(m): v for m, v in spent.items() if v}).encode()
            try:
                await self.kv.update(entry_key, body, last=revision)
            except KeyWrongLastSequenceError:
                continue
            return

    async def spent(self, key: str) -> int:
        """What the key spent in the window."""
        spent, _ = await self._read(f"spend.{key.lower()}", int(self.clock() // 60))
        return sum(spent.values())

    async def _read(self, entry_key: str, minute: int) -> tuple[dict[int, int], int | None]:
        try:
            entry = await self.kv.get(entry_key)
        except (KeyNotFoundError, KeyDeletedError):
            return {}, None
        raw = json.loads(entry.value or b"{}")
        live = {int(m): int(v) for m, v in raw.items() if int(m) >= minute - WINDOW_MINUTES}
        return live, entry.revision
