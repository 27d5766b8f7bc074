"""The client side of the signer fleet: JSON requests on ``tp.sign.<kind>``.

signer = SignerClient(nc)
signature = await signer.sign_hash(address, digest)          # 65 bytes r || s || v
signed = await signer.sign_transaction(address, tx)          # eth-account's fields
"""

from __future__ import annotations

import json
from typing import Any

from nats.aio.client import Client as NatsClient

__all__ = ["SignerClient", "SignerError"]


class SignerError(Exception):
    """The signer refused or could not serve a request; ``code`` is a stable reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class SignerClient:
    """Sends signing requests to whichever signer of the queue group is free."""

    def __init__(self, nc: NatsClient, *, timeout: float = 5.0) -> None:
        self.nc = nc
        self.timeout = timeout

    async def request(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """One request; the reply's fields, or :class:`SignerError`."""
        reply = await self.nc.request(f"tp.sign.{kind}", json.dumps(body).encode(), self.timeout)
        data: dict[str, Any] = json.loads(reply.data)
        error = data.get("error")
        if error:
            raise SignerError(str(error.get("code")), str(error.get("message")))
        return data

    async def sign_hash(self, key: str, digest: bytes) -> bytes:
        """A recoverable secp256k1 signature ``r || s || v`` of a 32-byte digest."""
        reply = await self.request("hash", {"key": key, "hash": "0x" + digest.hex()})
        return bytes.fromhex(reply["signature"][2:])

    async def sign_transaction(self, key: str, tx: dict[str, Any]) -> dict[str, Any]:
        """``raw_transaction``, ``hash``, ``r``, ``s``, ``v`` (hex strings and ints)."""
        return await self.request("eth_tx", {"key": key, "tx": tx})

    async def sign_message(self, key: str, message: str | bytes) -> dict[str, Any]:
        """An EIP-191 signature: ``signature``, ``message_hash``, ``r``, ``s``, ``v``."""
        text = "0x" + message.hex() if isinstance(message, bytes) else message
        return await self.request("message", {"key": key, "message": text})

    async def sign_typed_data(self, key: str, typed_data: dict[str, Any]) -> dict[str, Any]:
        """An EIP-712 signature of an ``eth_signTypedData_v4`` document."""
        return await self.request("typed_data", {"key": key, "typed_data": typed_data})

    async def sign_ed25519(self, public_key: bytes, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature."""
        body = {"key": public_key.hex(), "message": "0x" + message.hex()}
        reply = await self.request("ed25519", body)
        return bytes.fromhex(reply["signature"][2:])
