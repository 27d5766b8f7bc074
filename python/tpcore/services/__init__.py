"""The fleet on NATS: durable order intake, matcher workers with crash recovery, the
client, the embedded server and the load generator.

Start with :class:`Client` (submit orders, follow events) and ``tpcore fleet up``.
"""

from __future__ import annotations

from tpcore.services.client import Client, EventBatch
from tpcore.services.config import DEMO_MARKETS, BusSettings, Market, Markets
from tpcore.services.matcher import MatcherOptions

__all__ = [
    "DEMO_MARKETS",
    "BusSettings",
    "Client",
    "EventBatch",
    "Market",
    "Markets",
    "MatcherOptions",
]
