"""secp256k1 ECDSA: sign, recover, verify, public keys and addresses.

Differential tests compare thousands of seeded random rows with coincurve (libsecp256k1
through another binding) and eth-account (eth-keys); the rest pin down the batch contract:
broadcasting, empty and one-row batches, output layout, masks, v = 27/28 and high s.
"""

from __future__ import annotations

import coincurve
import numpy as np
import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from sign_helpers import (
    SECP256K1_N,
    der_integers,
    high_s_twin,
    int_row,
    join_signature,
    random_rows,
    random_secret_keys,
    split_signature,
)

from tpcore import InvalidInput, sign

ROWS = 2000
SEED = 20_240_611

Batch = tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]


@pytest.fixture(scope="module")
def batch() -> Batch:
    """``(secret_keys, hashes, signatures)``: ROWS seeded random rows, signed by tpcore."""
    rng = np.random.default_rng(SEED)
    keys = random_secret_keys(rng, ROWS)
    hashes = random_rows(rng, ROWS, 32)
    return keys, hashes, sign.ecdsa_sign(keys, hashes)


def _assert_rows(array: object, shape: tuple[int, ...], dtype: type = np.uint8) -> None:
    assert isinstance(array, np.ndarray)
    assert array.shape == shape
    assert array.dtype == dtype
    assert array.flags.c_contiguous


# --- differential: coincurve and eth-account -------------------------------------------


def test_signatures_are_byte_identical_to_coincurve(batch: Batch) -> None:
    keys, hashes, signatures = batch
    _assert_rows(signatures, (ROWS, 65))
    for key, digest, signature in zip(keys, hashes, signatures, strict=True):
        expected = coincurve.PrivateKey(key.tobytes()).sign_recoverable(
            digest.tobytes(), hasher=None
        )
        assert signature.tobytes() == expected


def test_signatures_match_eth_account_unsafe_sign_hash(batch: Batch) -> None:
    keys, hashes, signatures = batch
    for key, digest, signature in zip(keys[:500], hashes, signatures, strict=False):
        signed = Account.unsafe_sign_hash(digest.tobytes(), key.tobytes())
        r, s, v = split_signature(signature.tobytes())
        assert (signed.r, signed.s, signed.v) == (r, s, v + 27)


def test_signatures_are_low_s_with_v_0_or_1(batch: Batch) -> None:
    _, _, signatures = batch
    for signature in signatures:
        r, s, v = split_signature(signature.tobytes())
        assert 0 < r < SECP256K1_N
        assert 0 < s <= SECP256K1_N // 2
        assert v in {0, 1}


def test_public_keys_match_coincurve(batch: Batch) -> None:
    keys, _, _ = batch
    public = sign.public_keys(keys)
    _assert_rows(public, (ROWS, 64))
    for key, row in zip(keys, public, strict=True):
        expected = coincurve.PublicKey.from_secret(key.tobytes()).format(compressed=False)
        assert row.tobytes() == expected[1:]


def test_addresses_match_eth_account(batch: Batch) -> None:
    keys, _, _ = batch
    addresses = sign.addresses(sign.public_keys(keys))
    _assert_rows(addresses, (ROWS, 20))
    for key, address in zip(keys, addresses, strict=True):
        expected = Account.from_key(key.tobytes()).address
        assert sign.to_checksum_address(address.tobytes()) == expected
        assert address.tobytes() == bytes.fromhex(expected[2:])


def test_recovered_addresses_match_eth_account(batch: Batch) -> None:
    _, hashes, signatures = batch
    recovered = sign.ecdsa_recover_address(hashes, signatures)
    _assert_rows(recovered, (ROWS, 20))
    for digest, signature, address in zip(hashes, signatures, recovered, strict=True):
        r, s, v = split_signature(signature.tobytes())
        expected = Account._recover_hash(digest.tobytes(), vrs=(v + 27, r, s))
        assert address.tobytes() == bytes.fromhex(expected[2:])


def test_recovery_returns_the_signers_keys_and_addresses(batch: Batch) -> None:
    keys, hashes, signatures = batch
    public = sign.public_keys(keys)
    recovered = sign.ecdsa_recover(hashes, signatures)
    _assert_rows(recovered, (ROWS, 64))
    np.testing.assert_array_equal(recovered, public)
    np.testing.assert_array_equal(
        sign.ecdsa_recover_address(hashes, signatures), sign.addresses(public)
    )


def test_batch_verify_accepts_every_signature_and_rejects_other_hashes(batch: Batch) -> None:
    keys, hashes, signatures = batch
    public = sign.public_keys(keys)
    ok = sign.ecdsa_verify(public, hashes, signatures)
    _assert_rows(ok, (ROWS,), np.bool_)
    assert ok.all()
    shifted = np.roll(hashes, 1, axis=0)
    assert not sign.ecdsa_verify(public, shifted, signatures).any()


def test_scalar_key_methods_agree_with_the_batch(batch: Batch) -> None:
    keys, hashes, signatures = batch
    public = sign.public_keys(keys[:50])
    addresses = sign.addresses(public)
    for i in range(50):
        key = sign.PrivateKey.from_bytes(keys[i].tobytes())
        assert key.sign_hash(hashes[i].tobytes()) == signatures[i].tobytes()
        assert key.public_key == public[i].tobytes()
        assert key.address == addresses[i].tobytes()
        assert key.checksum_address == Account.from_key(keys[i].tobytes()).address


# --- known answers --------------------------------------------------------------------


def test_docstring_key_has_its_published_address() -> None:
    # The EIP-155 example key 0x4646...46.
    key = sign.PrivateKey.from_bytes(bytes.fromhex("46" * 32))
    assert key.checksum_address == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"


def test_key_one_has_the_generator_as_public_key() -> None:
    gx = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
    gy = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
    public = sign.public_keys(int_row(1)[None])
    assert public.tobytes() == gx.to_bytes(32, "big") + gy.to_bytes(32, "big")


@pytest.mark.parametrize(
    "checksummed",
    [
        # The examples of EIP-55.
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0xde709f2102306220921060314715629080e2fb77",
    ],
)
def test_to_checksum_address_matches_eip55_examples(checksummed: str) -> None:
    assert sign.to_checksum_address(bytes.fromhex(checksummed[2:])) == checksummed


# --- batch shape contract -------------------------------------------------------------


def test_broadcast_key_equals_the_key_repeated() -> None:
    rng = np.random.default_rng(SEED + 1)
    key = random_secret_keys(rng, 1)[0]
    hashes = random_rows(rng, 17, 32)
    broadcast = sign.ecdsa_sign(key, hashes)
    _assert_rows(broadcast, (17, 65))
    np.testing.assert_array_equal(broadcast, sign.ecdsa_sign(np.tile(key, (17, 1)), hashes))


@pytest.mark.parametrize("rows", [0, 1])
def test_empty_and_single_row_batches(rows: int) -> None:
    rng = np.random.default_rng(SEED + 2 + rows)
    keys = random_secret_keys(rng, rows)
    hashes = random_rows(rng, rows, 32)
    signatures = sign.ecdsa_sign(keys, hashes)
    _assert_rows(signatures, (rows, 65))
    _assert_rows(sign.ecdsa_sign(random_secret_keys(rng, 1)[0], hashes), (rows, 65))
    public = sign.public_keys(keys)
    _assert_rows(public, (rows, 64))
    _assert_rows(sign.addresses(public), (rows, 20))
    _assert_rows(sign.ecdsa_recover(hashes, signatures), (rows, 64))
    _assert_rows(sign.ecdsa_recover_address(hashes, signatures), (rows, 20))
    keys_out, ok = sign.ecdsa_recover(hashes, signatures, mask=True)
    _assert_rows(keys_out, (rows, 64))
    _assert_rows(ok, (rows,), np.bool_)
    verified = sign.ecdsa_verify(public, hashes, signatures)
    _assert_rows(verified, (rows,), np.bool_)
    assert verified.all()
    if rows:
        np.testing.assert_array_equal(keys_out, public)
        assert ok.tolist() == [True]


def test_inputs_are_not_modified_and_read_only_inputs_are_accepted() -> None:
    rng = np.random.default_rng(SEED + 4)
    keys = random_secret_keys(rng, 9)
    hashes = random_rows(rng, 9, 32)
    keys_before, hashes_before = keys.copy(), hashes.copy()
    keys.flags.writeable = False
    hashes.flags.writeable = False
    signatures = sign.ecdsa_sign(keys, hashes)
    signatures.flags.writeable = False
    sign.ecdsa_recover(hashes, signatures)
    sign.ecdsa_verify(sign.public_keys(keys), hashes, signatures)
    np.testing.assert_array_equal(keys, keys_before)
    np.testing.assert_array_equal(hashes, hashes_before)


# --- recovery -------------------------------------------------------------------------


def _corrupt(signature: bytes, kind: str) -> bytes:
    r, s, v = split_signature(signature)
    return {
        "v_is_2": join_signature(r, s, 2),
        "v_is_29": join_signature(r, s, 29),
        "v_is_255": join_signature(r, s, 255),
        "r_is_0": join_signature(0, s, v),
        "s_is_0": join_signature(r, 0, v),
        "r_is_n": join_signature(SECP256K1_N, s, v),
        "s_is_n": join_signature(r, SECP256K1_N, v),
        # x = 5 is not the x coordinate of any curve point: nothing recovers.
        "r_off_curve": join_signature(5, s, v),
    }[kind]


CORRUPTIONS = ["v_is_2", "v_is_29", "v_is_255", "r_is_0", "s_is_0", "r_is_n", "s_is_n"]


@pytest.mark.parametrize("kind", [*CORRUPTIONS, "r_off_curve"])
def test_mask_gives_zero_rows_where_recovery_fails(kind: str) -> None:
    rng = np.random.default_rng(SEED + 5)
    keys = random_secret_keys(rng, 10)
    hashes = random_rows(rng, 10, 32)
    signatures = sign.ecdsa_sign(keys, hashes)
    bad = [3, 7]
    for i in bad:
        corrupted = _corrupt(signatures[i].tobytes(), kind)
        signatures[i] = np.frombuffer(corrupted, np.uint8)
    good = [i for i in range(10) if i not in bad]
    public = sign.public_keys(keys)
    addresses = sign.addresses(public)

    recovered, ok = sign.ecdsa_recover(hashes, signatures, mask=True)
    assert ok.tolist() == [i not in bad for i in range(10)]
    assert not recovered[bad].any()
    np.testing.assert_array_equal(recovered[good], public[good])

    recovered_addresses, ok_addresses = sign.ecdsa_recover_address(hashes, signatures, mask=True)
    np.testing.assert_array_equal(ok_addresses, ok)
    assert not recovered_addresses[bad].any()
    np.testing.assert_array_equal(recovered_addresses[good], addresses[good])

    for recover in (sign.ecdsa_recover, sign.ecdsa_recover_address):
        with pytest.raises(InvalidInput) as err:
            recover(hashes, signatures)
        assert (err.value.reason, err.value.index) == ("unrecoverable_signature", 3)


def test_first_bad_row_is_reported_whatever_the_scheduling() -> None:
    rng = np.random.default_rng(SEED + 6)
    hashes = random_rows(rng, 1000, 32)
    signatures = sign.ecdsa_sign(random_secret_keys(rng, 1)[0], hashes)
    signatures[[998, 611, 612, 377], 64] = 9
    with pytest.raises(InvalidInput) as err:
        sign.ecdsa_recover_address(hashes, signatures)
    assert err.value.index == 377
    _, ok = sign.ecdsa_recover(hashes, signatures, mask=True)
    assert np.flatnonzero(~ok).tolist() == [377, 611, 612, 998]


def test_recover_accepts_v_27_and_28(batch: Batch) -> None:
    keys, hashes, signatures = batch
    legacy = signatures[:200].copy()
    legacy[:, 64] += 27
    assert set(legacy[:, 64].tolist()) == {27, 28}
    np.testing.assert_array_equal(
        sign.ecdsa_recover(hashes[:200], legacy), sign.public_keys(keys[:200])
    )
    np.testing.assert_array_equal(
        sign.ecdsa_recover_address(hashes[:200], legacy),
        sign.ecdsa_recover_address(hashes[:200], signatures[:200]),
    )


def test_flipped_v_recovers_a_different_key(batch: Batch) -> None:
    keys, hashes, signatures = batch
    flipped = signatures[:100].copy()
    flipped[:, 64] ^= 1
    recovered, ok = sign.ecdsa_recover(hashes[:100], flipped, mask=True)
    public = sign.public_keys(keys[:100])
    assert ok.sum() > 50
    assert not (recovered[ok] == public[ok]).all(axis=1).any()


# --- high s ---------------------------------------------------------------------------


def test_high_s_twin_is_lax_only_and_recovers_the_same_key(batch: Batch) -> None:
    keys, hashes, signatures = batch
    rows = 300
    twins = np.stack(
        [np.frombuffer(high_s_twin(sig.tobytes()), np.uint8) for sig in signatures[:rows]]
    )
    public = sign.public_keys(keys[:rows])
    assert not sign.ecdsa_verify(public, hashes[:rows], twins).any()
    assert not sign.ecdsa_verify(public, hashes[:rows], twins, strict=True).any()
    assert sign.ecdsa_verify(public, hashes[:rows], twins, strict=False).all()
    assert sign.ecdsa_verify(public, hashes[:rows], signatures[:rows], strict=False).all()
    # ecrecover accepts high s: the twin recovers the same key.
    np.testing.assert_array_equal(sign.ecdsa_recover(hashes[:rows], twins), public)
    for i in range(20):
        r, s, v = split_signature(twins[i].tobytes())
        expected = Account._recover_hash(hashes[i].tobytes(), vrs=(v + 27, r, s))
        assert sign.to_checksum_address(sign.addresses(public[i : i + 1]).tobytes()) == expected


def test_verify_der_strictness_on_coincurve_signatures(batch: Batch) -> None:
    keys, hashes, _ = batch
    for key, digest in zip(keys[:50], hashes, strict=False):
        private = coincurve.PrivateKey(key.tobytes())
        public = private.public_key.format(compressed=False)
        der = private.sign(digest.tobytes(), hasher=None)
        assert sign.ecdsa_verify_der(public, digest.tobytes(), der)
        assert sign.ecdsa_verify_der(public[1:], digest.tobytes(), der, strict=False)
        assert sign.ecdsa_verify_der(private.public_key.format(), digest.tobytes(), der)
        assert not sign.ecdsa_verify_der(public, bytes(32), der)
        # The high-s twin of coincurve's (low-s) signature.
        r_int, s_int = der_integers(der)
        assert s_int <= SECP256K1_N // 2
        high = _der(r_int, SECP256K1_N - s_int)
        assert not sign.ecdsa_verify_der(public, digest.tobytes(), high)
        assert sign.ecdsa_verify_der(public, digest.tobytes(), high, strict=False)


def _der(r: int, s: int) -> bytes:
    def integer(value: int) -> bytes:
        body = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(body)]) + body

    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


# --- verify ---------------------------------------------------------------------------


def test_verify_accepts_every_public_key_encoding_and_broadcast() -> None:
    rng = np.random.default_rng(SEED + 7)
    secret = random_secret_keys(rng, 1)
    hashes = random_rows(rng, 6, 32)
    signatures = sign.ecdsa_sign(secret[0], hashes)
    point = coincurve.PublicKey.from_secret(secret.tobytes())
    encodings = [
        point.format(compressed=True),
        point.format(compressed=False),
        point.format(compressed=False)[1:],
    ]
    for encoded in encodings:
        key = np.frombuffer(encoded, np.uint8)
        for keys in (key, key[None], np.tile(key, (6, 1))):
            for sigs in (signatures, np.ascontiguousarray(signatures[:, :64])):
                ok = sign.ecdsa_verify(keys, hashes, sigs)
                _assert_rows(ok, (6,), np.bool_)
                assert ok.all()


def test_verify_flags_exactly_the_bad_rows() -> None:
    rng = np.random.default_rng(SEED + 8)
    keys = random_secret_keys(rng, 12)
    hashes = random_rows(rng, 12, 32)
    signatures = sign.ecdsa_sign(keys, hashes)
    public = sign.public_keys(keys)
    hashes[2, 0] ^= 1  # tampered hash
    signatures[5, 10] ^= 0x80  # tampered r
    signatures[7, 40] ^= 0x01  # tampered s
    public[9] = public[10]  # someone else's key
    public[11] = 0  # not a curve point
    ok = sign.ecdsa_verify(public, hashes, signatures)
    assert np.flatnonzero(~ok).tolist() == [2, 5, 7, 9, 11]


def test_verify_ignores_v() -> None:
    rng = np.random.default_rng(SEED + 9)
    keys = random_secret_keys(rng, 4)
    hashes = random_rows(rng, 4, 32)
    signatures = sign.ecdsa_sign(keys, hashes)
    signatures[:, 64] = [0, 1, 77, 255]
    assert sign.ecdsa_verify(sign.public_keys(keys), hashes, signatures).all()


# --- property-based round trips -------------------------------------------------------

secret_keys = st.binary(min_size=32, max_size=32).filter(
    lambda b: 0 < int.from_bytes(b, "big") < SECP256K1_N
)
hashes32 = st.binary(min_size=32, max_size=32)


@settings(max_examples=60, deadline=None)
@given(secret=secret_keys, digest=hashes32)
def test_sign_recover_address_round_trip(secret: bytes, digest: bytes) -> None:
    key = sign.PrivateKey.from_bytes(secret)
    hashes = np.frombuffer(digest, np.uint8)[None]
    signatures = sign.ecdsa_sign(np.frombuffer(secret, np.uint8), hashes)
    assert signatures[0].tobytes() == key.sign_hash(digest)
    assert sign.ecdsa_recover_address(hashes, signatures)[0].tobytes() == key.address


@settings(max_examples=60, deadline=None)
@given(secret=secret_keys, digest=hashes32, flip=st.integers(0, 255))
def test_sign_verify_and_tampered_hash(secret: bytes, digest: bytes, flip: int) -> None:
    key = sign.PrivateKey.from_bytes(secret)
    public = np.frombuffer(key.public_key, np.uint8)
    hashes = np.frombuffer(digest, np.uint8)[None]
    signature = np.frombuffer(key.sign_hash(digest), np.uint8)[None]
    assert sign.ecdsa_verify(public, hashes, signature).tolist() == [True]
    tampered = hashes.copy()
    tampered[0, flip // 8] ^= 1 << (flip % 8)
    assert sign.ecdsa_verify(public, tampered, signature).tolist() == [False]
    assert sign.ecdsa_verify(public, tampered, signature, strict=False).tolist() == [False]
