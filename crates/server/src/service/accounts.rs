//! Creating an account from the command line (`rapport admin create-user`,
//! `rapport demo`): the checks and normalisation the registration form
//! applies, with the role chosen by the operator instead of the gate.

use rapport_core::account::Role;
use rapport_core::validate::{self, normalize_email};
use rapport_storage::{NewUser, Store, StoreError, UserRecord};

/// Why an account was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("--email {0}")]
    Email(String),
    #[error("--name {0}")]
    Name(String),
    #[error("{0} already has an account")]
    Taken(String),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(StoreError),
}

/// Checks and creates an account with `role`; the password is hashed with
/// argon2id here (the command line has no async workers to spare).
pub async fn create(
    store: &dyn Store,
    email: &str,
    name: &str,
    password: &str,
    role: Role,
) -> Result<UserRecord, CreateAccountError> {
    validate::email(email).map_err(|m| CreateAccountError::Email(m.to_string()))?;
    validate::required_text(name, validate::DISPLAY_NAME_MAX_CHARS)
        .map_err(|m| CreateAccountError::Name(m.to_string()))?;
    let email = normalize_email(email);
    let password_hash = crate::auth::password::hash_blocking(password)
        .map_err(|e| CreateAccountError::Hash(e.to_string()))?;
    let new = NewUser {
        email: email.clone(),
        display_name: name.trim().to_owned(),
        password_hash,
    };
    match store.create_user_with_role(new, role).await {
        Ok(user) => Ok(user),
        Err(StoreError::Duplicate) => Err(CreateAccountError::Taken(email)),
        Err(other) => Err(CreateAccountError::Store(other)),
    }
}

/// The role of an account made by `rapport demo`: the first account of an
/// instance is its admin, as with the registration form.
pub async fn first_is_admin(store: &dyn Store) -> Result<Role, StoreError> {
    Ok(match store.list_users(None, 1).await?.is_empty() {
        true => Role::Admin,
        false => Role::User,
    })
}
