"""Generates tx_eth_account.json: transactions signed by eth-account, for tests/tx_fixtures.rs.

Run from a scratch virtualenv outside the repository:

    python3 -m venv /tmp/eth-venv && /tmp/eth-venv/bin/pip install eth-account
    /tmp/eth-venv/bin/python gen_tx_fixtures.py > tx_eth_account.json

The output is deterministic for a given eth-account version (seeded RNG; RFC 6979 nonces).
Every quantity is a 0x-prefixed hex string so that values above 2**64 survive JSON.
"""

import json
import random
import sys

import eth_account
from eth_account import Account
from eth_utils import to_checksum_address

SEED = 20240611
COUNT = 320
MAX_CHAIN_ID = 2**63 - 1 - 36  # floor(MAX_UINT64 / 2) - 36 (EIP-2294)

rng = random.Random(SEED)


def rand_key():
    while True:
        k = rng.getrandbits(256)
        if 0 < k < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141:
            return "0x" + k.to_bytes(32, "big").hex()


def rand_address():
    return to_checksum_address(rng.getrandbits(160).to_bytes(20, "big"))


def rand_quantity(bits):
    """Small, medium or full-width values, with the edges 0 and 2**bits - 1."""
    pick = rng.random()
    if pick < 0.1:
        return 0
    if pick < 0.15:
        return 2**bits - 1
    if pick < 0.5:
        return rng.getrandbits(min(bits, 40))
    return rng.getrandbits(rng.randint(1, bits))


def rand_data():
    pick = rng.random()
    if pick < 0.3:
        return "0x"
    size = rng.choice([1, 4, 36, 68, 132])
    return "0x" + bytes(rng.getrandbits(8) for _ in range(size)).hex()


def rand_chain_id():
    return rng.choice([0, 1, 5, 10, 56, 137, 1337, 8453, 42161, 11155111, 2**32, MAX_CHAIN_ID])


def rand_access_list():
    return [
        {
            "address": rand_address(),
            "storageKeys": [
                "0x" + rng.getrandbits(256).to_bytes(32, "big").hex()
                for _ in range(rng.randint(0, 3))
            ],
        }
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    ]


def hexq(value):
    return hex(value)


def make(i):
    tx_type = [0, 1, 2, 4][i % 4]
    key = rand_key()
    tx = {
        "nonce": rand_quantity(64),
        "gas": rand_quantity(64),
        "value": rand_quantity(256),
        "data": rand_data(),
    }
    create = tx_type != 4 and rng.random() < 0.2
    if not create:
        tx["to"] = rand_address()
    auth_keys = []
    if tx_type == 0:
        tx["gasPrice"] = rand_quantity(128)
        if rng.random() < 0.8:  # the rest are pre-EIP-155
            tx["chainId"] = rand_chain_id()
    else:
        tx["chainId"] = rand_chain_id()
        if tx_type == 1:
            tx["gasPrice"] = rand_quantity(128)
            tx["accessList"] = rand_access_list()
        else:
            max_fee = rand_quantity(128)
            tx["maxFeePerGas"] = max_fee
            tx["maxPriorityFeePerGas"] = rng.randint(0, max_fee)
            if rng.random() < 0.7:
                tx["accessList"] = rand_access_list()
        if tx_type == 4:
            auths = []
            for _ in range(rng.randint(1, 3)):
                auth_key = rand_key()
                auth_keys.append(auth_key)
                auth = {
                    "chainId": rng.choice([0, tx["chainId"], rng.getrandbits(256)]),
                    "address": rand_address(),
                    "nonce": rand_quantity(64),
                }
                auths.append(Account.sign_authorization(auth, auth_key))
            tx["authorizationList"] = auths
        if rng.random() < 0.5:  # half with an explicit type, half inferred
            tx["type"] = tx_type
    signed = Account.sign_transaction(dict(tx), key)
    sender = Account.from_key(key).address
    assert Account.recover_transaction(signed.raw_transaction) == sender
    out = {"type": tx_type, "explicitType": "type" in tx}
    for name in ("nonce", "gas", "value", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "chainId"):
        if name in tx:
            out[name] = hexq(tx[name])
    for name in ("to", "data", "accessList"):
        if name in tx:
            out[name] = tx[name]
    if "authorizationList" in tx:
        out["authorizationList"] = [
            {
                "chainId": hexq(a.chain_id),
                "address": to_checksum_address(a.address),
                "nonce": hexq(a.nonce),
                "yParity": hexq(a.y_parity),
                "r": hexq(a.r),
                "s": hexq(a.s),
                "authority": to_checksum_address(a.authority),
            }
            for a in tx["authorizationList"]
        ]
        out["authorizationKeys"] = auth_keys
    return {
        "key": key,
        "sender": sender,
        "tx": out,
        "raw": "0x" + bytes(signed.raw_transaction).hex(),
        "hash": "0x" + bytes(signed.hash).hex(),
        "r": hexq(signed.r),
        "s": hexq(signed.s),
        "v": hexq(signed.v),
    }


def main():
    cases = [make(i) for i in range(COUNT)]
    doc = {
        "generator": "gen_tx_fixtures.py",
        "eth_account": eth_account.__version__ if hasattr(eth_account, "__version__") else "",
        "seed": SEED,
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
