//! Authentication: access and refresh JWTs, password hashing, opaque
//! secrets (personal access tokens, invite codes) and login throttling.

pub mod jwt;
pub mod limiter;
pub mod password;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Prefix of personal access tokens, so that scanners and people recognise them.
pub const TOKEN_PREFIX: &str = "rpt_";

pub fn encode_base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// 256 random bits, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system has no randomness");
    encode_base64url(&bytes)
}

/// Secrets are high-entropy, so a fast hash is enough to store them safely.
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new personal access token: (secret, its display prefix, its hash).
pub fn new_api_token() -> (String, String, Vec<u8>) {
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let prefix = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let hash = sha256(&secret);
    (secret, prefix, hash)
}

/// A new invite code: (code, its display prefix, its hash).
pub fn new_invite_code() -> (String, String, Vec<u8>) {
    let code = random_secret()[..20].to_owned();
    let prefix = code[..4].to_owned();
    let hash = sha256(&code);
    (code, prefix, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_are_prefixed_unique_and_hashed() {
        let (secret, prefix, hash) = new_api_token();
        assert!(secret.starts_with("rpt_"));
        assert!(secret.len() > 40);
        assert!(secret.starts_with(&prefix));
        assert_eq!(hash, sha256(&secret));
        assert_ne!(new_api_token().0, secret);
    }
}
