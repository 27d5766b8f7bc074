"""EIP-712 typed data: ``hash_typed_data``, ``sign_typed_data``, ``sign_typed_data_batch``.

Differential against eth-account's ``Account.sign_typed_data(key, full_message=doc)`` on the
EIP's Mail example and 200 seeded random documents (``typed_data_helpers``): nested structs,
arrays of structs, dynamic, fixed and nested arrays, ``string``/``bytes``, ``bytes1..32``,
``int8..int256`` with negative values, ``uint8..uint256`` up to ``2**256 - 1`` (which a dict
carries to the core as a decimal string), ``address``, ``bool``, and domains with any subset
of the standard fields, with or without a declared ``EIP712Domain``. The hash and signature
must equal eth-account's, the dict and its JSON text must agree, and the batch signer must
agree with the scalar one. Malformed documents raise ``InvalidInput`` with a reason code.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import numpy as np
import pytest
from eth_account import Account
from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_struct
from eth_helpers import random_secret
from eth_utils import keccak
from typed_data_helpers import json_text, random_document

from tpcore import InvalidInput, eth, sign

SEED = 712_712
COUNT = 200
SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")

#: The example of EIP-712 itself, and the hash the EIP gives for it.
MAIL: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "string"},
        ],
    },
    "primaryType": "Mail",
    "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 1,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    },
    "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
    },
}
MAIL_HASH = "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
#: The signature the EIP gives for MAIL with the key keccak256("cow").
MAIL_SIGNATURE = (
    "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
    "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c"
)


def _fields(signed: eth.SignedMessage) -> tuple[bytes, bytes, int, int, int]:
    return (signed.signature, signed.message_hash, signed.r, signed.s, signed.v)


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict[str, Any], bytes]]:
    """200 seeded ``(document, secret)`` pairs."""
    rng = random.Random(SEED)
    return [(random_document(rng), random_secret(rng)) for _ in range(COUNT)]


def _walk_types(documents: list[dict[str, Any]]) -> set[str]:
    return {f["type"] for d in documents for fields in d["types"].values() for f in fields}


def _walk_ints(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [i for v in value.values() for i in _walk_ints(v)]
    if isinstance(value, list):
        return [i for v in value for i in _walk_ints(v)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return []


def test_the_corpus_covers_the_spec(corpus: list[tuple[dict[str, Any], bytes]]) -> None:
    documents = [d for d, _ in corpus]
    types = _walk_types(documents)
    structs = {name for d in documents for name in d["types"]}
    assert any(t.split("[")[0] in structs for t in types)  # nested structs
    assert any(t.endswith("[]") and t.split("[")[0] in structs for t in types)  # of structs
    assert any(t.endswith("]") and not t.endswith("[]") for t in types)  # fixed arrays
    assert any(t.endswith("][]") for t in types)  # nested arrays
    for prefix in ("string", "bytes", "bytes1", "bytes32", "address", "bool", "int8", "uint8"):
        assert any(t.split("[")[0] == prefix for t in types), prefix
    ints = [i for d in documents for i in _walk_ints(d["message"])]
    assert 2**256 - 1 in ints
    assert -(2**255) in ints
    assert any(-(2**63) < i < 0 for i in ints)
    assert any(2**64 <= i < 2**256 - 1 for i in ints)
    assert any("EIP712Domain" not in d["types"] for d in documents)
    assert any("salt" in d["domain"] and "chainId" not in d["domain"] for d in documents)
    assert any(set(d["domain"]) == {"name"} for d in documents)


def test_the_eip_example() -> None:
    assert eth.hash_typed_data(MAIL).hex() == MAIL_HASH
    assert eth.hash_typed_data(json.dumps(MAIL)).hex() == MAIL_HASH
    signed = eth.sign_typed_data(MAIL, keccak(text="cow"))
    assert signed.message_hash.hex() == MAIL_HASH
    assert signed.signature.hex() == MAIL_SIGNATURE
    assert signed.v == 28


def test_documents_hash_and_sign_as_eth_account(
    corpus: list[tuple[dict[str, Any], bytes]],
) -> None:
    for document, secret in corpus:
        theirs = Account.sign_typed_data(secret, full_message=copy.deepcopy(document))
        assert eth.hash_typed_data(document) == bytes(theirs.message_hash), document
        ours = eth.sign_typed_data(document, secret)
        assert ours.signature == bytes(theirs.signature)
        assert ours.message_hash == bytes(theirs.message_hash)
        assert (ours.r, ours.s, ours.v) == (theirs.r, theirs.s, theirs.v)


def test_json_text_and_dict_agree(corpus: list[tuple[dict[str, Any], bytes]]) -> None:
    rng = random.Random(SEED + 1)
    for document, _ in corpus:
        text = json_text(document, rng)
        assert eth.hash_typed_data(text) == eth.hash_typed_data(document), text
        assert eth.hash_typed_data(json.loads(text)) == eth.hash_typed_data(document)


def test_the_document_is_not_modified(corpus: list[tuple[dict[str, Any], bytes]]) -> None:
    document = corpus[0][0]
    before = copy.deepcopy(document)
    eth.sign_typed_data(document, SECRET)
    assert document == before


def test_batch_matches_scalar_for_every_key_form(
    corpus: list[tuple[dict[str, Any], bytes]],
) -> None:
    rng = random.Random(SEED + 2)
    documents: list[Any] = [json_text(d, rng) if rng.random() < 0.3 else d for d, _ in corpus]
    secrets = [s for _, s in corpus]
    expected_one = [_fields(eth.sign_typed_data(d, SECRET)) for d in documents]
    expected_each = [
        _fields(eth.sign_typed_data(d, s)) for d, s in zip(documents, secrets, strict=True)
    ]
    assert [_fields(s) for s in eth.sign_typed_data_batch(documents, SECRET)] == expected_one
    key = sign.PrivateKey.from_bytes(SECRET)
    assert [_fields(s) for s in eth.sign_typed_data_batch(documents, key)] == expected_one
    assert [_fields(s) for s in eth.sign_typed_data_batch(documents, secrets)] == expected_each
    array = np.frombuffer(b"".join(secrets), dtype=np.uint8).reshape(-1, 32)
    assert [_fields(s) for s in eth.sign_typed_data_batch(documents, array)] == expected_each


def test_a_private_key_object_signs_like_its_bytes() -> None:
    key = sign.PrivateKey.from_bytes(SECRET)
    assert _fields(eth.sign_typed_data(MAIL, key)) == _fields(eth.sign_typed_data(MAIL, SECRET))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), ("0x7", 7), (2**70, 2**70), (str(2**70), 2**70), (hex(2**70), 2**70)],
)
def test_integers_as_strings(value: Any, expected: int) -> None:
    def doc(n: Any) -> dict[str, Any]:
        return {
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}],
                "T": [{"name": "n", "type": "uint256"}],
            },
            "primaryType": "T",
            "domain": {"name": "x"},
            "message": {"n": n},
        }

    assert eth.hash_typed_data(doc(value)) == eth.hash_typed_data(doc(expected))
    if isinstance(value, str):
        assert eth.hash_typed_data(json.dumps(doc(value))) == eth.hash_typed_data(doc(expected))


def test_a_reordered_domain_hashes_as_the_declared_struct() -> None:
    """Hashes the domain as ``types.EIP712Domain`` declares it (MetaMask's reading).

    eth-account 0.14 ignores the declared order and always hashes the fields in EIP-712's
    order, so it gives a different hash for such a document: this is a deliberate
    difference (see ``tpcore_eth::typed_data``).
    """
    document = copy.deepcopy(MAIL)
    document["types"]["EIP712Domain"].reverse()
    separator = hash_struct("EIP712Domain", document["types"], document["domain"])
    message = hash_struct("Mail", document["types"], document["message"])
    assert eth.hash_typed_data(document) == keccak(b"\x19\x01" + separator + message)
    assert eth.hash_typed_data(document).hex() != MAIL_HASH


def test_primary_type_eip712_domain_hashes_the_domain_only() -> None:
    document = {**MAIL, "primaryType": "EIP712Domain"}
    separator = hash_struct("EIP712Domain", MAIL["types"], MAIL["domain"])
    assert eth.hash_typed_data(document) == keccak(b"\x19\x01" + separator)


# --- malformed documents -------------------------------------------------------------------


def _mail(change: Any) -> Any:
    document = copy.deepcopy(MAIL)
    result = change(document)
    return document if result is None else result


def _drop(key: str) -> Any:
    return lambda d: d.pop(key) and None


def _message(key: str, value: Any) -> Any:
    return lambda d: d["message"].__setitem__(key, value)


def _add_field(type_: str, value: Any) -> Any:
    def change(d: dict[str, Any]) -> None:
        d["types"]["Mail"].append({"name": "extra", "type": type_})
        d["message"]["extra"] = value

    return change


BAD_DOCUMENTS = [
    ("no types", _drop("types"), "invalid_typed_data", '"types"'),
    ("no primaryType", _drop("primaryType"), "invalid_typed_data", '"primaryType"'),
    ("no domain", _drop("domain"), "invalid_typed_data", '"domain"'),
    ("no message", _drop("message"), "invalid_typed_data", '"message"'),
    (
        "unknown primary",
        lambda d: d.__setitem__("primaryType", "Nope"),
        "invalid_typed_data",
        "Nope",
    ),
    ("unknown type", _add_field("Foo", {}), "invalid_typed_data", "Foo"),
    ("bad atomic type", _add_field("uint7", 1), "invalid_typed_data", "uint7"),
    (
        "cyclic",
        lambda d: d["types"]["Person"].append({"name": "m", "type": "Mail"}),
        "invalid_typed_data",
        "circular",
    ),
    (
        "missing field",
        lambda d: d["message"].pop("contents") and None,
        "invalid_typed_data",
        "message",
    ),
    ("uint8 too big", _add_field("uint8", 256), "invalid_typed_data", "uint8"),
    ("uint negative", _add_field("uint256", -1), "invalid_typed_data", "uint256"),
    ("int8 too small", _add_field("int8", -129), "invalid_typed_data", "int8"),
    ("uint not a number", _add_field("uint256", "abc"), "invalid_typed_data", "uint256"),
    ("int for string", _message("contents", 5), "invalid_typed_data", "string"),
    ("bool for string", _message("contents", True), "invalid_typed_data", "string"),
    (
        "bad address",
        lambda d: d["message"]["from"].__setitem__("wallet", "0x1234"),
        "invalid_typed_data",
        "address",
    ),
    ("bytes4 too long", _add_field("bytes4", "0x0102030405"), "invalid_typed_data", "bytes4"),
    ("bytes not hex", _add_field("bytes", "hello"), "invalid_typed_data", "bytes"),
    ("fixed array too long", _add_field("uint8[2]", [1, 2, 3]), "invalid_typed_data", "uint8[2]"),
    ("array not a list", _add_field("uint8[]", 5), "invalid_typed_data", "uint8[]"),
    ("float value", _add_field("uint256", 1.5), "invalid_json", "message.extra"),
    ("integral float", _add_field("uint256", 1.0), "invalid_json", "floats"),
    (
        "float chain id",
        lambda d: d["domain"].__setitem__("chainId", 1.0),
        "invalid_json",
        "domain.chainId: floats",
    ),
    ("set value", _add_field("string", {"a"}), "invalid_json", "set"),
    ("bytes key", lambda d: d["message"].__setitem__(b"k", 1), "invalid_json", "keys"),
    ("not an object", lambda d: [d], "invalid_typed_data", "object"),
    ("text not JSON", lambda d: "{not json", "invalid_json", "not JSON"),
    (
        "JSON float",
        lambda d: json.dumps(d).replace('"chainId": 1', '"chainId": 1.5'),
        "invalid_typed_data",
        "domain.chainId",
    ),
    (
        "JSON exponent",
        lambda d: json.dumps(d).replace('"chainId": 1', '"chainId": 1e3'),
        "invalid_typed_data",
        "domain.chainId",
    ),
    (
        "JSON int beyond 64 bits",
        lambda d: json.dumps(d).replace('"chainId": 1', f'"chainId": {2**70}'),
        "invalid_typed_data",
        "not an exact integer",
    ),
    (
        "primaryType not a string",
        lambda d: d.__setitem__("primaryType", 5),
        "invalid_typed_data",
        "",
    ),
]


@pytest.mark.parametrize(
    ("change", "reason", "needle"),
    [c[1:] for c in BAD_DOCUMENTS],
    ids=[c[0] for c in BAD_DOCUMENTS],
)
def test_a_malformed_document(change: Any, reason: str, needle: str) -> None:
    document = _mail(change)
    for call in (eth.hash_typed_data, lambda d: eth.sign_typed_data(d, SECRET)):
        with pytest.raises(InvalidInput) as info:
            call(document)
        assert info.value.reason == reason
        assert needle in str(info.value)


@pytest.mark.parametrize(
    ("change", "reason", "needle"),
    [c[1:] for c in BAD_DOCUMENTS],
    ids=[c[0] for c in BAD_DOCUMENTS],
)
def test_a_malformed_document_in_a_batch_reports_its_index(
    change: Any, reason: str, needle: str
) -> None:
    documents = [MAIL] * 12
    documents[9] = _mail(change)
    documents[11] = _mail(_drop("types"))
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, SECRET)
    assert info.value.reason == reason
    assert info.value.index == 9
    assert needle in str(info.value)


def test_key_count_must_match_document_count() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch([MAIL] * 3, [SECRET] * 4)
    assert info.value.reason == "row_count_mismatch"


@pytest.mark.parametrize("key", [b"", SECRET[:31], "0x" + SECRET.hex(), None])
def test_a_bad_key(key: object) -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data(MAIL, key)  # type: ignore[arg-type]
    assert info.value.reason == "invalid_key"


def test_a_bad_scalar_document_has_no_batch_index() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data({}, SECRET)
    assert info.value.index is None
    assert not str(info.value).startswith("item 0")


def test_text_that_is_not_unicode_is_refused() -> None:
    document = copy.deepcopy(MAIL)
    document["message"]["contents"] = "\ud800"
    with pytest.raises(InvalidInput):
        eth.hash_typed_data(document)


def test_a_batch_built_from_one_template_signs_each_document_as_alone() -> None:
    template = {k: v for k, v in MAIL.items() if k != "message"}
    documents = [
        {**template, "message": {**MAIL["message"], "contents": f"note {i}"}} for i in range(40)
    ]
    batch = eth.sign_typed_data_batch(documents, SECRET)
    assert [s.signature for s in batch] == [
        eth.sign_typed_data(doc, SECRET).signature for doc in documents
    ]
    # A document that swaps in a different (equal-looking) domain is read afresh.
    documents[7] = {**documents[7], "domain": {**template["domain"], "chainId": 1.0}}
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, SECRET)
    assert info.value.index == 7


def test_json_text_in_a_batch_signs_as_the_dict(
    corpus: list[tuple[dict[str, Any], bytes]],
) -> None:
    rng = random.Random(SEED + 1)
    documents = [doc for doc, _ in corpus]
    texts = [json_text(doc, rng) for doc in documents]
    expected = [_fields(s) for s in eth.sign_typed_data_batch(documents, SECRET)]
    assert [_fields(s) for s in eth.sign_typed_data_batch(texts, SECRET)] == expected
    raw = [text.encode() for text in texts]
    assert [_fields(s) for s in eth.sign_typed_data_batch(raw, SECRET)] == expected
    pairs = enumerate(zip(documents, texts, strict=True))
    mixed = [(doc, text, text.encode())[i % 3] for i, (doc, text) in pairs]
    assert [_fields(s) for s in eth.sign_typed_data_batch(mixed, SECRET)] == expected
    assert eth.hash_typed_data(raw[0]) == eth.hash_typed_data(documents[0])


@pytest.mark.parametrize("bad", ["{not json", b"{not json", b"\xff{}", "[1, 2]"])
def test_malformed_json_text_in_a_batch_reports_its_index(bad: str | bytes) -> None:
    documents: list[Any] = [MAIL, json.dumps(MAIL), json.dumps(MAIL).encode()] * 4
    documents[7] = bad
    documents[10] = "{also not json"
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, SECRET)
    assert info.value.index == 7
    assert info.value.reason in ("invalid_json", "invalid_typed_data")


def test_equal_fresh_dicts_are_read_as_their_own_values() -> None:
    # Each document is a fresh dict equal to the one before, except where Python's
    # ``1 == True`` would hide a different JSON value: those must be read afresh.
    documents = [copy.deepcopy(MAIL) for _ in range(20)]
    expected = eth.sign_typed_data(MAIL, SECRET).signature
    assert {s.signature for s in eth.sign_typed_data_batch(documents, SECRET)} == {expected}
    documents[5]["domain"]["chainId"] = True
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, SECRET)
    assert info.value.index == 5
    documents[5] = copy.deepcopy(MAIL)
    documents[9]["domain"]["chainId"] = 2
    signed = eth.sign_typed_data_batch(documents, SECRET)
    other = copy.deepcopy(MAIL)
    other["domain"]["chainId"] = 2
    assert signed[9].signature == eth.sign_typed_data(other, SECRET).signature
    assert signed[10].signature == expected


# ---------------------------------------------------------------- long batches
# A batch is read in chunks that the pool signs while the next is read, and JSON text
# messages are encoded straight from the text: the tests below cross chunk boundaries.

DAI = "0x6B175474E89094C44Da98b954EedeAC495271d0F"


def _order(i: int, chain_id: int = 1) -> dict[str, Any]:
    """A fresh order document whose message is all leaves, distinct for each ``i``."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Order": [
                {"name": "maker", "type": "address"},
                {"name": "amount", "type": "uint256"},
                {"name": "expiry", "type": "uint64"},
                {"name": "salt", "type": "bytes32"},
                {"name": "note", "type": "string"},
                {"name": "buy", "type": "bool"},
            ],
        },
        "primaryType": "Order",
        "domain": {"name": "x", "version": "1", "chainId": chain_id, "verifyingContract": DAI},
        "message": {
            "maker": "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F",
            "amount": 10**18 + i,
            "expiry": 1_800_000_000,
            "salt": i.to_bytes(32, "big"),
            "note": f"order {i} é",
            "buy": i % 2 == 0,
        },
    }


def _forms(documents: list[dict[str, Any]], seed: int) -> list[Any]:
    """Each document as a dict, JSON text or UTF-8 bytes, at random."""
    rng = random.Random(seed)
    forms: list[Any] = []
    for doc in documents:
        form = rng.randrange(3)
        text = json_text(doc, rng)
        forms.append((doc, text, text.encode())[form])
    return forms


def test_a_long_mixed_batch_signs_each_document_as_alone() -> None:
    # Schemas and domains change mid-batch; some documents repeat MAIL.
    documents = [
        copy.deepcopy(MAIL) if i % 7 == 0 else _order(i, chain_id=1 + i // 150) for i in range(600)
    ]
    inputs = _forms(documents, SEED + 2)
    expected = [_fields(eth.sign_typed_data(doc, SECRET)) for doc in documents]
    assert [_fields(s) for s in eth.sign_typed_data_batch(inputs, SECRET)] == expected
    rng = random.Random(SEED + 3)
    keys = [random_secret(rng) for _ in documents]
    signed = eth.sign_typed_data_batch(inputs, keys)
    assert [s.signature for s in signed] == [
        eth.sign_typed_data(doc, key).signature for doc, key in zip(documents, keys, strict=True)
    ]
    account = Account.from_key(keys[123])
    assert signed[123].signature == bytes(
        account.sign_typed_data(full_message=documents[123]).signature
    )


def _bad_dict(i: int) -> dict[str, Any]:
    document = _order(i)
    document["message"]["amount"] = -1
    return document


@pytest.mark.parametrize("bad_at", [0, 1, 63, 64, 65, 191, 192, 250, 599])
@pytest.mark.parametrize("form", ["dict", "text", "mixed"])
def test_the_first_bad_document_of_a_long_batch_is_raised(bad_at: int, form: str) -> None:
    documents: list[Any] = [_order(i) for i in range(600)]
    if form != "dict":
        documents = (
            _forms(documents, bad_at)
            if form == "mixed"
            else [json_text(d, random.Random(i)) for i, d in enumerate(documents)]
        )
    # The bad one: a negative uint (found on the pool) as a dict, text that is not JSON.
    documents[bad_at] = _bad_dict(bad_at) if form == "dict" else "{not json"
    # Later bad documents of every kind are not the one raised.
    for later in range(bad_at + 1, 600, 97):
        documents[later] = (_bad_dict(later), {"types": {}}, "[]", 5)[later % 4]
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, SECRET)
    assert info.value.index == bad_at
    assert info.value.reason == ("invalid_typed_data" if form == "dict" else "invalid_json")


@pytest.mark.parametrize("bad_at", [3, 40, 333])
def test_a_bad_key_in_a_long_batch_is_raised_at_its_index(bad_at: int) -> None:
    documents = [_order(i) for i in range(400)]
    keys = [SECRET] * 400
    keys[bad_at] = bytes(32)
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, keys)
    assert (info.value.index, info.value.reason) == (bad_at, "invalid_secret_key")
    # A bad document before it is raised instead.
    documents[bad_at - 1] = _bad_dict(bad_at - 1)
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch(documents, keys)
    assert (info.value.index, info.value.reason) == (bad_at - 1, "invalid_typed_data")


def test_a_bad_broadcast_key_is_raised_without_an_index() -> None:
    with pytest.raises(InvalidInput) as info:
        eth.sign_typed_data_batch([_order(i) for i in range(40)], bytes(32))
    assert (info.value.index, info.value.reason) == (None, "invalid_secret_key")


_MESSAGE = (
    '"maker": "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F", "amount": 5, '
    '"expiry": 7, "salt": "0x' + "11" * 32 + '", "note": "n", "buy": true'
)

#: Messages as text, each as the general path would judge them: read straight from the
#: text, or left to it (floats, repeated or unknown members, nesting, escapes, bad JSON).
ODD_MESSAGES = [
    "{" + _MESSAGE + "}",
    '{"buy": false, "note": "\\u00e9\\n", "salt": "0x' + "22" * 32 + '", "expiry": "0x07",'
    ' "amount": "115792089237316195423570985008687907853269984665640564039457584007913129639935",'
    ' "\\u006daker": "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"}',
    "{" + _MESSAGE.replace('"amount": 5', '"amount": 5.0') + "}",
    "{" + _MESSAGE.replace('"amount": 5', '"amount": 1e3') + "}",
    "{" + _MESSAGE.replace('"amount": 5', f'"amount": {2**70}') + "}",
    "{" + _MESSAGE.replace('"amount": 5', '"amount": -5') + "}",
    "{" + _MESSAGE.replace('"amount": 5', '"amount": null') + "}",
    "{" + _MESSAGE.replace('"amount": 5', '"amount": [5]') + "}",
    "{" + _MESSAGE.replace('"amount": 5', '"amount": "5"') + "}",
    "{" + _MESSAGE.replace('"buy": true', '"buy": 1') + "}",
    "{" + _MESSAGE.replace('"note": "n"', '"note": "\\ud800"') + "}",
    "{" + _MESSAGE.replace('"expiry": 7', f'"expiry": {2**64}') + "}",
    "{" + _MESSAGE + ', "amount": 6}',
    "{" + _MESSAGE + ', "extra": 1.5}',
    "{" + _MESSAGE + ', "extra": 1}',
    "{" + _MESSAGE.replace('"buy": true, ', "").replace(', "buy": true', "") + "}",
    "[" + _MESSAGE + "]",
    "{" + _MESSAGE + "",
    "{" + _MESSAGE + "} x",
    '{"a": ' * 130 + "1" + "}" * 130,
]


@pytest.mark.parametrize("message", ODD_MESSAGES)
def test_a_message_in_json_text_is_judged_as_alone(message: str) -> None:
    document = _order(1)
    head = json.dumps({k: v for k, v in document.items() if k != "message"})
    odd = head[:-1] + ', "message": ' + message + "}"
    fine = json_text(document, random.Random(1))
    batch = [fine] * 20 + [odd] + [fine] * 20
    alone: eth.SignedMessage | InvalidInput
    try:
        alone = eth.sign_typed_data(odd, SECRET)
    except InvalidInput as error:
        alone = error
    if isinstance(alone, InvalidInput):
        with pytest.raises(InvalidInput) as info:
            eth.sign_typed_data_batch(batch, SECRET)
        assert (info.value.index, info.value.reason) == (20, alone.reason)
        assert str(alone) in str(info.value)
    else:
        signed = eth.sign_typed_data_batch(batch, SECRET)
        assert _fields(signed[20]) == _fields(alone)
        assert _fields(signed[21]) == _fields(signed[0])
