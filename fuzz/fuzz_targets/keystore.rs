//! v3 keystores from arbitrary JSON: `decrypt` never panics, and every KDF setting it
//! would run stays within `bounds`. The KDF only runs here for cheap settings (so the
//! fuzzer stays fast); dearer ones that pass the checks are asserted to be within the
//! bounds instead.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tpcore_sign::keystore::bounds::{
    MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_N, MAX_SCRYPT_P, MAX_SCRYPT_R,
    MAX_SCRYPT_WORK,
};
use tpcore_sign::keystore::{Kdf, Keystore, decrypt};

/// The most KDF work (scrypt n*r*p, PBKDF2 iterations) the harness lets run.
const CHEAP: u64 = 1 << 12;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(keystore) = Keystore::parse(json) else {
        assert!(decrypt(json, b"pw").is_err());
        return;
    };
    let params = keystore.crypto.as_ref().and_then(|c| c.kdfparams.as_ref());
    let kdf = keystore.crypto.as_ref().and_then(|c| c.kdf.as_deref());
    let work = match (kdf, params) {
        (Some("scrypt"), Some(p)) => {
            let (n, r, pp) = (p.n.unwrap_or(2), p.r.unwrap_or(1), p.p.unwrap_or(1));
            let narrow = |v: u64| u32::try_from(v).ok();
            if let (Some(n32), Some(r32), Some(p32)) = (narrow(n), narrow(r), narrow(pp))
                && (Kdf::Scrypt {
                    n: n32,
                    r: r32,
                    p: p32,
                })
                .check()
                .is_ok()
            {
                assert!(n <= MAX_SCRYPT_N && r <= MAX_SCRYPT_R && pp <= MAX_SCRYPT_P);
                assert!(128 * n * r <= MAX_SCRYPT_MEMORY && n * r * pp <= MAX_SCRYPT_WORK);
            }
            n.saturating_mul(r).saturating_mul(pp)
        }
        (Some("pbkdf2"), Some(p)) => {
            let c = p.c.unwrap_or(1);
            if let Ok(c32) = u32::try_from(c)
                && (Kdf::Pbkdf2 { iterations: c32 }).check().is_ok()
            {
                assert!(c <= MAX_PBKDF2_ITERATIONS);
            }
            c
        }
        _ => 0,
    };
    if work <= CHEAP {
        let _ = decrypt(json, b"pw");
    }
});
