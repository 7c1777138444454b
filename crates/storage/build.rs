//! `sqlx::migrate!` embeds the migration files when this crate compiles;
//! without this, adding a migration alone would not rebuild the crate and
//! the new migration would silently not run (as sqlx's documentation
//! advises for its macro).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
