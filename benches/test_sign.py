"""Signing hot paths against what a user would otherwise call from Python.

Peers: coincurve (libsecp256k1) and eth-account in a Python loop for secp256k1, PyNaCl
(libsodium) for Ed25519, pycryptodome for keccak. Each peer's key objects are built outside
the timed region, which favours the peer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from coincurve import PrivateKey as CoincurveKey
from coincurve import PublicKey as CoincurvePublicKey
from coincurve.ecdsa import cdata_to_der, deserialize_compact
from Crypto.Hash import keccak as pycryptodome_keccak
from eth_account import Account
from nacl.signing import SigningKey, VerifyKey

from benches.conftest import SIZES
from benches.harness import measure
from tpcore import sign

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


def _hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def _signed(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    hashes = _hashes(rng, n)
    return hashes, sign.ecdsa_sign(np.frombuffer(SECRET, np.uint8), hashes)


def _targets(n: int, targets: dict[str, float]) -> dict[str, float] | None:
    # The targets are set for N = 10,000; smaller batches show the per-call overhead.
    return targets if n == 10_000 else None


def _curve_targets(n: int, impl: str, **extra: float) -> dict[str, float] | None:
    # All cores: per-core parity with libsecp256k1 times two cores; one thread: parity + 10%.
    if impl == "tpcore 1 thread":
        return _targets(n, {"coincurve": 1.1})
    return _targets(n, {"coincurve": 2.2} | {k.replace("_", "-"): v for k, v in extra.items()})


def _tpcore_variants(case: str) -> list[object]:
    return [
        pytest.param("tpcore", id=f"{case}-tpcore"),
        pytest.param("tpcore 1 thread", id=f"{case}-tpcore-1-thread"),
    ]


@pytest.fixture
def threads(request: pytest.FixtureRequest, impl: str) -> None:
    if impl == "tpcore 1 thread":
        request.getfixturevalue("one_thread")


# ---------------------------------------------------------------- secp256k1 sign


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", _tpcore_variants("ecdsa_sign"))
def test_ecdsa_sign_tpcore(benchmark, rng, n: int, impl: str, threads: None) -> None:
    key, hashes = np.frombuffer(SECRET, np.uint8), _hashes(rng, n)
    targets = _curve_targets(n, impl, eth_account=10.0)
    out = measure(
        benchmark,
        sign.ecdsa_sign,
        key,
        hashes,
        case="ecdsa_sign",
        impl=impl,
        n=n,
        peer=False,
        targets=targets,
    )
    assert out.shape == (n, 65)


@pytest.mark.parametrize("n", SIZES)
def test_ecdsa_sign_coincurve(benchmark, rng, n: int) -> None:
    key, hashes = CoincurveKey(SECRET), [bytes(h) for h in _hashes(rng, n)]

    def loop() -> list[bytes]:
        return [key.sign_recoverable(h, hasher=None) for h in hashes]

    measure(benchmark, loop, case="ecdsa_sign", impl="coincurve", n=n, peer=True)


@pytest.mark.parametrize("n", SIZES)
def test_ecdsa_sign_eth_account(benchmark, rng, n: int) -> None:
    account, hashes = Account.from_key(SECRET), [bytes(h) for h in _hashes(rng, n)]

    def loop() -> list[object]:
        return [account.unsafe_sign_hash(h) for h in hashes]

    rounds = 1 if n == 10_000 else None
    measure(benchmark, loop, case="ecdsa_sign", impl="eth-account", n=n, peer=True, rounds=rounds)


# ---------------------------------------------------------------- secp256k1 recover, verify


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", _tpcore_variants("ecdsa_recover"))
def test_ecdsa_recover_tpcore(benchmark, rng, n: int, impl: str, threads: None) -> None:
    hashes, signatures = _signed(rng, n)
    targets = _curve_targets(n, impl)
    out = measure(
        benchmark,
        sign.ecdsa_recover,
        hashes,
        signatures,
        case="ecdsa_recover",
        impl=impl,
        n=n,
        peer=False,
        targets=targets,
    )
    assert out.shape == (n, 64)


@pytest.mark.parametrize("n", SIZES)
def test_ecdsa_recover_coincurve(benchmark, rng, n: int) -> None:
    hashes, signatures = _signed(rng, n)
    pairs = [(bytes(s), bytes(h)) for h, s in zip(hashes, signatures, strict=True)]
    recover: Callable[..., CoincurvePublicKey] = CoincurvePublicKey.from_signature_and_message

    def loop() -> list[bytes]:
        return [recover(s, h, hasher=None).format(compressed=False) for s, h in pairs]

    measure(benchmark, loop, case="ecdsa_recover", impl="coincurve", n=n, peer=True)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("impl", _tpcore_variants("ecdsa_verify"))
def test_ecdsa_verify_tpcore(benchmark, rng, n: int, impl: str, threads: None) -> None:
    hashes, signatures = _signed(rng, n)
    public_key = np.frombuffer(sign.PrivateKey.from_bytes(SECRET).public_key, np.uint8)
    targets = _curve_targets(n, impl)
    out = measure(
        benchmark,
        sign.ecdsa_verify,
        public_key,
        hashes,
        signatures,
        case="ecdsa_verify",
        impl=impl,
        n=n,
        peer=False,
        targets=targets,
    )
    assert out.all()


@pytest.mark.parametrize("n", SIZES)
def test_ecdsa_verify_coincurve(benchmark, rng, n: int) -> None:
    hashes, signatures = _signed(rng, n)
    public_key = CoincurveKey(SECRET).public_key
    # coincurve verifies DER signatures: convert outside the timed region.
    pairs = [
        (cdata_to_der(deserialize_compact(bytes(s[:64]))), bytes(h))
        for h, s in zip(hashes, signatures, strict=True)
    ]

    def loop() -> list[bool]:
        return [public_key.verify(der, h, hasher=None) for der, h in pairs]

    measure(benchmark, loop, case="ecdsa_verify", impl="coincurve", n=n, peer=True)


# ---------------------------------------------------------------- Ed25519


def _ed25519_batch(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, bytes]:
    seed = bytes(rng.integers(0, 256, size=32, dtype=np.uint8))
    messages = rng.integers(0, 256, size=(n, 64), dtype=np.uint8)
    return np.frombuffer(seed, np.uint8), messages, seed


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_sign_tpcore(benchmark, rng, n: int) -> None:
    seed, messages, _ = _ed25519_batch(rng, n)
    targets = _targets(n, {"pynacl": 2.0})
    measure(
        benchmark,
        sign.ed25519_sign,
        seed,
        messages,
        case="ed25519_sign",
        impl="tpcore",
        n=n,
        peer=False,
        targets=targets,
    )


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_sign_pynacl(benchmark, rng, n: int) -> None:
    _, messages, seed = _ed25519_batch(rng, n)
    key, rows = SigningKey(seed), [bytes(m) for m in messages]

    def loop() -> list[bytes]:
        return [key.sign(m).signature for m in rows]

    measure(benchmark, loop, case="ed25519_sign", impl="pynacl", n=n, peer=True)


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_verify_all_tpcore(benchmark, rng, n: int) -> None:
    # The default mode: cheap strict checks per row, then batch equations.
    seed, messages, raw_seed = _ed25519_batch(rng, n)
    signatures = sign.ed25519_sign(seed, messages)
    public_key = np.frombuffer(SigningKey(raw_seed).verify_key.encode(), np.uint8)
    targets = _targets(n, {"pynacl": 4.0})
    ok = measure(
        benchmark,
        sign.ed25519_verify_all,
        public_key,
        messages,
        signatures,
        case="ed25519_verify",
        impl="tpcore verify_all",
        n=n,
        peer=False,
        targets=targets,
    )
    assert ok is True


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_verify_all_strict_tpcore(benchmark, rng, n: int) -> None:
    # strict=True: every row verified strictly, the exact answer; no target.
    seed, messages, raw_seed = _ed25519_batch(rng, n)
    signatures = sign.ed25519_sign(seed, messages)
    public_key = np.frombuffer(SigningKey(raw_seed).verify_key.encode(), np.uint8)

    def verify_all_strict(keys: np.ndarray, rows: np.ndarray, sigs: np.ndarray) -> bool:
        return sign.ed25519_verify_all(keys, rows, sigs, strict=True)

    ok = measure(
        benchmark,
        verify_all_strict,
        public_key,
        messages,
        signatures,
        case="ed25519_verify",
        impl="tpcore verify_all strict",
        n=n,
        peer=False,
    )
    assert ok is True


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_verify_each_tpcore(benchmark, rng, n: int) -> None:
    seed, messages, raw_seed = _ed25519_batch(rng, n)
    signatures = sign.ed25519_sign(seed, messages)
    public_key = np.frombuffer(SigningKey(raw_seed).verify_key.encode(), np.uint8)
    measure(
        benchmark,
        sign.ed25519_verify,
        public_key,
        messages,
        signatures,
        case="ed25519_verify",
        impl="tpcore verify",
        n=n,
        peer=False,
    )


@pytest.mark.parametrize("n", SIZES)
def test_ed25519_verify_pynacl(benchmark, rng, n: int) -> None:
    seed, messages, raw_seed = _ed25519_batch(rng, n)
    signatures = sign.ed25519_sign(seed, messages)
    key = VerifyKey(SigningKey(raw_seed).verify_key.encode())
    rows = [(bytes(m), bytes(s)) for m, s in zip(messages, signatures, strict=True)]

    def loop() -> list[bytes]:
        return [key.verify(m, s) for m, s in rows]

    measure(benchmark, loop, case="ed25519_verify", impl="pynacl", n=n, peer=True)


# ---------------------------------------------------------------- keccak


@pytest.mark.parametrize("n", SIZES)
def test_keccak256_tpcore(benchmark, rng, n: int) -> None:
    messages = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    targets = _targets(n, {"pycryptodome": 10.0})
    measure(
        benchmark,
        sign.keccak256,
        messages,
        case="keccak256 (32 B)",
        impl="tpcore",
        n=n,
        peer=False,
        targets=targets,
    )


@pytest.mark.parametrize("n", SIZES)
def test_keccak256_pycryptodome(benchmark, rng, n: int) -> None:
    rows = [bytes(m) for m in rng.integers(0, 256, size=(n, 32), dtype=np.uint8)]

    def loop() -> list[bytes]:
        return [pycryptodome_keccak.new(digest_bits=256, data=m).digest() for m in rows]

    measure(benchmark, loop, case="keccak256 (32 B)", impl="pycryptodome", n=n, peer=True)
