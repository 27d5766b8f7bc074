"""Generates tpcore-sign HD and keystore fixtures with eth-account (run in /tmp/hb-venv)."""
# Usage: python3 -m venv /tmp/hb-venv && /tmp/hb-venv/bin/pip install eth-account
#        /tmp/hb-venv/bin/python gen_eth_account_fixtures.py rust/tpcore-sign/tests/data
# Keystores use fresh random salts, IVs and ids, so each run writes different (equally valid) files.
import json, sys, pathlib
from importlib.metadata import version
from eth_account import Account

Account.enable_unaudited_hdwallet_features()
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
gen = {"generator": f"eth-account {version('eth-account')}, eth-keyfile {version('eth-keyfile')}"}

cases = []
for mnemonic, passphrase in [
    ("test test test test test test test test test test test junk", ""),
    ("legal winner thank year wave sausage worth useful legal winner thank yellow", "TREZOR"),
    ("letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter always", "pässwörd ünïcode"),
    ("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote", ""),
]:
    accounts = []
    for i in range(5):
        path = f"m/44'/60'/0'/0/{i}"
        acct = Account.from_mnemonic(mnemonic, passphrase=passphrase, account_path=path)
        accounts.append({"path": path, "private_key": acct.key.hex().removeprefix("0x"), "address": acct.address})
    cases.append({"mnemonic": mnemonic, "passphrase": passphrase, "accounts": accounts})
(out / "eth_account_mnemonic.json").write_text(json.dumps({**gen, "cases": cases}, indent=2, ensure_ascii=False) + "\n")

key = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
fixtures = []
for name, password, kdf, iterations in [
    ("scrypt_n1024", "correct horse battery staple", "scrypt", 1024),
    ("scrypt_n16_unicode_password", "pässwörd ünïcode 🔑", "scrypt", 16),
    ("pbkdf2_c1000", "correct horse battery staple", "pbkdf2", 1000),
    ("pbkdf2_c1_empty_password", "", "pbkdf2", 1),
    ("scrypt_eth_account_default", "correct horse battery staple", "scrypt", None),
]:
    ks = Account.encrypt(key, password, kdf=kdf, iterations=iterations)
    assert Account.decrypt(ks, password) == key
    fixtures.append({"name": name, "password": password, "private_key": key.hex(),
                     "address": Account.from_key(key).address, "keystore": ks})
(out / "eth_account_keystores.json").write_text(json.dumps({**gen, "keystores": fixtures}, indent=2, ensure_ascii=False) + "\n")
print("ok")
