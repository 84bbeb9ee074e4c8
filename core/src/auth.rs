//! Secrets: staff passwords, session and API tokens, and the merchant's signed customer ids.

use crate::error::{Error, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Argon2id at OWASP's minimum: 19 MiB, 2 passes, 1 lane. A stored hash made with less
/// is replaced at its owner's next sign-in ([`needs_rehash`]).
fn hasher() -> Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    // The parameters are the stored hash's own, whatever they were.
    PasswordHash::new(stored_hash)
        .map(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// Whether `stored_hash` was made with less than [`hasher`]'s algorithm and costs.
pub fn needs_rehash(stored_hash: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored_hash) else { return true };
    let Ok(params) = argon2::Params::try_from(&hash) else { return true };
    let wanted = hasher();
    let wanted = wanted.params();
    hash.algorithm != argon2::Algorithm::Argon2id.ident()
        || params.m_cost() < wanted.m_cost()
        || params.t_cost() < wanted.t_cost()
        || params.p_cost() < wanted.p_cost()
}

/// The shortest password a person may choose (ASVS 5.0 asks for at least 8, and
/// recommends 15; NIST 800-63B, 15 where it is the only factor).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// The longest: long enough for any passphrase or manager, short enough to hash cheaply.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Why `password` may not be chosen by the person signing in as `email`, if it may not,
/// as a broken rule of `field`: too short or too long, one of the common passwords Hark
/// ships with (about 100,000, compared without case), or the email itself.
pub fn check_new_password(field: &str, password: &str, email: &str) -> Result<()> {
    let chars = password.chars().count();
    let problem = if chars < PASSWORD_MIN_CHARS {
        format!("must be at least {PASSWORD_MIN_CHARS} characters")
    } else if chars > PASSWORD_MAX_CHARS {
        format!("must be at most {PASSWORD_MAX_CHARS} characters")
    } else if is_common(password) {
        "is one of the most common passwords; choose another".to_owned()
    } else if !email.is_empty()
        && (password.eq_ignore_ascii_case(email)
            || email.split('@').next().is_some_and(|local| password.eq_ignore_ascii_case(local)))
    {
        "must not be your email address".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::field(field, problem))
}

fn is_common(password: &str) -> bool {
    use passwords::analyzer::is_common_password;
    is_common_password(password) || is_common_password(password.to_lowercase())
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

/// The admin UI's session cookie over plain http (local development).
pub const SESSION_COOKIE: &str = "hark_session";
/// The same over https: the prefix makes browsers refuse it unless it is `Secure`, for
/// the path `/` and this host only, so a neighbouring subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-hark_session";

/// The session cookie's name: [`SECURE_SESSION_COOKIE`] when served over https.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

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
    fn new_hashes_are_argon2id_at_owasp_minimum_and_weaker_ones_are_upgraded() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!needs_rehash(&hash));
        let weak = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify_password("correct horse battery", &weak), "an older hash still verifies");
        assert!(needs_rehash(&weak));
        let argon2i = Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, argon2::Params::default())
            .hash_password(b"x", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(needs_rehash(&argon2i));
        assert!(needs_rehash("not a hash"));
    }

    #[test]
    fn a_new_password_is_long_uncommon_and_not_the_email() {
        let refused = |password: &str| check_new_password("password", password, "ana@shop.example").is_err();
        assert!(refused("short pass1"), "11 characters");
        assert!(!refused("twelve chars"), "12 characters");
        assert!(!refused("我的密码是一二三四五六七八"), "counted in characters, not bytes");
        assert!(refused("password1234"), "common");
        assert!(refused("PASSWORD1234"), "common, whatever its case");
        assert!(refused("qwertyuiop123"), "common");
        assert!(refused("ana@shop.example"), "the email");
        assert!(!refused("correct horse battery staple"));
        assert!(refused(&"x".repeat(PASSWORD_MAX_CHARS + 1)));
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
