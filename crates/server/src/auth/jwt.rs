//! Access and refresh tokens: HS256 pinned; `iss`, `aud`, `exp`, `iat` and
//! the token use all checked on every decode.

use std::time::Duration;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const AUDIENCE: &str = "rapport";
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user.
    pub sub: Uuid,
    /// The session (refresh-token family).
    pub sid: Uuid,
    pub iat: u64,
    pub exp: u64,
    #[serde(rename = "use")]
    pub token_use: TokenUse,
    /// Refresh tokens only: the secret whose hash the database keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    validation: Validation,
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("the token is invalid or expired")]
    Invalid,
    #[error("the token cannot be used here")]
    WrongUse,
    #[error("cannot sign a token: {0}")]
    Sign(String),
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            validation,
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn sign(
        &self,
        user: Uuid,
        session: Uuid,
        token_use: TokenUse,
        ttl: Duration,
        jti: Option<String>,
    ) -> Result<String, JwtError> {
        let now = unix_now();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: user,
            sid: session,
            iat: now,
            exp: now + ttl.as_secs(),
            token_use,
            jti,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| JwtError::Sign(e.to_string()))
    }

    /// Decodes a token and checks that it is meant for `expected` use.
    pub fn verify(&self, token: &str, expected: TokenUse) -> Result<Claims, JwtError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| JwtError::Invalid)?;
        let claims = data.claims;
        if claims.iat > unix_now() + LEEWAY_SECS {
            return Err(JwtError::Invalid);
        }
        if claims.token_use != expected {
            return Err(JwtError::WrongUse);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32], "https://rapport.test")
    }

    #[test]
    fn a_signed_access_token_verifies_only_as_access() {
        let keys = keys();
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = keys
            .sign(
                user,
                session,
                TokenUse::Access,
                Duration::from_secs(60),
                None,
            )
            .unwrap();
        let claims = keys.verify(&token, TokenUse::Access).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));
        assert!(matches!(
            keys.verify(&token, TokenUse::Refresh),
            Err(JwtError::WrongUse)
        ));
    }

    #[test]
    fn another_key_or_issuer_is_refused() {
        let token = keys()
            .sign(
                Uuid::new_v4(),
                Uuid::new_v4(),
                TokenUse::Access,
                Duration::from_secs(60),
                None,
            )
            .unwrap();
        let other_key = JwtKeys::new(&[8u8; 32], "https://rapport.test");
        assert!(other_key.verify(&token, TokenUse::Access).is_err());
        let other_issuer = JwtKeys::new(&[7u8; 32], "https://elsewhere.test");
        assert!(other_issuer.verify(&token, TokenUse::Access).is_err());
    }
}
