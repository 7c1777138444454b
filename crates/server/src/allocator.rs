//! The allocators of a server that now and then reads a large file (an
//! import) among many small requests.
//!
//! The `rapport` binary allocates with mimalloc (`main.rs`); SQLite, built
//! in, allocates with the C library's (glibc's) malloc. With glibc for
//! everything, about 30% of the server's time during an import went to
//! glibc's allocator (threads queueing for its few heaps, each row read a
//! dozen small blocks allocated on one thread and freed on another); with
//! mimalloc's per-thread heaps a 50k-message import took 3.4 → 2.5–2.9 s
//! and the mixed workload on SQLite served 1.2× → 1.4–1.6× the bare
//! baseline, with the memory below. (SQLite on mimalloc too was faster
//! still, but held 114 MiB under the mixed load instead of 35.)

/// mimalloc's option numbers (`mi_option_e` in mimalloc.h, version 3), for
/// the two that libmimalloc-sys does not name. A test checks them against
/// the options' documented defaults.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Called once at start, before any other thread exists.
///
/// mimalloc: memory a thread frees goes back to the system at once
/// (`purge_delay` 0, instead of after a second) and its arenas are
/// committed as they are used (`arena_eager_commit` 0, instead of up
/// front; the build sets it too, in `.cargo/config.toml`, for the arena
/// made before `main`): an import's peak anonymous memory was 165–204 MiB
/// with the defaults and 90–101 MiB so, at the same speed.
///
/// glibc, for SQLite: memory freed in one of its heaps is not reused by
/// threads of another, so one heap per core (not eight); `MALLOC_ARENA_MAX`,
/// when set, wins. Blocks of 1 MiB and more are mapped fresh and returned
/// at once (its adaptive threshold would keep them in its heaps).
pub fn tune() {
    // SAFETY: mi_option_set only sets one of mimalloc's options.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let heaps = std::thread::available_parallelism().map_or(2, |n| n.get());
        let heaps = libc::c_int::try_from(heaps).unwrap_or(libc::c_int::MAX);
        let chosen = std::env::var_os("MALLOC_ARENA_MAX").is_some();
        // SAFETY: mallopt only adjusts allocator parameters; called once at
        // start, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            if !chosen {
                libc::mallopt(libc::M_ARENA_MAX, heaps);
            }
        }
    }
}

/// Hands memory that an import freed back to the system. An import reads
/// and matches tens of thousands of rows in many small allocations; once
/// freed they may stay in the allocators' heaps: after a 10k-connection and
/// a 50k-message import, glibc alone kept 121 MiB, 32 MiB once trimmed.
/// Called when a commit ends, and when a preview is kept (the preview
/// matched on a blocking thread, and the commit works on others).
pub fn release_freed() {
    // SAFETY: mi_collect only frees what mimalloc holds unused; it is safe
    // to call from any thread at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system; it is
    // safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers name the options meant: each still holds the default
    /// mimalloc.h documents for it, or the build's (nothing in the unit
    /// tests tunes).
    #[test]
    fn the_option_numbers_are_mimallocs() {
        // SAFETY: reading an option has no side effect beyond reading the
        // environment once.
        let (eager, purge) = unsafe {
            (
                libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
            )
        };
        assert!(
            eager == 0 || eager == 2,
            "arena_eager_commit is 0 as built (.cargo/config.toml) or mimalloc's 2, not {eager}"
        );
        assert_eq!(purge, 1000, "purge_delay defaults to 1000 ms");
    }
}
