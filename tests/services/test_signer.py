"""Signer workers on a real nats-server: batched signing that verifies, withdrawal policy
shared through KV, audit records, bad requests answered with reasons."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from tpcore import sign
from tpcore.services.bus import Bus
from tpcore.services.config import BusSettings
from tpcore.services.keys import ED25519, KeyRing, list_keys, new_key
from tpcore.services.policy import WithdrawalPolicy
from tpcore.services.signer import SignerOptions, SignerWorker
from tpcore.services.signing import SignerClient, SignerError

PASSWORD = "correct horse"  # noqa: S105 - a test keystore password
FRIEND = "0x" + "11" * 20
STRANGER = "0x" + "22" * 20
ETHER = 10**18

TYPED = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "chainId", "type": "uint256"},
        ],
        "Order": [{"name": "id", "type": "uint256"}, {"name": "note", "type": "string"}],
    },
    "primaryType": "Order",
    "domain": {"name": "tpcore", "chainId": 1},
    "message": {"id": 1, "note": "hello"},
}


def run(coroutine: Coroutine[Any, Any, None], timeout: float = 120.0) -> None:
    asyncio.run(asyncio.wait_for(coroutine, timeout))


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    for _ in range(2):
        new_key(folder, PASSWORD, iterations=1024)
    new_key(folder, PASSWORD, kind=ED25519, iterations=1024)
    return folder


def policy_for(keys: Path, *, max_value: int, daily_limit: int) -> WithdrawalPolicy:
    addresses = [name.lower() for kind, name in list_keys(keys) if kind != ED25519]
    policy = {
        "keys": {
            a: {"allow": [FRIEND], "max_value": max_value, "daily_limit": daily_limit}
            for a in addresses
        }
    }
    path = keys.parent / "policy.json"
    path.write_text(json.dumps(policy))
    return WithdrawalPolicy.load(path)


@contextlib.asynccontextmanager
async def signers(
    settings: BusSettings, keys: Path, policy: WithdrawalPolicy, count: int = 2
) -> AsyncIterator[list[SignerWorker]]:
    workers = []
    for i in range(count):
        bus = await Bus.connect(settings, name=f"signer-{i}")
        ring = KeyRing.load(keys, PASSWORD)
        options = SignerOptions(max_batch=256, max_wait=0.002)
        workers.append(
            await SignerWorker(bus, ring, policy, name=f"signer-{i}", options=options).start()
        )
    try:
        yield workers
    finally:
        for worker in workers:
            await worker.stop()
            await worker.bus.close()


def tx(to: str, value: int, nonce: int) -> dict[str, Any]:
    return {
        "type": 2, "chainId": 1, "nonce": nonce, "to": to, "value": value, "gas": 21000,
        "maxFeePerGas": 30 * 10**9, "maxPriorityFeePerGas": 10**9,
    }  # fmt: skip


def test_two_signers_share_10000_mixed_requests_and_every_signature_verifies(
    settings: BusSettings, keys: Path
) -> None:
    policy = policy_for(keys, max_value=ETHER, daily_limit=10**6 * ETHER)
    listed = list_keys(keys)
    addresses = [name.lower() for kind, name in listed if kind != ED25519]
    (ed_public,) = [bytes.fromhex(name) for kind, name in listed if kind == ED25519]
    rng = random.Random(1)

    async def scenario() -> None:
        async with signers(settings, keys, policy) as workers:
            nc = workers[0].bus.nc
            client = SignerClient(nc, timeout=30)
            requests = []
            for i in range(10_000):
                key = addresses[i % 2]
                kind = rng.choice(["hash", "hash", "eth_tx", "message", "typed_data", "ed25519"])
                requests.append((kind, key, i))

            async def one(kind: str, key: str, i: int) -> tuple[str, str, int, Any]:
                if kind == "hash":
                    digest = sign.keccak256([i.to_bytes(8, "big")])[0].tobytes()
                    return kind, key, i, (digest, await client.sign_hash(key, digest))
                if kind == "eth_tx":
                    return kind, key, i, await client.sign_transaction(key, tx(FRIEND, 1000 + i, i))
                if kind == "message":
                    return kind, key, i, await client.sign_message(key, f"message {i}")
                if kind == "typed_data":
                    doc = json.loads(json.dumps(TYPED))
                    doc["message"]["id"] = i
                    return kind, key, i, (doc, await client.sign_typed_data(key, doc))
                message = i.to_bytes(8, "big")
                return kind, key, i, (message, await client.sign_ed25519(ed_public, message))

            results = []
            for start in range(0, len(requests), 1000):
                results += await asyncio.gather(*(one(*r) for r in requests[start : start + 1000]))
            for kind, key, i, result in results:
                check(kind, key, i, result, ed_public)
            counts = [w.signed for w in workers]
            assert sum(counts) == 10_000
            assert min(counts) > 1000  # both did a real share
            assert max(w.batches for w in workers) < 10_000  # requests were batched

    run(scenario(), timeout=240)


def check(kind: str, key: str, i: int, result: Any, ed_public: bytes) -> None:
    if kind == "hash":
        digest, signature = result
        recovered = sign.ecdsa_recover_address(
            np.frombuffer(digest, np.uint8).reshape(1, 32),
            np.frombuffer(signature, np.uint8).reshape(1, 65),
        )
        assert "0x" + recovered[0].tobytes().hex() == key
    elif kind == "eth_tx":
        assert Account.recover_transaction(result["raw_transaction"]).lower() == key
    elif kind == "message":
        assert (
            Account.recover_message(
                encode_defunct(text=f"message {i}"), signature=result["signature"]
            ).lower()
            == key
        )
    elif kind == "typed_data":
        doc, signed = result
        assert (
            Account.recover_message(
                encode_typed_data(full_message=doc), signature=signed["signature"]
            ).lower()
            == key
        )
    else:
        message, signature = result
        ok = sign.ed25519_verify(
            np.frombuffer(ed_public, np.uint8).reshape(1, 32), [message],
            np.frombuffer(signature, np.uint8).reshape(1, 64),
        )  # fmt: skip
        assert bool(ok[0])


def test_withdrawal_policy_holds_across_two_signers_and_every_request_is_audited(
    settings: BusSettings, keys: Path
) -> None:
    policy = policy_for(keys, max_value=5 * ETHER, daily_limit=10 * ETHER)
    key = sorted(policy.keys)[0]

    async def scenario() -> None:
        async with signers(settings, keys, policy) as workers:
            client = SignerClient(workers[0].bus.nc, timeout=30)
            with pytest.raises(SignerError) as stranger:
                await client.sign_transaction(key, tx(STRANGER, ETHER, 0))
            assert stranger.value.code == "destination_not_allowed"
            with pytest.raises(SignerError) as big:
                await client.sign_transaction(key, tx(FRIEND, 6 * ETHER, 0))
            assert big.value.code == "value_above_cap"
            # 40 concurrent 1-ether withdrawals through both signers: exactly 10 pass.
            outcomes = await asyncio.gather(
                *(client.sign_transaction(key, tx(FRIEND, ETHER, n)) for n in range(40)),
                return_exceptions=True,
            )
            signed = [o for o in outcomes if isinstance(o, dict)]
            refused = [o for o in outcomes if isinstance(o, SignerError)]
            assert len(signed) == 10
            assert {e.code for e in refused} == {"daily_limit_exceeded"}
            assert await workers[0].allowances.spent(key) == 10 * ETHER
            assert sum(w.refused for w in workers) == 32
            records = await audit_records(workers[0].bus)
            assert len(records) == 42
            decisions = [(r["decision"], r["reason"]) for r in records]
            assert decisions.count(("signed", "")) == 10
            assert decisions.count(("refused", "daily_limit_exceeded")) == 30
            signed_digests = {r["digest"] for r in records if r["decision"] == "signed"}
            assert signed_digests == {s["hash"] for s in signed}
            assert all(PASSWORD not in json.dumps(r) for r in records)

    run(scenario())


async def audit_records(bus: Bus) -> list[dict[str, Any]]:
    subscription = await bus.js.pull_subscribe("tp.audit.>", stream="AUDIT")
    messages = await subscription.fetch(1000, timeout=2)
    return [r for m in messages for r in json.loads(m.data)["records"]]


def test_bad_requests_get_reasons_and_the_signer_keeps_serving(
    settings: BusSettings, keys: Path
) -> None:
    policy = policy_for(keys, max_value=ETHER, daily_limit=ETHER)
    key = sorted(policy.keys)[0]

    async def scenario() -> None:
        async with signers(settings, keys, policy, count=1) as workers:
            nc = workers[0].bus.nc
            client = SignerClient(nc)
            bad_tx = {"to": FRIEND, "value": 1, "gas": "x"}
            cases: list[tuple[str, object, str]] = [
                ("hash", "not json", "malformed_request"),
                ("hash", {"hash": "0x00"}, "malformed_request"),
                ("hash", {"key": key, "hash": "0x1234"}, "malformed_request"),
                ("hash", {"key": STRANGER, "hash": "0x" + "00" * 32}, "unknown_key"),
                ("hash", {"key": key, "hashes": []}, "malformed_request"),
                ("hash", {"key": key, "hashes": ["0x" + "00" * 32] * 1025}, "malformed_request"),
                ("hash", {"key": key, "hashes": ["0x" + "00" * 32, "0x12"]}, "malformed_request"),
                ("eth_tx", {"key": key, "tx": bad_tx}, "invalid_transaction"),
                ("typed_data", {"key": key, "typed_data": {"types": {}}}, "invalid_typed_data"),
            ]
            for kind, payload, code in cases:
                body = (
                    payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                )
                reply = await nc.request(f"tp.sign.{kind}", body, timeout=5)
                error = json.loads(reply.data)["error"]
                assert error["code"] == code, (kind, payload)
                if isinstance(payload, dict) and len(payload.get("hashes", [])) == 2:
                    assert "hashes[1]" in error["message"]  # names the bad digest
                assert (reply.headers or {}).get("Nats-Service-Error-Code") == code
            with pytest.raises(Exception, match="no responders"):
                await nc.request("tp.sign.wrong_kind", b"{}", timeout=2)
            signature = await client.sign_hash(key, b"\x01" * 32)
            assert len(signature) == 65
            assert await workers[0].allowances.spent(key) == 0  # the bad tx gave back nothing

    run(scenario())


@pytest.mark.parametrize("per_request", [1, 7])
def test_pipelined_hash_requests_come_back_in_order_and_verify(
    settings: BusSettings, keys: Path, per_request: int
) -> None:
    policy = policy_for(keys, max_value=ETHER, daily_limit=ETHER)
    key = sorted(policy.keys)[0]
    digests = np.random.default_rng(per_request).integers(0, 256, (3000, 32), dtype=np.uint8)

    async def scenario() -> None:
        async with signers(settings, keys, policy) as workers:
            client = SignerClient(workers[0].bus.nc, timeout=30)
            signatures = await client.sign_hashes(key, digests, per_request=per_request)
            assert signatures.shape == (3000, 65)
            senders = sign.ecdsa_recover_address(digests, signatures)
            assert {"0x" + row.tobytes().hex() for row in senders} == {key}
            assert sum(w.signed for w in workers) == -(-3000 // per_request)
            with pytest.raises(SignerError) as unknown:
                await client.sign_hashes(STRANGER, digests[:10], per_request=per_request)
            assert unknown.value.code == "unknown_key"
            assert unknown.value.index == 0
            records = await audit_records(workers[0].bus)
            audited = [r.get("digests", [r["digest"]]) for r in records if r["key"] == key]
            assert sorted(d for ds in audited for d in ds) == sorted(
                "0x" + row.tobytes().hex() for row in digests
            )
            await client.close()

    run(scenario())


def test_no_signature_leaves_when_its_audit_record_cannot_be_stored(
    settings: BusSettings, keys: Path
) -> None:
    policy = policy_for(keys, max_value=ETHER, daily_limit=ETHER)
    key = sorted(policy.keys)[0]

    async def scenario() -> None:
        async with signers(settings, keys, policy, count=1) as workers:
            client = SignerClient(workers[0].bus.nc, timeout=10)
            assert await client.sign_transaction(key, tx(FRIEND, ETHER // 2, 0))
            await workers[0].bus.js.delete_stream("AUDIT")
            for attempt in (client.sign_hash(key, b"\x02" * 32),
                            client.sign_transaction(key, tx(FRIEND, ETHER // 4, 1))):  # fmt: skip
                with pytest.raises(SignerError) as refused:
                    await attempt
                assert refused.value.code == "audit_unavailable"
            # the withheld transaction gave its allowance back
            assert await workers[0].allowances.spent(key) == ETHER // 2

    run(scenario())


def test_concurrent_reservations_from_two_connections_never_exceed_the_limit(
    settings: BusSettings, keys: Path
) -> None:
    async def scenario() -> None:
        async with signers(settings, keys, policy_for(keys, max_value=1, daily_limit=1)) as workers:
            first, second = (w.allowances for w in workers)
            grants = await asyncio.gather(
                *((first if i % 2 else second).reserve("0xabc", [1, 1], 25) for i in range(60))
            )
            granted = sum(sum(g) for g in grants)
            assert granted == 25
            assert await first.spent("0xabc") == 25

    run(scenario())
