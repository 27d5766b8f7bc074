"""Ethereum in eth-account's dialect: transactions today; messages, EIP-712 and ABI next.

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
"""

from __future__ import annotations

from tpcore._core import (
    SignedTransaction,
    decode_transaction,
    recover_sender,
    sign_transaction,
    sign_transactions,
)

__all__ = [
    "SignedTransaction",
    "decode_transaction",
    "recover_sender",
    "sign_transaction",
    "sign_transactions",
]
