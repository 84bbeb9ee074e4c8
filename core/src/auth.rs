//! Secrets: staff passwords, session and API tokens, and the merchant's signed customer ids.

use crate::error::{Error, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// A password for a first-run owner: 20 alphanumerics, about 119 bits.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

/// `bytes` random bytes as lower-case hex: tokens, keys and secrets.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Bearer tokens and session ids are stored only as this digest, so a leaked
/// database does not hand out live credentials.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

type HmacSha256 = Hmac<Sha256>;

/// The signature a merchant's backend computes for a key customer:
/// hex HMAC-SHA256(site secret, `id|tier`).
pub fn customer_signature(secret: &str, id: &str, tier: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b"|");
    mac.update(tier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a customer signature in constant time.
pub fn verify_customer_signature(secret: &str, id: &str, tier: &str, signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b"|");
    mac.update(tier.as_bytes());
    mac.verify_slice(&signature).is_ok()
}

/// The admin UI's session cookie.
pub const SESSION_COOKIE: &str = "hark_session";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_rejects_a_wrong_password() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn customer_signature_is_bound_to_id_tier_and_secret() {
        let sig = customer_signature("s3cret", "c_123", "key");
        assert!(verify_customer_signature("s3cret", "c_123", "key", &sig));
        assert!(!verify_customer_signature("s3cret", "c_123", "vip", &sig));
        assert!(!verify_customer_signature("other", "c_123", "key", &sig));
        assert!(!verify_customer_signature("s3cret", "c_123", "key", "zz"));
    }
}
