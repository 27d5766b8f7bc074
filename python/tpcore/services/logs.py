"""Structured logs: one JSON object per line, with the fields a service passes in ``extra``.

log.info("snapshot stored", extra={"fields": {"symbol": "BTC-USDT", "seq": 42}})
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

__all__ = ["JsonFormatter", "configure", "fields"]


class JsonFormatter(logging.Formatter):
    """Formats a record as ``{"ts", "level", "logger", "msg", ...fields}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 6),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def fields(**values: Any) -> dict[str, dict[str, Any]]:
    """The ``extra`` argument carrying structured fields."""
    return {"fields": values}


def configure(level: str = "info", *, stream: Any = None) -> None:
    """Sends the ``tpcore`` loggers to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tpcore")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    logging.Formatter.converter = time.gmtime
