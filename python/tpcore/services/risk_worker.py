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
from tpcore.book import COMMAND_DTYPE
from tpcore.services.bus import Bus
from tpcore.services.config import Markets
from tpcore.services.ledger import Ledger
from tpcore.services.logs import fields
from tpcore.services.margin_view import MarginView
from tpcore.services.naming import orders_subject
from tpcore.services.publish import AckedPublisher
from tpcore.services.wire import COMMAND_HEADER, decode_events

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
        self.view = MarginView(self.contracts, self.symbol_index)
        self._publisher: AckedPublisher | None = None
        self._known = np.zeros(0, bool)
        self._last_ratio = np.zeros(0, np.int64)
        self._last_flag = np.zeros(0, bool)
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
            if self._publisher is not None:
                await self._publisher.stop()

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
        view = self.view
        if view.sync(self.ledger, self.marks):
            self._remember_published()
        if view.book is None:
            return
        self.evaluations += 1
        started = time.perf_counter()
        result = view.book.compute(view.wallets, self.marks)
        commands, positions = view.book.liquidation_commands(self.instruments, account_ids=view.ids)
        issued = await self._liquidate(commands, [view.keys[int(p)] for p in positions])
        self.last_liquidation_seconds = time.perf_counter() - started
        for extra in issued:  # logged once stored, off the path to the orders
            log.warning("liquidation issued", extra=extra)
        await self._publish_margins(result)

    def _remember_published(self) -> None:
        """Lines up what each account's last update said with the view's accounts."""
        ids = self.view.ids.tolist()
        last = [self._published.get(a) for a in ids]
        self._known = np.array([x is not None for x in last], bool)
        self._last_ratio = np.array([x[0] if x else 0 for x in last], np.int64)
        self._last_flag = np.array([x[1] if x else False for x in last], bool)

    async def _publish_margins(self, result: risk.BatchResult) -> None:
        """Publishes the accounts whose margin ratio moved by 0.1 point or more, or whose
        liquidation flag changed, since their last update."""
        ratio, flag = result.account_margin_ratio, result.account_liquidate
        moved = (
            ~self._known
            | (flag != self._last_flag)
            | (np.abs(ratio - self._last_ratio) >= RATIO_STEP)
        )
        changed = np.flatnonzero(moved)
        self._known[changed] = True
        self._last_ratio[changed] = ratio[changed]
        self._last_flag[changed] = flag[changed]
        accounts = self.view.ids[changed].tolist()
        ratios, flags = ratio[changed].tolist(), flag[changed].tolist()
        balances = result.account_margin_balance[changed].tolist()
        maintenance = result.account_maintenance_margin[changed].tolist()
        publish = self.bus.nc.publish
        for account, r, f, b, m in zip(accounts, ratios, flags, balances, maintenance, strict=True):
            self._published[account] = (r, f)
            body = (
                f'{{"account": {account}, "margin_balance": {b}, "maintenance_margin": {m}, '
                f'"margin_ratio": {r}, "liquidate": {"true" if f else "false"}}}'
            )
            await publish(f"tp.risk.{account}", body.encode())

    async def _liquidate(
        self, commands: np.ndarray, keys: list[tuple[int, str]]
    ) -> list[dict[str, Any]]:
        """Publishes the new liquidation orders together and waits until all are stored;
        returns their log records."""
        names: list[str] = []
        rows: list[int] = []
        for row, (account, symbol) in enumerate(keys):
            name = f"{symbol}:{account}:{self.ledger.positions[(account, symbol)][2]}"
            if name not in self.issued:
                names.append(name)
                rows.append(row)
        if not names:
            return []
        if self._publisher is None:
            self._publisher = await AckedPublisher(self.bus.nc).start()
        orders = commands[rows]
        orders["order_id"] = [liquidation_order_id(name) for name in names]
        body, size = orders.tobytes(), COMMAND_DTYPE.itemsize
        futures = [
            await self._publisher.publish(
                orders_subject(keys[row][1]),
                COMMAND_HEADER + body[i * size : (i + 1) * size],
                {"Nats-Msg-Id": f"liq:{name}"},
            )
            for i, (row, name) in enumerate(zip(rows, names, strict=True))
        ]
        await asyncio.wait_for(asyncio.gather(*futures), self.bus.settings.request_timeout)
        self.issued.update(names)
        self.liquidations += len(names)
        self._snapshot_due = True  # taken by the run loop, after this tick
        return [
            fields(account=keys[row][0], symbol=keys[row][1], name=name,
                   side=book.Side(int(order["side"])).name, qty=int(order["qty"]))
            for row, name, order in zip(rows, names, orders, strict=True)
        ]  # fmt: skip
