//! glibc's allocator, tuned for a server that now and then reads a large
//! file (an import) among many small requests.

/// Each password hash allocates 19 MiB. glibc's adaptive threshold would
/// serve such blocks from its heaps after the first one and keep them
/// (measured: +20 MiB of RSS per sign-in until ~200 MiB); a fixed threshold
/// maps them fresh and returns them to the system at once (39 MiB peak).
///
/// glibc also gives threads up to eight heaps per core, and memory freed in
/// one heap is not reused by threads of another: an import read on one
/// thread and written on others kept the high-water mark of each (peak
/// 191 MiB for a 10k-connection and a 50k-message import; 157 MiB with one
/// heap per core, at the same speed). `MALLOC_ARENA_MAX`, when set, wins.
pub fn tune() {
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

/// Hands the pages that freed memory left empty back to the system. An
/// import reads and matches tens of thousands of rows in many small
/// allocations; once freed they stay in glibc's heaps (they are not at a
/// heap's top, so glibc does not trim them): after a 10k-connection and a
/// 50k-message import the server kept 121 MiB, 32 MiB once trimmed. Called
/// when a commit ends, and when a preview is kept: a preview matches on a
/// blocking thread, whose heap is often not the one the commit then works
/// in, so what the preview freed stayed resident beside what the commit
/// allocated (the benchmark's peak during the imports: 141 MiB untrimmed,
/// 115 MiB trimmed; the commit pays some page faults for it).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system; it is
    // safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
