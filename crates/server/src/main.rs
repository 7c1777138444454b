fn main() -> std::process::ExitCode {
    rapport_server::cli::main()
}
