"""``tpcore.eth`` transactions: known answers and the documented contract.

Known answers come from EIP-155's worked example and from the examples in eth-account's own
docstrings (``Account.sign_transaction`` and ``Account.sign_authorization``), which pin the
hash, r, s and v. The rest pins down the dict dialect: every accepted form of ``to``, of
quantities and of the key, type inference, ``from`` and the ``SignedTransaction`` object.
The bulk differential against eth-account is in ``test_tx_differential.py``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

import tpcore
from tpcore import eth, sign

# --- EIP-155's example ------------------------------------------------------------------

EIP155_SECRET = bytes.fromhex("46" * 32)
EIP155_TX = {
    "nonce": 9,
    "gasPrice": 20 * 10**9,
    "gas": 21000,
    "to": "0x3535353535353535353535353535353535353535",
    "value": 10**18,
    "chainId": 1,
}
EIP155_RAW = bytes.fromhex(
    "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
    "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f"
    "761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
)
EIP155_HASH = bytes.fromhex("33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788")
EIP155_R = 18515461264373351373200002665853028612451056578545711640558177340181847433846
EIP155_S = 46948507304638947509940763649030358759909902576025900602547168820602576006531
EIP155_SENDER = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"


def test_eip155_example() -> None:
    key = sign.PrivateKey.from_bytes(EIP155_SECRET)
    signed = eth.sign_transaction(EIP155_TX, key)
    assert signed.raw_transaction == EIP155_RAW
    assert signed.hash == EIP155_HASH
    assert (signed.v, signed.r, signed.s) == (37, EIP155_R, EIP155_S)
    assert key.checksum_address == EIP155_SENDER
    assert eth.recover_sender(EIP155_RAW) == EIP155_SENDER


def test_eip155_example_decodes() -> None:
    assert eth.decode_transaction(EIP155_RAW) == {
        "type": 0,
        "chainId": 1,
        "nonce": 9,
        "gas": 21000,
        "gasPrice": 20 * 10**9,
        "to": "0x3535353535353535353535353535353535353535",
        "value": 10**18,
        "data": b"",
        "v": 37,
        "r": EIP155_R,
        "s": EIP155_S,
        "hash": EIP155_HASH,
        "from": EIP155_SENDER,
    }


# --- eth-account's docstring examples ---------------------------------------------------

DOC_SECRET = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
_DOC_ACCESS_LIST = (
    {
        "address": "0x0000000000000000000000000000000000000001",
        "storageKeys": ("0x0100000000000000000000000000000000000000000000000000000000000000",),
    },
)

#: ``(transaction, raw prefix, raw suffix, hash, r, s, v)`` from ``Account.sign_transaction``'s
#: docstring in eth-account 0.14 (it abbreviates the raw transaction with "...").
DOC_EXAMPLES: dict[str, tuple[dict[str, Any], str, str, str, int, int, int]] = {
    "dynamic_fee": (
        {
            "type": 2,
            "gas": 100000,
            "maxFeePerGas": 2000000000,
            "maxPriorityFeePerGas": 2000000000,
            "data": "0x616263646566",
            "nonce": 34,
            "to": "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609",
            "value": "0x5af3107a4000",
            "accessList": _DOC_ACCESS_LIST,
            "chainId": 1337,
        },
        "02f8b28205392284773594008477359400830186a09409616c3d61b3331fc4109a9e41a8bdb7d9776609865af3107",
        "d58b85d5",
        "2721b2ac99d878695e410af9e8968859b6f6e94f544840be0eb2935bead7deba",
        48949965662841329840326477994465373664672499148507933176648302825256944281697,
        1123041608316060268133200864147951676126406077675157976022772782796802590165,
        1,
    ),
    "legacy": (
        {
            "to": "0xF0109fC8DF283027b6285cc889F5aA624EaC1F55",
            "value": 1000000000,
            "gas": 2000000,
            "gasPrice": 234567897654321,
            "nonce": 0,
            "chainId": 1337,
        },
        "f86c8086d55698372431831e848094f0109fc8df283027b6285cc889f5aa624eac1f55843b9aca0080820a95a01a7",
        "c0bfdb52",
        "d0a3e5dc7439f260c64cb0220139ec5dc7e016f82ce272a25a0f0b38fe751673",
        11971260903864915610009019893820767192081275151191539081612245320300335068143,
        35365272040292958794699923036506252105590820339897221552886630515981233937234,
        2709,
    ),
    "access_list": (
        {
            "type": 1,
            "gas": 100000,
            "gasPrice": 1000000000,
            "data": "0x616263646566",
            "nonce": 34,
            "to": "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609",
            "value": "0x5af3107a4000",
            "accessList": _DOC_ACCESS_LIST,
            "chainId": 1337,
        },
        "01f8ad82053922843b9aca00830186a09409616c3d61b3331fc4109a9e41a8bdb7d9776609865af3107a400086616",
        "2b5043ea",
        "ca9af2ef41691e06eb07e02125938fd9bb5a311e8daf330b264e77d6cdf3d17e",
        107355854401379915513092408112372039746594668141865279802319959599514133709188,
        6729502936685237038651223791038758905953302464070244934323623239104475448298,
        1,
    ),
}


@pytest.mark.parametrize("name", sorted(DOC_EXAMPLES))
def test_eth_account_docstring_examples(name: str) -> None:
    tx, prefix, suffix, tx_hash, r, s, v = DOC_EXAMPLES[name]
    signed = eth.sign_transaction(tx, DOC_SECRET)
    assert signed.raw_transaction.hex().startswith(prefix)
    assert signed.raw_transaction.hex().endswith(suffix)
    assert signed.hash.hex() == tx_hash
    assert (signed.r, signed.s, signed.v) == (r, s, v)
    assert eth.recover_sender(signed.raw_transaction) == Account.from_key(DOC_SECRET).address


#: ``Account.sign_authorization``'s docstring example: the authorization key, the
#: authorization it signs and the transaction that carries it.
AUTH_SECRET = bytes.fromhex("aa" * 32)
DOC_AUTHORIZATION = {
    "chainId": 1337,
    "address": "0x5ce9454909639d2d17a3f753ce7d93fa0b9ab12e",
    "nonce": 1,
    "yParity": 0,
    "r": 52163433520757118830640642673035732532535423029712132518776649895118143897479,
    "s": 57576671166887700066365341925867052133948674355067837907255957076179513983345,
}
DOC_SET_CODE_TX = {
    "gas": 100000,
    "maxFeePerGas": 2000000000,
    "maxPriorityFeePerGas": 2000000000,
    "data": "0x252dba42",
    "nonce": 0,
    "to": "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609",
    "value": 0,
    "accessList": (),
    "authorizationList": [DOC_AUTHORIZATION],
    "chainId": 1337,
}


def test_eth_account_authorization_docstring_example() -> None:
    """The docstring's authorization, carried by its set-code transaction, as eth-account."""
    signed_auth = Account.sign_authorization(
        {key: DOC_AUTHORIZATION[key] for key in ("chainId", "address", "nonce")}, AUTH_SECRET
    )
    assert (signed_auth.y_parity, signed_auth.r, signed_auth.s) == (
        DOC_AUTHORIZATION["yParity"],
        DOC_AUTHORIZATION["r"],
        DOC_AUTHORIZATION["s"],
    )
    ours = eth.sign_transaction(DOC_SET_CODE_TX, AUTH_SECRET)
    theirs = Account.sign_transaction(
        {**DOC_SET_CODE_TX, "authorizationList": [signed_auth]}, AUTH_SECRET
    )
    assert ours.raw_transaction == bytes(theirs.raw_transaction)
    assert ours.raw_transaction[0] == 4
    assert (ours.hash, ours.r, ours.s, ours.v) == (bytes(theirs.hash), theirs.r, theirs.s, theirs.v)
    decoded = eth.decode_transaction(ours.raw_transaction)
    assert decoded["type"] == 4
    assert decoded["authorizationList"] == [
        {**DOC_AUTHORIZATION, "address": "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E"}
    ]


# --- the SignedTransaction object and the module ------------------------------------------


def test_module_exports() -> None:
    assert {
        "SignedTransaction",
        "decode_transaction",
        "recover_sender",
        "sign_transaction",
        "sign_transactions",
    } <= set(eth.__all__)
    assert all(hasattr(eth, name) for name in eth.__all__)
    assert eth.sign_transaction is tpcore._core.sign_transaction
    assert isinstance(eth.sign_transaction(EIP155_TX, EIP155_SECRET), eth.SignedTransaction)


def test_signed_transaction_fields_and_repr() -> None:
    signed = eth.sign_transaction(EIP155_TX, EIP155_SECRET)
    assert type(signed.raw_transaction) is bytes
    assert type(signed.hash) is bytes
    assert type(signed.r) is int
    assert type(signed.s) is int
    assert type(signed.v) is int
    assert signed.hash == keccak(signed.raw_transaction)
    assert repr(signed) == f"SignedTransaction(hash=0x{EIP155_HASH.hex()}, v=37)"
    assert EIP155_SECRET.hex() not in repr(signed)


def test_signed_transaction_is_frozen() -> None:
    signed = eth.sign_transaction(EIP155_TX, EIP155_SECRET)
    with pytest.raises(AttributeError):
        signed.v = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        eth.SignedTransaction()  # type: ignore[call-arg]


# --- the dict dialect ----------------------------------------------------------------------

#: A dynamic-fee transaction the forms below are varied around.
BASE: dict[str, Any] = {
    "type": 2,
    "chainId": 5,
    "nonce": 7,
    "gas": 50_000,
    "maxFeePerGas": 3 * 10**10,
    "maxPriorityFeePerGas": 10**9,
    "to": "0x09616C3d61b3331fc4109a9E41a8BDB7d9776609",
    "value": 0xABCDEF,
    "data": b"\x01\x02\x03",
}


def _raw(tx: dict[str, Any], key: object = EIP155_SECRET) -> bytes:
    return eth.sign_transaction(tx, key).raw_transaction  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "forms"),
    [
        (
            "to",
            [
                "0x09616c3d61b3331fc4109a9e41a8bdb7d9776609",
                "0x09616C3D61B3331FC4109A9E41A8BDB7D9776609",
                "0X09616C3d61b3331fc4109a9E41a8BDB7d9776609",
                bytes.fromhex("09616c3d61b3331fc4109a9e41a8bdb7d9776609"),
            ],
        ),
        ("nonce", ["0x7", "0X7", "0x0007", 7]),
        ("value", ["0xabcdef", "0xABCDEF", "0XaBcDeF", "0x" + "0" * 70 + "abcdef"]),
        ("maxFeePerGas", [hex(3 * 10**10), "0X6FC23AC00"]),
        ("chainId", ["0x5"]),
        ("type", ["0x2", "0x02"]),
        ("data", ["0x010203", "0X010203", b"\x01\x02\x03"]),
    ],
)
def test_equivalent_forms_sign_the_same(field: str, forms: list[object]) -> None:
    expected = _raw(BASE)
    for form in forms:
        assert _raw({**BASE, field: form}) == expected, form


@pytest.mark.parametrize("tx_type", [0, 1, 2])
def test_contract_creation_forms(tx_type: int) -> None:
    """A missing, None, empty-string or empty-bytes ``to`` all create a contract."""
    tx: dict[str, Any] = {"nonce": 1, "gas": 100_000, "value": 5, "data": b"\x60\x00"}
    if tx_type == 2:
        tx |= {"maxFeePerGas": 10, "maxPriorityFeePerGas": 1, "chainId": 1}
    else:
        tx |= {"gasPrice": 10, "chainId": 1}
    if tx_type == 1:
        tx["accessList"] = []
    expected = _raw(tx)
    for to in (None, "", b""):
        assert _raw({**tx, "to": to}) == expected
    assert expected == bytes(Account.sign_transaction(tx, EIP155_SECRET).raw_transaction)
    decoded = eth.decode_transaction(expected)
    assert decoded["type"] == tx_type
    assert "to" not in decoded


@pytest.mark.parametrize(
    ("tx", "tx_type"),
    [
        ({"gasPrice": 1}, 0),
        ({"gasPrice": 1, "chainId": 3}, 0),
        ({"gasPrice": 1, "chainId": 3, "accessList": []}, 1),
        ({"maxFeePerGas": 2, "maxPriorityFeePerGas": 1, "chainId": 3}, 2),
        (
            {
                "maxFeePerGas": 2,
                "maxPriorityFeePerGas": 1,
                "chainId": 3,
                "authorizationList": [DOC_AUTHORIZATION],
            },
            4,
        ),
    ],
)
def test_type_inference(tx: dict[str, Any], tx_type: int) -> None:
    """With no ``type`` the type is inferred as eth-account infers it."""
    tx = {"nonce": 0, "gas": 21000, "to": BASE["to"], **tx}
    inferred = _raw(tx)
    assert _raw({**tx, "type": tx_type}) == inferred
    assert eth.decode_transaction(inferred)["type"] == tx_type
    assert (inferred[0] == tx_type) if tx_type else (inferred[0] >= 0xC0)
    assert inferred == bytes(Account.sign_transaction(tx, EIP155_SECRET).raw_transaction)


def test_key_forms_sign_the_same() -> None:
    key = sign.PrivateKey.from_bytes(EIP155_SECRET)
    assert _raw(EIP155_TX, key) == _raw(EIP155_TX, EIP155_SECRET) == EIP155_RAW


@pytest.mark.parametrize(
    "sender",
    [
        EIP155_SENDER,
        EIP155_SENDER.lower(),
        bytes.fromhex(EIP155_SENDER[2:]),
        None,
    ],
)
def test_from_matching_the_key_is_accepted(sender: object) -> None:
    assert _raw({**EIP155_TX, "from": sender}) == EIP155_RAW


def test_sequences_other_than_lists_are_accepted() -> None:
    """eth-account's own examples write access lists and storage keys as tuples."""
    tx = {**BASE, "accessList": _DOC_ACCESS_LIST}
    as_lists = {
        **BASE,
        "accessList": [
            {"address": item["address"], "storageKeys": list(item["storageKeys"])}
            for item in _DOC_ACCESS_LIST
        ],
    }
    assert _raw(tx) == _raw(as_lists)
    assert [_raw(t) for t in (tx, as_lists)] == [
        s.raw_transaction for s in eth.sign_transactions((tx, as_lists), EIP155_SECRET)
    ]


def test_signing_does_not_mutate_the_dict() -> None:
    tx = {**DOC_SET_CODE_TX, "from": Account.from_key(AUTH_SECRET).address}
    before = copy.deepcopy(tx)
    eth.sign_transaction(tx, AUTH_SECRET)
    eth.sign_transactions([tx, tx], AUTH_SECRET)
    assert tx == before


def test_largest_legacy_chain_id() -> None:
    """EIP-2294's cap: v = 35 + 2 * chainId + parity still fits in 64 bits."""
    chain_id = (2**64 - 1) // 2 - 36
    tx = {**EIP155_TX, "chainId": chain_id}
    signed = eth.sign_transaction(tx, EIP155_SECRET)
    theirs = Account.sign_transaction(tx, EIP155_SECRET)
    assert signed.raw_transaction == bytes(theirs.raw_transaction)
    assert signed.v == theirs.v
    assert signed.v - 35 - 2 * chain_id in (0, 1)
    assert signed.v in (2**64 - 39, 2**64 - 38)
    decoded = eth.decode_transaction(signed.raw_transaction)
    assert (decoded["chainId"], decoded["v"], decoded["from"]) == (
        chain_id,
        signed.v,
        EIP155_SENDER,
    )


def test_legacy_without_chain_id_has_v_27_or_28() -> None:
    tx = {key: value for key, value in EIP155_TX.items() if key != "chainId"}
    signed = eth.sign_transaction(tx, EIP155_SECRET)
    assert signed.v in (27, 28)
    assert signed.raw_transaction == bytes(
        Account.sign_transaction(tx, EIP155_SECRET).raw_transaction
    )
    decoded = eth.decode_transaction(signed.raw_transaction)
    assert "chainId" not in decoded
    assert decoded["type"] == 0
    assert decoded["v"] == signed.v
