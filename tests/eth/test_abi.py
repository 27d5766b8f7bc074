"""ABI encoding and decoding: ``abi_encode``, ``abi_decode``, selectors and call data.

Differential against eth-abi on 500 seeded random parameter lists (``abi_helpers``) over
every Solidity type: ``abi_encode`` must give eth-abi's bytes, ``abi_decode`` eth-abi's
values with the same Python types (ints, bools, lowercase ``0x`` address strings, bytes,
str, tuples), and decoding must round-trip. Strictness: on 500 damaged encodings tpcore
raises ``InvalidInput`` exactly when eth-abi's strict ``decode`` raises, and otherwise both
return the same values. Bad types and values raise ``InvalidInput`` with a reason and the
path of the value (``values[i][j]``). Selectors and call data are checked against
eth-utils' ``function_signature_to_4byte_selector`` and eth-abi.
"""

from __future__ import annotations

import random
from typing import Any

import eth_abi
import pytest
from abi_helpers import mutate, normalised, random_type, random_value
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from tpcore import InvalidInput, eth

SEED = 20_250_402
COUNT = 500
ADDRESS = "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609"
BAD_CHECKSUM = ADDRESS.replace("C3d", "c3d")


def assert_same(ours: Any, theirs: Any, path: str = "") -> None:
    """Equal values of the same Python types, recursively (``True == 1`` is not enough)."""
    assert type(ours) is type(theirs), f"{path}: {type(ours)} vs {type(theirs)}"
    if isinstance(ours, tuple):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, path


@pytest.fixture(scope="module")
def corpus() -> list[tuple[list[str], list[Any]]]:
    """500 seeded ``(types, values)`` parameter lists of 0 to 4 parameters."""
    rng = random.Random(SEED)
    cases = []
    for _ in range(COUNT):
        types = [random_type(rng) for _ in range(rng.randint(0, 4))]
        cases.append((types, [random_value(rng, t) for t in types]))
    return cases


def test_the_corpus_covers_every_kind(corpus: list[tuple[list[str], list[Any]]]) -> None:
    text = " ".join(",".join(types) for types, _ in corpus)
    for needle in (
        "bool",
        "address",
        "string",
        "bytes,",
        "bytes1",
        "bytes32",
        "int8",
        "uint8",
        "int256",
        "uint256",
        "(",
        "[]",
        "[2]",
        "][",
        "[][]",
        ")[]",
        ")[",
    ):
        assert needle in text, needle
    assert any(not types for types, _ in corpus)


def test_encode_matches_eth_abi(corpus: list[tuple[list[str], list[Any]]]) -> None:
    for types, values in corpus:
        assert eth.abi_encode(types, values) == eth_abi.encode(types, values), (types, values)


def test_decode_matches_eth_abi_and_round_trips(
    corpus: list[tuple[list[str], list[Any]]],
) -> None:
    for types, values in corpus:
        data = eth_abi.encode(types, values)
        ours = eth.abi_decode(types, data)
        theirs = eth_abi.decode(types, data)
        assert_same(ours, theirs)
        expected = tuple(normalised(t, v) for t, v in zip(types, values, strict=True))
        assert_same(ours, expected)
        assert eth.abi_encode(types, list(ours)) == data


def test_decoded_values_have_eth_abi_types() -> None:
    types = [
        "address",
        "bool",
        "uint8",
        "int16",
        "bytes3",
        "bytes",
        "string",
        "uint8[2]",
        "(bool,address)[]",
    ]
    values = [ADDRESS, True, 255, -1, b"ab", b"", "é", [1, 2], [(False, ADDRESS)]]
    decoded = eth.abi_decode(types, eth.abi_encode(types, values))
    assert decoded == (
        ADDRESS.lower(),
        True,
        255,
        -1,
        b"ab\x00",
        b"",
        "é",
        (1, 2),
        ((False, ADDRESS.lower()),),
    )
    assert [type(v) for v in decoded] == [str, bool, int, int, bytes, bytes, str, tuple, tuple]


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("uint256", 2**256 - 1),
        ("int256", -(2**255)),
        ("int256", 2**255 - 1),
        ("int8", -128),
        ("int8", 127),
        ("uint8", 0),
        ("int64", -(2**63)),
        ("uint128", 2**128 - 1),
        ("int72", -(2**71)),
        ("int256", -1),
    ],
)
def test_integer_extremes(type_: str, value: int) -> None:
    data = eth.abi_encode([type_], [value])
    assert data == eth_abi.encode([type_], [value])
    assert_same(eth.abi_decode([type_], data), (value,))


def test_hex_strings_and_bytearrays_are_accepted_for_bytes() -> None:
    expected = eth_abi.encode(["bytes", "bytes4", "address"], [b"\x01\x02", b"\xaa", b"\x11" * 20])
    assert eth.abi_encode(["bytes", "bytes4", "address"], ["0x0102", "0xaa", "0x" + "11" * 20]) == (
        expected
    )
    assert (
        eth.abi_encode(
            ["bytes", "bytes4", "address"], [bytearray(b"\x01\x02"), b"\xaa", b"\x11" * 20]
        )
        == expected
    )


def test_multicall_results_decode_as_eth_abi() -> None:
    """The return data of Multicall3's ``aggregate`` and ``aggregate3``."""
    rng = random.Random(SEED + 1)
    returns = [
        eth_abi.encode(["uint256"], [rng.randrange(2**256)]),
        eth_abi.encode(["address", "uint8"], [ADDRESS, 18]),
        eth_abi.encode(["string"], ["Wrapped Ether"]),
        b"",
        eth_abi.encode(["uint256[]"], [[1, 2, 3]]),
    ]
    aggregate = eth_abi.encode(["uint256", "bytes[]"], [19_000_000, returns])
    ours = eth.abi_decode(["uint256", "bytes[]"], aggregate)
    assert_same(ours, eth_abi.decode(["uint256", "bytes[]"], aggregate))
    assert ours == (19_000_000, tuple(returns))
    results = [(rng.random() < 0.7, r) for r in returns]
    aggregate3 = eth_abi.encode(["(bool,bytes)[]"], [results])
    ours3 = eth.abi_decode(["(bool,bytes)[]"], aggregate3)
    assert_same(ours3, eth_abi.decode(["(bool,bytes)[]"], aggregate3))
    assert ours3 == (tuple(results),)
    assert eth.abi_decode(["string"], ours3[0][2][1]) == ("Wrapped Ether",)


def test_strictness_matches_eth_abi_on_damaged_encodings(
    corpus: list[tuple[list[str], list[Any]]],
) -> None:
    rng = random.Random(SEED + 2)
    outcomes = {"both raise": 0, "both decode": 0}
    for types, values in corpus:
        data = mutate(rng, eth_abi.encode(types, values))
        try:
            theirs = eth_abi.decode(types, data)
        except Exception:  # eth-abi raises several classes of decoding error
            theirs = None
        if theirs is None:
            with pytest.raises(InvalidInput) as info:
                eth.abi_decode(types, data)
            assert info.value.reason == "abi_decode_error", (types, data.hex())
            outcomes["both raise"] += 1
        else:
            assert_same(eth.abi_decode(types, data), theirs)
            outcomes["both decode"] += 1
    assert outcomes["both raise"] > 100
    assert outcomes["both decode"] > 100


@pytest.mark.parametrize(
    ("types", "data"),
    [
        (["uint8"], (256).to_bytes(32, "big")),  # padding above the value
        (["int8"], (2**255).to_bytes(32, "big")),  # not a sign extension
        (["bool"], (2).to_bytes(32, "big")),
        (["address"], b"\x01" + b"\x00" * 31),
        (["bytes1"], b"\x01\x02" + b"\x00" * 30),
        (["uint256"], b"\x00" * 31),  # short word
        (["bytes"], (32).to_bytes(32, "big") + (1).to_bytes(32, "big")),  # missing body
        (["bytes"], (32).to_bytes(32, "big") + (1).to_bytes(32, "big") + b"\x01" + b"\x02" * 31),
        (["string"], (32).to_bytes(32, "big") + (1).to_bytes(32, "big") + b"\xff" + b"\x00" * 31),
        (["bytes"], (0).to_bytes(32, "big") + (1).to_bytes(32, "big")),  # offset into the head
        (["bytes"], (2**64).to_bytes(32, "big")),  # offset beyond the data
        (["uint8[]"], (32).to_bytes(32, "big") + (2**200).to_bytes(32, "big")),  # huge length
    ],
)
def test_malformed_data_is_refused_like_eth_abi(types: list[str], data: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 (any eth-abi decoding error)
        eth_abi.decode(types, data)
    with pytest.raises(InvalidInput) as info:
        eth.abi_decode(types, data)
    assert info.value.reason == "abi_decode_error"


def test_trailing_bytes_are_accepted_like_eth_abi() -> None:
    data = eth_abi.encode(["uint256", "bytes"], [5, b"xy"]) + b"\x01" * 40
    assert_same(
        eth.abi_decode(["uint256", "bytes"], data), eth_abi.decode(["uint256", "bytes"], data)
    )


# --- bad types and values -------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_",
    [
        "uint7",
        "uint0",
        "uint264",
        "int9",
        "bytes33",
        "bytes0",
        "tuple(",
        "",
        "(uint256",
        "uint256[",
        "address[0]",
        "fixed128x18",
        "function",
        "Uint256",
        "foo",
    ],
)
def test_a_bad_type(type_: str) -> None:
    for call in (lambda: eth.abi_encode([type_], [1]), lambda: eth.abi_decode([type_], b"")):
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.reason == "invalid_abi_type"
        assert repr(type_).strip("'") in str(info.value)


@pytest.mark.parametrize(
    ("types", "values", "reason", "path"),
    [
        (["uint8"], [256], "invalid_abi_value", "values[0]"),
        (["uint8"], [-1], "invalid_abi_value", "values[0]"),
        (["int8"], [128], "invalid_abi_value", "values[0]"),
        (["int8"], [-129], "invalid_abi_value", "values[0]"),
        (["uint256"], [2**256], "invalid_abi_value", "values[0]"),
        (["int256"], [-(2**255) - 1], "invalid_abi_value", "values[0]"),
        (["int256"], [2**255], "invalid_abi_value", "values[0]"),
        (["uint8", "bytes2"], [1, b"abc"], "invalid_abi_value", "values[1]"),
        (["bytes2"], ["0x010203"], "invalid_abi_value", "values[0]"),
        (["uint8[2]"], [[1]], "invalid_abi_value", "values[0]"),
        (["uint8[2]"], [[1, 2, 3]], "invalid_abi_value", "values[0]"),
        (["(uint8,bool)"], [(1,)], "invalid_abi_value", "values[0]"),
        (["address"], [BAD_CHECKSUM], "bad_checksum", "values[0]"),
        (["address"], ["0x1234"], "invalid_address", "values[0]"),
        (["address"], [ADDRESS[2:]], "invalid_address", "values[0]"),
        (["address"], [b"\x01" * 19], "invalid_abi_value", "values[0]"),
        (["uint8"], [True], "invalid_abi_value", "values[0]"),
        (["bool"], [1], "invalid_abi_value", "values[0]"),
        (["string"], [b"x"], "invalid_abi_value", "values[0]"),
        (["bytes"], [5], "invalid_abi_value", "values[0]"),
        (["bytes"], ["abcd"], "invalid_abi_value", "values[0]"),
        (["bytes"], ["0xzz"], "invalid_abi_value", "values[0]"),
        (["uint8[]"], [5], "invalid_abi_value", "values[0]"),
        (["uint8"], ["5"], "invalid_abi_value", "values[0]"),
        (["uint8"], [1.0], "invalid_abi_value", "values[0]"),
        (["uint8"], [None], "invalid_abi_value", "values[0]"),
        (["uint8[]"], [{1, 2}], "invalid_abi_value", "values[0]"),
        (["uint8", "uint8"], [1], "invalid_abi_value", "values"),
        (["uint8"], [1, 2], "invalid_abi_value", "values"),
        (
            ["(uint8,(bool,address[]))[]"],
            [[(1, (True, [ADDRESS, "0x12"]))]],
            "invalid_address",
            "values[0][0][1][1][1]",
        ),
        (["uint8", "(uint8,int8[])"], [1, (2, [1, -200])], "invalid_abi_value", "values[1][1][1]"),
        (
            ["bytes32[2][]"],
            [[[b"", b""], [b"", b"\x00" * 33]]],
            "invalid_abi_value",
            "values[0][1][1]",
        ),
    ],
)
def test_a_bad_value(types: list[str], values: list[Any], reason: str, path: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.abi_encode(types, values)
    assert info.value.reason == reason
    assert str(info.value).startswith(f"{path}: ")
    assert info.value.index is None


def test_eth_abi_refuses_the_bad_values_too() -> None:
    """The bad values above are bad for eth-abi as well (a spot check of the table).

    Except a wrong EIP-55 checksum, which eth-abi 6 encodes and tpcore refuses on purpose
    (see ``test_a_wrong_checksum_is_refused_where_eth_abi_accepts_it``).
    """
    for types, values in [
        (["uint8"], [256]),
        (["int8"], [-129]),
        (["bytes2"], [b"abc"]),
        (["uint8[2]"], [[1]]),
        (["uint8"], [True]),
        (["bool"], [1]),
    ]:
        with pytest.raises(Exception):  # noqa: B017, PT011
            eth_abi.encode(types, values)


def test_a_wrong_checksum_is_refused_where_eth_abi_accepts_it() -> None:
    assert eth_abi.encode(["address"], [BAD_CHECKSUM]) == eth.abi_encode(["address"], [ADDRESS])
    with pytest.raises(InvalidInput) as info:
        eth.abi_encode(["address"], [BAD_CHECKSUM])
    assert info.value.reason == "bad_checksum"


@pytest.mark.parametrize(
    ("types", "values", "reason"),
    [
        ("uint8", [1], "invalid_field"),
        (["uint8"], 5, "invalid_field"),
        ([5], [1], "invalid_abi_type"),
    ],
)
def test_arguments_of_the_wrong_shape(types: Any, values: Any, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.abi_encode(types, values)
    assert info.value.reason == reason


def test_a_string_that_is_not_unicode_is_refused() -> None:
    with pytest.raises(InvalidInput):
        eth.abi_encode(["string"], ["\ud800"])


# --- selectors and call data ----------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "transfer(address,uint256)",
        "transfer(address, uint256)",
        "totalSupply()",
        "approve(address,uint256)",
        "f((uint256,bytes)[],address)",
        "g(uint8[2][],(bool,(string)))",
        "balanceOf(address)",
        "uint(uint)",
    ],
)
def test_function_selector_matches_eth_utils(signature: str) -> None:
    assert eth.function_selector(signature) == function_signature_to_4byte_selector(signature)


def test_function_selector_hashes_types_as_written() -> None:
    assert eth.function_selector("f(uint)") != eth.function_selector("f(uint256)")


CALLS = [
    ("totalSupply()", [], []),
    ("balanceOf(address)", ["address"], [ADDRESS]),
    ("transfer(address,uint256)", ["address", "uint256"], [ADDRESS, 10**18]),
    ("f(uint256[],string,bytes32)", ["uint256[]", "string", "bytes32"], [[1, 2], "x", b"\x01"]),
    (
        "aggregate3((address,bool,bytes)[])",
        ["(address,bool,bytes)[]"],
        [[(ADDRESS, True, b"\x12\x34"), (ADDRESS.lower(), False, b"")]],
    ),
    (
        "g((uint8,(bool,string)[]),int16)",
        ["(uint8,(bool,string)[])", "int16"],
        [(1, [(True, "a")]), -2],
    ),
    ("h(bytes)", ["bytes"], [b"\x00" * 33]),
]


@pytest.mark.parametrize(("signature", "types", "values"), CALLS, ids=[c[0] for c in CALLS])
def test_encode_function_call_matches_eth_abi(
    signature: str, types: list[str], values: list[Any]
) -> None:
    expected = function_signature_to_4byte_selector(signature) + eth_abi.encode(types, values)
    assert eth.encode_function_call(signature, values) == expected
    spaced = signature.replace(",", ", ")
    assert eth.encode_function_call(spaced, values) == expected


def test_encode_function_call_canonicalises_type_aliases() -> None:
    assert eth.encode_function_call("f(uint,int)", [1, -1]) == eth.encode_function_call(
        "f(uint256,int256)", [1, -1]
    )


@pytest.mark.parametrize(
    ("signature", "values"),
    [
        ("f((uint256))", [(1,)]),
        ("f((uint256)[])", [[(1,)]]),
        ("f(uint256,(address))", [1, (ADDRESS,)]),
    ],
)
def test_encode_function_call_with_a_one_element_tuple(signature: str, values: list[Any]) -> None:
    assert eth.encode_function_call(signature, values)[:4] == keccak(text=signature)[:4]


@pytest.mark.parametrize("signature", ["f", "f(", "(uint256)", "f(uint7)", "f(uint256))", ""])
def test_encode_function_call_with_a_bad_signature(signature: str) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.encode_function_call(signature, [])
    assert info.value.reason == "invalid_abi_type"


def test_encode_function_call_with_a_bad_value_names_its_path() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.encode_function_call("transfer(address,uint256)", [ADDRESS, -1])
    assert info.value.reason == "invalid_abi_value"
    assert str(info.value).startswith("values[1]: ")


def test_checksum_helper_agrees() -> None:
    assert to_checksum_address(ADDRESS.lower()) == ADDRESS
