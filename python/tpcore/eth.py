"""Ethereum in the dialect of eth-account and eth-abi: transactions, messages, ABI, fees.

Transactions are the dicts web3.py and eth-account use (``nonce``, ``gas``, ``gasPrice`` or
``maxFeePerGas``/``maxPriorityFeePerGas``, ``to``, ``value``, ``data``, ``chainId``,
``accessList``, ``authorizationList``, ``type``; ints or ``0x`` hex strings), and the result
has eth-account's names (``raw_transaction``, ``hash``, ``r``, ``s``, ``v``). Legacy (with or
without EIP-155), EIP-2930, EIP-1559 and EIP-7702 transactions are supported; the encoding is
alloy's and byte-identical to eth-account's.

Example:
    >>> from tpcore import eth, sign
    >>> key = sign.PrivateKey.from_bytes(bytes.fromhex("46" * 32))
    >>> tx = {"nonce": 9, "gasPrice": 20 * 10**9, "gas": 21000, "chainId": 1,
    ...       "to": "0x3535353535353535353535353535353535353535", "value": 10**18}
    >>> signed = eth.sign_transaction(tx, key)
    >>> signed.hash.hex()
    '33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788'
    >>> eth.recover_sender(signed.raw_transaction) == key.checksum_address
    True
    >>> eth.function_selector("transfer(address,uint256)").hex()
    'a9059cbb'
    >>> eth.decode_revert(eth.encode_function_call("Error(string)", ["too late"]))
    {'kind': 'error', 'message': 'too late'}

Messages are EIP-191 ``personal_sign`` (``sign_message``) and EIP-712 typed data
(``sign_typed_data``, the ``eth_signTypedData_v4`` dict or its JSON text as str or UTF-8
bytes; ``sign_typed_data_batch`` parses text in parallel without the GIL); signatures carry
v = 27/28 as eth-account gives them. ABI values decode as eth-abi returns them (lowercase
address strings, tuples for arrays). Every batch form signs in parallel with the GIL released and
reports the first bad element's ``index``.
"""

from __future__ import annotations

from tpcore._core import (
    SignedMessage,
    SignedTransaction,
    abi_decode,
    abi_encode,
    decode_log,
    decode_revert,
    decode_transaction,
    encode_function_call,
    function_selector,
    hash_typed_data,
    next_base_fee,
    parse_address,
    recover_message,
    recover_sender,
    sign_message,
    sign_messages,
    sign_transaction,
    sign_transactions,
    sign_typed_data,
    sign_typed_data_batch,
    suggest_fees,
)
from tpcore._core import to_checksum_address as _checksum_of_bytes
from tpcore.errors import InvalidInput

__all__ = [
    "SignedMessage",
    "SignedTransaction",
    "abi_decode",
    "abi_encode",
    "decode_log",
    "decode_revert",
    "decode_transaction",
    "encode_function_call",
    "function_selector",
    "hash_typed_data",
    "next_base_fee",
    "parse_address",
    "recover_message",
    "recover_sender",
    "sign_message",
    "sign_messages",
    "sign_transaction",
    "sign_transactions",
    "sign_typed_data",
    "sign_typed_data_batch",
    "suggest_fees",
    "to_checksum_address",
]


def to_checksum_address(address: str | bytes | bytearray) -> str:
    """Returns the EIP-55 checksummed form of an address given as 20 bytes or hex text.

    Text in any case is accepted, as eth-utils does; use :func:`parse_address` to reject a
    mixed-case address whose checksum is wrong.
    """
    if isinstance(address, bytes | bytearray | memoryview):
        return _checksum_of_bytes(bytes(address))
    if not isinstance(address, str):
        kind = type(address).__name__
        raise InvalidInput(f"address: expected 20 bytes or hex text, got {kind}", "invalid_address")
    digits = address[2:] if address[:2] in ("0x", "0X") else address
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raw = b""
    if len(raw) != 20 or len(digits) != 40:
        raise InvalidInput(f"address: {address!r} is not 20 bytes of hex", "invalid_address")
    return _checksum_of_bytes(raw)
