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

/// Argon2 is slow by design (tens of milliseconds of CPU and 19 MiB each). Checks run
/// on blocking threads, never on the async workers the collector shares; at most
/// `running_checks()` at once, a few more waiting, and beyond that `Error::Busy` at once,
/// so a flood of sign-ins costs a bounded amount of CPU and memory and never queues
/// without end.
struct PasswordGate {
    running: tokio::sync::Semaphore,
    admitted: tokio::sync::Semaphore,
}

fn gate() -> &'static PasswordGate {
    static GATE: std::sync::OnceLock<PasswordGate> = std::sync::OnceLock::new();
    GATE.get_or_init(|| {
        let running = running_checks();
        PasswordGate {
            running: tokio::sync::Semaphore::new(running),
            admitted: tokio::sync::Semaphore::new(running + WAITING_CHECKS),
        }
    })
}

/// One per core, keeping one core for everything else when there are more than two.
fn running_checks() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(usize::from(cores > 2)).clamp(1, 8)
}

/// Password checks that may wait for a slot before `Error::Busy` is answered.
const WAITING_CHECKS: usize = 4;

/// `work` (a hash or a verification) on a blocking thread, within the gate.
async fn gated<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let gate = gate();
    let _admitted = gate.admitted.try_acquire().map_err(|_| Error::Busy)?;
    let _running = gate.running.acquire().await.map_err(|_| Error::Busy)?;
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::PasswordHash(e.to_string()))
}

/// [`verify_password`] off the async workers; `Error::Busy` when too many are under way.
pub async fn verify_password_gated(password: &str, stored_hash: &str) -> Result<bool> {
    let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
    gated(move || verify_password(&password, &stored_hash)).await
}

/// [`hash_password`] off the async workers; `Error::Busy` when too many are under way.
pub async fn hash_password_gated(password: &str) -> Result<String> {
    let password = password.to_owned();
    gated(move || hash_password(&password)).await?
}

/// A password for a first-run owner: 20 alphanumerics, about 119 bits.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

/// `bytes` random bytes as lower-case hex: tokens, keys and secrets.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    to_hex(&buf)
}

/// `bytes` as lower-case hex. `hex::encode` collects its digits a `char` at a time,
/// which cost the collector about 3,000 instructions a submission (two encodings);
/// this writes them at once.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut digits = vec![0; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut digits).expect("twice as many digits as bytes");
    String::from_utf8(digits).expect("hex digits are ASCII")
}

/// Bearer tokens and session ids are stored only as this digest, so a leaked
/// database does not hand out live credentials.
pub fn token_digest(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

type HmacSha256 = Hmac<Sha256>;

/// The signature a merchant's backend computes for a key customer:
/// hex HMAC-SHA256(site secret, `id|tier`).
pub fn customer_signature(secret: &str, id: &str, tier: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b"|");
    mac.update(tier.as_bytes());
    to_hex(&mac.finalize().into_bytes())
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
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(random_hex(16).len(), 32);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_of_password_checks_is_refused_beyond_the_gate_not_queued() {
        let hash = hash_password("correct horse").unwrap();
        let checks: Vec<_> = (0..32)
            .map(|_| {
                let hash = hash.clone();
                tokio::spawn(async move { verify_password_gated("wrong horse", &hash).await })
            })
            .collect();
        let mut refused = 0;
        for check in checks {
            match check.await.unwrap() {
                Ok(matched) => assert!(!matched),
                Err(Error::Busy) => refused += 1,
                Err(other) => panic!("{other}"),
            }
        }
        let admitted = running_checks() + WAITING_CHECKS;
        assert!(refused >= 32 - admitted, "{refused} of 32 refused with {admitted} admitted at once");
        assert!(verify_password_gated("correct horse", &hash).await.unwrap(), "the gate reopens");
    }

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
