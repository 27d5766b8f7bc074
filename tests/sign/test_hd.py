"""BIP-39 mnemonics and BIP-32/44 derivation.

Known answers from the Trezor BIP-39 vectors and BIP-32 test vector 1, and cross-checks
with eth-account's HD wallet (``Account.from_mnemonic`` and its ``HDPath``).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from eth_account import Account
from eth_account.hdaccount.deterministic import HDPath
from eth_account.hdaccount.mnemonic import Language, Mnemonic

from tpcore import InvalidInput, sign

ABANDON = " ".join(["abandon"] * 11 + ["about"])
ETH_PREFIX = "m/44'/60'/0'/0"


@pytest.mark.parametrize(
    ("mnemonic", "seed"),
    [
        (
            ABANDON,
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553"
            "1f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
        ),
        (
            "legal winner thank year wave sausage worth useful legal winner thank yellow",
            "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6f"
            "a457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607",
        ),
        (
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
            "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13"
            "332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069",
        ),
    ],
)
def test_trezor_vectors(mnemonic: str, seed: str) -> None:
    assert sign.mnemonic_to_seed(mnemonic, "TREZOR").hex() == seed
    assert Mnemonic.to_seed(mnemonic, "TREZOR").hex() == seed


@pytest.mark.parametrize("passphrase", ["", "TREZOR", "correct horse", "ñandú ☃ 𝄞"])
def test_seed_matches_eth_account(passphrase: str) -> None:
    expected = Mnemonic.to_seed(ABANDON, passphrase)
    seed = sign.mnemonic_to_seed(ABANDON, passphrase)
    assert isinstance(seed, bytes)
    assert seed == expected
    assert len(seed) == 64


def test_default_passphrase_is_empty() -> None:
    assert sign.mnemonic_to_seed(ABANDON) == sign.mnemonic_to_seed(ABANDON, "")
    assert sign.mnemonic_to_seed(ABANDON) != sign.mnemonic_to_seed(ABANDON, "TREZOR")


def test_passphrase_is_nfkd_normalised() -> None:
    composed = unicodedata.normalize("NFC", "ñandú")
    decomposed = unicodedata.normalize("NFD", "ñandú")
    assert composed != decomposed
    assert sign.mnemonic_to_seed(ABANDON, composed) == sign.mnemonic_to_seed(ABANDON, decomposed)


def test_bip32_vector_1() -> None:
    seed = bytes(range(16))
    master = sign.derive_private_key(seed, "m")
    assert master.secret_bytes().hex() == (
        "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35"
    )
    leaf = sign.derive_private_key(seed, "m/0'/1/2'/2/1000000000")
    assert leaf.secret_bytes().hex() == (
        "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8"
    )
    # "h" is accepted as the hardened marker too.
    assert sign.derive_private_key(seed, "m/0h/1/2h/2/1000000000").address == leaf.address


@pytest.mark.parametrize("passphrase", ["", "TREZOR"])
def test_first_ten_ethereum_accounts_match_eth_account(passphrase: str) -> None:
    Account.enable_unaudited_hdwallet_features()
    seed = sign.mnemonic_to_seed(ABANDON, passphrase)
    secrets = sign.derive(seed, ETH_PREFIX, 0, 10)
    assert secrets.shape == (10, 32)
    assert secrets.dtype == np.uint8
    assert secrets.flags.c_contiguous
    for i in range(10):
        path = f"{ETH_PREFIX}/{i}"
        account = Account.from_mnemonic(ABANDON, passphrase=passphrase, account_path=path)
        assert secrets[i].tobytes() == bytes(account.key)
        key = sign.derive_private_key(seed, path)
        assert key.secret_bytes() == bytes(account.key)
        assert key.checksum_address == account.address


def test_abandon_about_first_account_address() -> None:
    # The widely published first account of the all-"abandon" test mnemonic.
    key = sign.derive_private_key(sign.mnemonic_to_seed(ABANDON), f"{ETH_PREFIX}/0")
    assert key.checksum_address == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"


def test_derive_start_offset_and_hardened_children() -> None:
    seed = sign.mnemonic_to_seed(ABANDON)
    all_ten = sign.derive(seed, ETH_PREFIX, 0, 10)
    np.testing.assert_array_equal(sign.derive(seed, ETH_PREFIX, 5, 3), all_ten[5:8])
    hardened = sign.derive(seed, ETH_PREFIX, 7, 4, hardened=True)
    for row, i in zip(hardened, range(7, 11), strict=True):
        assert row.tobytes() == HDPath(f"{ETH_PREFIX}/{i}'").derive(seed)
    assert not (hardened[:3] == all_ten[7:10]).all(axis=1).any()


def test_derive_at_the_end_of_the_index_range() -> None:
    seed = bytes(range(32))
    last = sign.derive(seed, "m", 2**31 - 2, 2)
    assert last[1].tobytes() == HDPath(f"m/{2**31 - 1}").derive(seed)
    assert last[1].tobytes() == sign.derive_private_key(seed, f"m/{2**31 - 1}").secret_bytes()


def test_derive_zero_children() -> None:
    out = sign.derive(bytes(32), ETH_PREFIX, 0, 0)
    assert out.shape == (0, 32)
    assert out.dtype == np.uint8


@pytest.mark.parametrize("words", [12, 15, 18, 21, 24])
def test_generated_mnemonics_are_valid_and_fresh(words: int) -> None:
    first, second = sign.generate_mnemonic(words), sign.generate_mnemonic(words)
    assert first != second
    for mnemonic in (first, second):
        assert len(mnemonic.split(" ")) == words
        assert Mnemonic(Language.ENGLISH).is_mnemonic_valid(mnemonic)
        assert sign.mnemonic_to_seed(mnemonic) == Mnemonic.to_seed(mnemonic)


def test_generate_mnemonic_defaults_to_24_words() -> None:
    assert len(sign.generate_mnemonic().split()) == 24


@pytest.mark.parametrize("words", [0, 11, 13, 25, 48])
def test_generate_mnemonic_rejects_other_lengths(words: int) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.generate_mnemonic(words)
    assert err.value.reason == "invalid_mnemonic"


@pytest.mark.parametrize(
    "mnemonic",
    [
        pytest.param(" ".join(["abandon"] * 12), id="wrong_checksum"),
        pytest.param(" ".join(["abandon"] * 11 + ["zzyzx"]), id="unknown_word"),
        pytest.param(" ".join(["abandon"] * 10 + ["about"]), id="eleven_words"),
        pytest.param(" ".join(["abandon"] * 11), id="eleven_abandons"),
        pytest.param("", id="empty"),
        pytest.param(ABANDON + " about", id="thirteen_words"),
    ],
)
def test_bad_mnemonic(mnemonic: str) -> None:
    with pytest.raises(InvalidInput) as err:
        sign.mnemonic_to_seed(mnemonic, "TREZOR")
    assert err.value.reason == "invalid_mnemonic"
    assert err.value.index is None
    # The message explains, but never repeats the (secret) words.
    assert "zzyzx" not in str(err.value)
    assert "abandon" not in str(err.value)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "44'/60'",
        "M/0",
        "/0",
        "m/",
        "m//0",
        "m/x",
        "m/-1",
        "m/0''",
        "m/0/",
        "m/ 0",
        "m/2147483648",
        "m/4294967295'",
    ],
)
def test_bad_path(path: str) -> None:
    seed = bytes(32)
    with pytest.raises(InvalidInput) as err:
        sign.derive_private_key(seed, path)
    assert err.value.reason == "invalid_path"
    with pytest.raises(InvalidInput) as err:
        sign.derive(seed, path, 0, 1)
    assert err.value.reason == "invalid_path"


@pytest.mark.parametrize(("start", "count"), [(2**31 - 1, 2), (2**31, 1), (2**32 - 1, 1)])
def test_children_beyond_the_index_range(start: int, count: int) -> None:
    for hardened in (False, True):
        with pytest.raises(InvalidInput) as err:
            sign.derive(bytes(32), "m", start, count, hardened=hardened)
        assert err.value.reason == "invalid_path"


@pytest.mark.parametrize("length", [0, 15, 65, 128])
def test_bad_seed_length(length: int) -> None:
    for call in (
        lambda: sign.derive_private_key(b"\x01" * length, "m/0"),
        lambda: sign.derive(b"\x01" * length, "m", 0, 1),
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.reason == "invalid_seed"


@pytest.mark.parametrize(
    ("start", "count", "reason"),
    [(-1, 1, "invalid_index"), (2**32, 1, "invalid_index"), (0, -1, "invalid_count")],
)
def test_derive_rejects_negative_or_oversized_arguments(
    start: int, count: int, reason: str
) -> None:
    seed = bytes(range(64))
    with pytest.raises(InvalidInput) as err:
        sign.derive(seed, "m/44'/60'/0'/0", start, count)
    assert err.value.reason == reason
