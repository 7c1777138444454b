/// mimalloc for everything Rust allocates (see `rapport_server::allocator`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rapport_server::cli::main()
}
