"""The risk worker: positions from EVENTS, marks from ``tp.marks.<symbol>``, margin in one
batch call per tick, ``tp.risk.<account>`` updates and liquidation orders into ORDERS.

Positions and wallets come from the trades in EVENTS (:class:`~tpcore.services.ledger.Ledger`,
seeded with the configured wallets). On every tick with a new mark or new trades the
worker marks all positions with :class:`tpcore.risk.RiskBook`, publishes each account's
margin on ``tp.risk.<account>`` and, for each pool at or past maintenance, submits the
IOC orders that close it at the bankruptcy price. A liquidation is named by its account,
symbol and the version of the position (the trade that last changed it): the order id and
the JetStream message id derive from that name, the worker remembers what it issued, and
it snapshots ledger and memory to the KV bucket ``tp_risk``; after a restart it rebuilds
from the snapshot plus the EVENTS after it, so a liquidation is never issued twice (the
same name gives the same message id, de-duplicated, and the same order id, refused by the
book) and never missed (the next tick finds the position again).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy, KeyValueConfig, StorageType
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from tpcore import book, risk
from tpcore.services.bus import Bus
from tpcore.services.config import Markets
from tpcore.services.ledger import Ledger
from tpcore.services.logs import fields
from tpcore.services.naming import orders_subject
from tpcore.services.wire import decode_events, encode_commands

__all__ = ["DEMO_BRACKETS", "RiskSettings", "RiskWorker", "liquidation_order_id"]

log = logging.getLogger("tpcore.services.risk")

RISK_BUCKET = "tp_risk"
#: A margin ratio change (0.1 percentage point) that is worth a ``tp.risk`` update.
RATIO_STEP = risk.RATE_ONE // 1000

#: The demo's table for every symbol without one of its own.
DEMO_BRACKETS: list[tuple[str, str, int, str]] = [
    (str(floor), str(cap), leverage, rate)
    for floor, cap, leverage, rate in risk.BINANCE_BTCUSDT_2021
]


@dataclass(frozen=True)
class RiskSettings:
    """Starting wallets (decimal strings by account id) and brackets by symbol."""

    wallets: dict[int, str] = field(default_factory=dict)
    #: The wallet of an account not listed in ``wallets``.
    default_wallet: str = "0"
    brackets: dict[str, list[tuple[str, str, int, str]]] = field(default_factory=dict)
    tick: float = 0.1
    snapshot_interval: float = 2.0

    @classmethod
    def load(cls, path: str | Path) -> RiskSettings:
        """``{"wallets": {"7": "10000"}, "default_wallet": "0",
        "brackets": {"BTC-USDT": [[floor, cap, lev, mmr%]]}}``"""
        data = json.loads(Path(path).read_text())
        return cls(
            wallets={int(a): str(w) for a, w in data.get("wallets", {}).items()},
            default_wallet=str(data.get("default_wallet", "0")),
            brackets={
                s: [(str(f), str(c), int(lev), str(m)) for f, c, lev, m in rows]
                for s, rows in data.get("brackets", {}).items()
            },
        )


def liquidation_order_id(name: str) -> int:
    """The book order id of a liquidation: the top bit set, the rest from its name."""
    digest = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")
    return (1 << 63) | (digest >> 1)


class RiskWorker:
    """Keeps the ledger, marks it, publishes margins, liquidates."""

    def __init__(self, bus: Bus, markets: Markets, settings: RiskSettings, *, name: str) -> None:
        self.bus = bus
        self.markets = markets
        self.settings = settings
        self.name = name
        self.symbols = markets.symbols
        self.symbol_index = {s: i for i, s in enumerate(self.symbols)}
        self.instruments = [m.instrument() for m in markets.markets]
        self.contracts = [
            risk.linear(
                risk.brackets(settings.brackets.get(m.symbol, DEMO_BRACKETS)),
                tick_size=m.tick_size,
                lot_size=m.lot_size,
            )
            for m in markets.markets
        ]
        self.ledger = Ledger(markets)
        self.marks = np.zeros(len(self.symbols), np.int64)
        self.issued: set[str] = set()
        self.liquidations = 0
        self.evaluations = 0
        self._dirty = False
        self._kv: KeyValue | None = None
        self._published: dict[int, tuple[int, bool]] = {}
        self._snapshot_due = False
        #: Seconds from the start of the last tick to its liquidation orders being stored.
        self.last_liquidation_seconds = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Recovers, then marks and liquidates every tick until ``stop`` is set."""
        await self._recover()
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=self.ledger.events_seq + 1,
        )
        events = await self.bus.js.subscribe(
            "tp.events.>", ordered_consumer=True, config=config, cb=self._on_events
        )
        marks = await self.bus.nc.subscribe("tp.marks.*", cb=self._on_mark)
        log.info("risk started", extra=fields(worker=self.name, events_seq=self.ledger.events_seq))
        snapshot_at = time.monotonic()
        try:
            while not stop.is_set():
                if self._dirty and self.marks.any():
                    self._dirty = False
                    await self.evaluate()
                if self._snapshot_due or (
                    time.monotonic() - snapshot_at >= self.settings.snapshot_interval
                ):
                    self._snapshot_due = False
                    await self.snapshot()
                    snapshot_at = time.monotonic()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.tick)
            await self.snapshot()
        finally:
            await events.unsubscribe()
            await marks.unsubscribe()

    async def _recover(self) -> None:
        if self.bus.settings.manage_streams:
            config = KeyValueConfig(bucket=RISK_BUCKET, storage=StorageType.FILE, history=1)
            self._kv = await self.bus.js.create_key_value(config)
        else:
            self._kv = await self.bus.js.key_value(RISK_BUCKET)
        try:
            entry = await self._kv.get(f"ledger.{self.name}")
            state = json.loads(entry.value or b"{}")
            self.ledger = Ledger.from_state(self.markets, state["ledger"])
            self.issued = set(state["issued"])
        except KeyNotFoundError:
            self.ledger = Ledger(self.markets)
            self.ledger.wallets = {a: risk.to_fixed(w) for a, w in self.settings.wallets.items()}
            self.ledger.default_wallet = risk.to_fixed(self.settings.default_wallet)
        self._dirty = True

    async def snapshot(self) -> None:
        """Stores the ledger, the events it covers and the liquidations issued."""
        if self._kv is None:
            return
        state = {"ledger": self.ledger.state(), "issued": sorted(self.issued)}
        await self._kv.put(f"ledger.{self.name}", json.dumps(state).encode())

    async def _on_events(self, msg: Msg) -> None:
        applied = self.ledger.apply(decode_events(msg.data), msg.metadata.sequence.stream)
        if applied:
            self._dirty = True

    async def _on_mark(self, msg: Msg) -> None:
        try:
            mark = json.loads(msg.data)
            row = self.symbol_index[mark["symbol"]]
            self.marks[row] = int(mark["mark_fixed"])
        except (ValueError, KeyError, TypeError):
            log.warning("bad mark", extra=fields(subject=msg.subject))
            return
        self._dirty = True

    async def evaluate(self) -> None:
        """Marks every position with a known mark; liquidates (the orders stored before
        anything else); publishes margins."""
        rows = sorted(
            (account, self.symbol_index[symbol], qty, entry, symbol)
            for (account, symbol), (qty, entry, _) in self.ledger.positions.items()
            if self.marks[self.symbol_index[symbol]] > 0
        )
        if not rows:
            return
        self.evaluations += 1
        started = time.perf_counter()
        ids = sorted({r[0] for r in rows})
        dense = {a: i for i, a in enumerate(ids)}
        book_ = risk.RiskBook(
            np.array([dense[r[0]] for r in rows], np.uint32),
            np.array([r[1] for r in rows], np.uint32),
            np.array([r[2] for r in rows], np.int64),
            np.array([r[3] for r in rows], np.int64),
            self.contracts,
            accounts=len(ids),
        )
        wallets = np.array([self.ledger.wallet(a) for a in ids], np.int64)
        result = book_.compute(wallets, self.marks)
        commands, positions = book_.liquidation_commands(
            self.instruments, account_ids=np.array(ids, np.uint64)
        )
        await self._liquidate(commands, [rows[int(p)] for p in positions])
        self.last_liquidation_seconds = time.perf_counter() - started
        await self._publish_margins(ids, result)

    async def _publish_margins(self, ids: list[int], result: risk.BatchResult) -> None:
        """Publishes the accounts whose margin ratio moved by 0.1 point or more, or whose
        liquidation flag changed, since their last update."""
        ratios = result.account_margin_ratio.tolist()
        flags = result.account_liquidate.tolist()
        balances = result.account_margin_balance.tolist()
        maintenance = result.account_maintenance_margin.tolist()
        for i, account in enumerate(ids):
            last = self._published.get(account)
            ratio, flag = ratios[i], flags[i]
            if last is not None and last[1] == flag and abs(last[0] - ratio) < RATIO_STEP:
                continue
            self._published[account] = (ratio, flag)
            body = (
                f'{{"account": {account}, "margin_balance": {balances[i]}, '
                f'"maintenance_margin": {maintenance[i]}, "margin_ratio": {ratio}, '
                f'"liquidate": {"true" if flag else "false"}}}'
            )
            await self.bus.nc.publish(f"tp.risk.{account}", body.encode())

    async def _liquidate(self, commands: np.ndarray, rows: list[tuple[Any, ...]]) -> None:
        """Publishes the new liquidation orders together and waits until all are stored."""
        sent: list[tuple[str, asyncio.Future[Any]]] = []
        for command, (account, _, _, _, symbol) in zip(commands, rows, strict=True):
            version = self.ledger.positions[(account, symbol)][2]
            name = f"{symbol}:{account}:{version}"
            if name in self.issued:
                continue
            order = command.copy()
            order["order_id"] = liquidation_order_id(name)
            future = await self.bus.js.publish_async(
                orders_subject(symbol),
                encode_commands(order),
                headers={"Nats-Msg-Id": f"liq:{name}"},
            )
            sent.append((name, future))
            log.warning(
                "liquidation issued",
                extra=fields(account=account, symbol=symbol, version=version,
                             side=book.Side(int(order["side"])).name, qty=int(order["qty"])),
            )  # fmt: skip
        if sent:
            timeout = self.bus.settings.request_timeout
            await asyncio.wait_for(asyncio.gather(*(f for _, f in sent)), timeout)
            self.issued.update(name for name, _ in sent)
            self.liquidations += len(sent)
        if sent:
            self._snapshot_due = True  # taken by the run loop, after this tick
