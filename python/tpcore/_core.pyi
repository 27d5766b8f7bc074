"""Type stubs of the ``tpcore._core`` extension module (checked by mypy.stubtest)."""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NoReturn, TypeAlias, final, overload

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Ed25519PrivateKey",
    "PrivateKey",
    "SignedMessage",
    "SignedTransaction",
    "__version__",
    "abi_decode",
    "abi_encode",
    "addresses",
    "decode_log",
    "decode_revert",
    "decode_transaction",
    "derive",
    "derive_private_key",
    "ecdsa_recover",
    "ecdsa_recover_address",
    "ecdsa_sign",
    "ecdsa_verify",
    "ecdsa_verify_der",
    "ed25519_sign",
    "ed25519_verify",
    "ed25519_verify_all",
    "encode_function_call",
    "function_selector",
    "generate_mnemonic",
    "get_num_threads",
    "hash_typed_data",
    "keccak256",
    "keystore_decrypt",
    "keystore_encrypt",
    "mnemonic_to_seed",
    "next_base_fee",
    "parse_address",
    "public_keys",
    "recover_message",
    "recover_sender",
    "set_num_threads",
    "sign_message",
    "sign_messages",
    "sign_transaction",
    "sign_transactions",
    "sign_typed_data",
    "sign_typed_data_batch",
    "suggest_fees",
    "to_checksum_address",
]

__version__: str

_ByteRows: TypeAlias = NDArray[np.uint8]
_Messages: TypeAlias = NDArray[np.uint8] | Sequence[bytes]

def set_num_threads(threads: int) -> None:
    """Sets the number of threads batch calls use from now on."""

def get_num_threads() -> int:
    """Returns the number of threads batch calls use."""

# secp256k1 ECDSA
def ecdsa_sign(secret_keys: _ByteRows, hashes: _ByteRows) -> _ByteRows: ...
@overload
def ecdsa_recover(
    hashes: _ByteRows, signatures: _ByteRows, *, mask: Literal[False] = False
) -> _ByteRows: ...
@overload
def ecdsa_recover(
    hashes: _ByteRows, signatures: _ByteRows, *, mask: Literal[True]
) -> tuple[_ByteRows, NDArray[np.bool_]]: ...
@overload
def ecdsa_recover_address(
    hashes: _ByteRows, signatures: _ByteRows, *, mask: Literal[False] = False
) -> _ByteRows: ...
@overload
def ecdsa_recover_address(
    hashes: _ByteRows, signatures: _ByteRows, *, mask: Literal[True]
) -> tuple[_ByteRows, NDArray[np.bool_]]: ...
def ecdsa_verify(
    public_keys: _ByteRows, hashes: _ByteRows, signatures: _ByteRows, *, strict: bool = True
) -> NDArray[np.bool_]: ...
def ecdsa_verify_der(
    public_key: bytes, msg_hash: bytes, der_signature: bytes, *, strict: bool = True
) -> bool: ...
def public_keys(secret_keys: _ByteRows) -> _ByteRows: ...
def addresses(public_keys: _ByteRows) -> _ByteRows: ...
def to_checksum_address(address: bytes) -> str: ...

# keccak and Ed25519
def keccak256(messages: _Messages) -> _ByteRows: ...
def ed25519_sign(seeds: _ByteRows, messages: _Messages) -> _ByteRows: ...
def ed25519_verify(
    public_keys: _ByteRows, messages: _Messages, signatures: _ByteRows
) -> NDArray[np.bool_]: ...
def ed25519_verify_all(
    public_keys: _ByteRows, messages: _Messages, signatures: _ByteRows
) -> bool: ...

# HD wallets
def mnemonic_to_seed(mnemonic: str, passphrase: str = "") -> bytes: ...
def generate_mnemonic(words: int = 24) -> str: ...
def derive_private_key(seed: bytes, path: str) -> PrivateKey: ...
def derive(
    seed: bytes, path_prefix: str, start: int, count: int, *, hardened: bool = False
) -> _ByteRows: ...

# keystores
def keystore_encrypt(
    key: PrivateKey, password: bytes, *, kdf: str = "scrypt", iterations: int | None = None
) -> str: ...
def keystore_decrypt(keystore_json: str, password: bytes) -> PrivateKey: ...

@final
class PrivateKey:
    """A secp256k1 private key. The secret is zeroized when dropped and never shown."""

    @staticmethod
    def generate() -> PrivateKey: ...
    @staticmethod
    def from_bytes(secret: bytes) -> PrivateKey: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def address(self) -> bytes: ...
    @property
    def checksum_address(self) -> str: ...
    def sign_hash(self, msg_hash: bytes) -> bytes: ...
    def secret_bytes(self) -> bytes: ...
    def __reduce__(self) -> NoReturn: ...

@final
class Ed25519PrivateKey:
    """An Ed25519 private key. The seed is zeroized when dropped and never shown."""

    @staticmethod
    def generate() -> Ed25519PrivateKey: ...
    @staticmethod
    def from_seed(seed: bytes) -> Ed25519PrivateKey: ...
    @property
    def public_key(self) -> bytes: ...
    def sign(self, message: bytes) -> bytes: ...
    def seed_bytes(self) -> bytes: ...
    def __reduce__(self) -> NoReturn: ...

# Ethereum transactions
_TxDict: TypeAlias = Mapping[str, Any]
_Keys: TypeAlias = PrivateKey | bytes | Sequence[PrivateKey | bytes] | NDArray[np.uint8]

def sign_transaction(transaction: _TxDict, key: PrivateKey | bytes) -> SignedTransaction: ...
def sign_transactions(transactions: Sequence[_TxDict], keys: _Keys) -> list[SignedTransaction]: ...
def decode_transaction(raw: bytes) -> dict[str, Any]: ...
def recover_sender(raw: bytes) -> str: ...

@final
class SignedTransaction:
    """A signed transaction with eth-account's field names."""

    @property
    def raw_transaction(self) -> bytes: ...
    @property
    def hash(self) -> bytes: ...
    @property
    def r(self) -> int: ...
    @property
    def s(self) -> int: ...
    @property
    def v(self) -> int: ...

# Ethereum messages and typed data
_Message: TypeAlias = bytes | str
_Json: TypeAlias = Mapping[str, Any] | str

def sign_message(message: _Message, key: PrivateKey | bytes) -> SignedMessage: ...
def sign_messages(messages: Sequence[_Message], keys: _Keys) -> list[SignedMessage]: ...
def recover_message(message: _Message, signature: bytes) -> str: ...
def hash_typed_data(typed_data: _Json) -> bytes: ...
def sign_typed_data(typed_data: _Json, key: PrivateKey | bytes) -> SignedMessage: ...
def sign_typed_data_batch(documents: Sequence[_Json], keys: _Keys) -> list[SignedMessage]: ...

@final
class SignedMessage:
    """A signed message or typed-data document with eth-account's field names."""

    @property
    def message_hash(self) -> bytes: ...
    @property
    def r(self) -> int: ...
    @property
    def s(self) -> int: ...
    @property
    def v(self) -> int: ...
    @property
    def signature(self) -> bytes: ...

# ABI, reverts, logs
def abi_encode(types: Sequence[str], values: Sequence[Any]) -> bytes: ...
def abi_decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]: ...
def function_selector(signature: str) -> bytes: ...
def encode_function_call(signature: str, values: Sequence[Any]) -> bytes: ...
def decode_revert(
    data: bytes, custom_errors: Sequence[Mapping[str, Any]] | str | None = None
) -> dict[str, Any]: ...
def decode_log(event_abi: _Json, topics: Sequence[bytes | str], data: bytes) -> dict[str, Any]: ...

# fees and addresses
def next_base_fee(parent: Mapping[str, int | str]) -> int: ...
def suggest_fees(
    fee_history: Mapping[str, Any], *, headroom_percent: int = 200
) -> dict[str, dict[str, int]]: ...
def parse_address(text: str) -> bytes: ...
