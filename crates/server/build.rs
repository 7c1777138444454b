//! The single-page app is embedded from `frontend/dist`. Without a built app
//! the folder is created empty, and the server says so at `/` instead of
//! failing to compile (API-only builds and tests don't need the app).

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/dist");
    if !dist.exists() {
        std::fs::create_dir_all(&dist).expect("cannot create frontend/dist");
    }
    println!("cargo:rerun-if-changed=../../frontend/dist");
}
