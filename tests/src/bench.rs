//! Helpers for the benchmarks: the release server as a separate process
//! (so its memory is measured alone) and a closed-loop load generator.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SECRET: &str = "benchmark-secret-benchmark-secret-benchmark";

/// The release `rapport` (RAPPORT_BIN overrides).
pub fn binary() -> String {
    std::env::var("RAPPORT_BIN")
        .unwrap_or_else(|_| format!("{}/../target/release/rapport", env!("CARGO_MANIFEST_DIR")))
}

pub fn rapport(database_url: &str, data_dir: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .env("RAPPORT_DATABASE_URL", database_url)
        .env("RAPPORT_DATA_DIR", data_dir)
        .env("RAPPORT_JWT_SECRET", SECRET)
        .env("RAPPORT_REGISTRATION", "open")
        // RAPPORT_BENCH_LOG: the servers' log filter, to see where time goes.
        .env(
            "RAPPORT_LOG",
            std::env::var("RAPPORT_BENCH_LOG").unwrap_or_else(|_| "warn".to_owned()),
        );
    command
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(database_url: &str, data_dir: &Path) -> Server {
        Server::start_with(database_url, data_dir, &[])
    }

    /// Starts the server with extra settings (`RAPPORT_*` variables).
    pub fn start_with(database_url: &str, data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut command = rapport(database_url, data_dir);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .arg("serve")
            .env("RAPPORT_ADDR", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); run scripts/bench", binary()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("Rapport listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        Server { child, base }
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    pub fn peak_memory_mib(&self) -> f64 {
        self.memory_mib("VmHWM:")
    }

    /// Resident memory now, in MiB: (heap and other anonymous memory,
    /// mapped files — SQLite's database file is read through a map).
    pub fn memory_now_mib(&self) -> (f64, f64) {
        (self.memory_mib("RssAnon:"), self.memory_mib("RssFile:"))
    }

    fn memory_mib(&self, field: &str) -> f64 {
        memory_of(self.child.id(), field)
    }

    /// Watches the server's anonymous memory (heap, not mapped files)
    /// every few milliseconds until the watch is stopped, for its peak.
    pub fn watch_anonymous_memory(&self) -> MemoryWatch {
        let pid = self.child.id();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0.0f64;
            while !stopped.load(Ordering::Relaxed) {
                peak = peak.max(memory_of(pid, "RssAnon:"));
                std::thread::sleep(Duration::from_millis(5));
            }
            peak.max(memory_of(pid, "RssAnon:"))
        });
        MemoryWatch { stop, thread }
    }
}

/// A running watch of a process's anonymous memory.
pub struct MemoryWatch {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<f64>,
}

impl MemoryWatch {
    /// Stops watching: the peak anonymous memory seen, in MiB.
    pub fn peak_mib(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(f64::NAN)
    }
}

fn memory_of(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Seeds a demo account (`rapport demo`) with the benchmark password.
pub fn seed_demo(url: &str, dir: &Path, email: &str, contacts: usize, seed: u64) {
    use std::io::Write;
    let mut child = rapport(url, dir)
        .args(["demo", "--email", email, "--password-stdin"])
        .args(["--contacts", &contacts.to_string(), "--interactions", "6"])
        .args(["--seed", &seed.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run rapport demo");
    writeln!(child.stdin.take().unwrap(), "{}", crate::PASSWORD).unwrap();
    assert!(child.wait().unwrap().success(), "rapport demo for {email}");
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Milliseconds at percentile `p` (0..1) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

pub struct LoadResult {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl std::fmt::Display for LoadResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>7.0} req/s  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms",
            self.per_second, self.p50_ms, self.p95_ms, self.p99_ms
        )
    }
}

/// `requests` GETs of `url` over `connections` keep-alive connections.
pub async fn load(url: &str, token: &str, connections: usize, requests: usize) -> LoadResult {
    load_urls(&[url.to_owned()], token, connections, requests, false).await
}

/// `requests` GETs over `connections` keep-alive connections, request `i`
/// to `urls[i % urls.len()]`; `gzip`: accept gzip like a browser (the body
/// is read as it comes, not decompressed).
pub async fn load_urls(
    urls: &[String],
    token: &str,
    connections: usize,
    requests: usize,
    gzip: bool,
) -> LoadResult {
    let plan: Vec<Planned> = urls
        .iter()
        .map(|url| Planned::get(url, token).gzip(gzip))
        .collect();
    load_plan(&plan, connections, requests).await
}

/// One request of a planned load.
#[derive(Clone)]
pub struct Planned {
    uri: hyper::Uri,
    post: Option<hyper::body::Bytes>,
    authorization: String,
    gzip: bool,
}

impl Planned {
    pub fn get(url: &str, token: &str) -> Planned {
        Planned {
            uri: url.parse().expect("a URL"),
            post: None,
            authorization: format!("Bearer {token}"),
            gzip: false,
        }
    }

    /// A JSON `POST`.
    pub fn post(url: &str, token: &str, body: &serde_json::Value) -> Planned {
        Planned {
            post: Some(serde_json::to_vec(body).unwrap().into()),
            ..Planned::get(url, token)
        }
    }

    pub fn gzip(mut self, gzip: bool) -> Planned {
        self.gzip = gzip;
        self
    }
}

/// `requests` requests over `connections` keep-alive connections, request
/// `i` being `plan[i % plan.len()]`; any answer but a success fails the run.
///
/// Each connection is a bare HTTP/1.1 connection (hyper's, without a
/// client pool): the generator shares the processor with the server, so
/// the less it spends per request, the more the figures are the server's.
pub async fn load_plan(plan: &[Planned], connections: usize, requests: usize) -> LoadResult {
    let remaining = Arc::new(AtomicUsize::new(requests));
    let plan: Arc<[Planned]> = plan.to_vec().into();
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (remaining, plan) = (remaining.clone(), plan.clone());
            tokio::spawn(async move {
                let mut connection = Connection::open(&plan[0].uri).await;
                let mut times = Vec::new();
                while let Ok(left) =
                    remaining
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                {
                    let request = &plan[left % plan.len()];
                    let sent = Instant::now();
                    connection.send(request).await;
                    times.push(sent.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::with_capacity(requests);
    for worker in workers {
        times.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    times.sort();
    LoadResult {
        requests: times.len(),
        per_second: times.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        p99_ms: percentile(&times, 0.99),
    }
}

/// One keep-alive HTTP/1.1 connection to the server.
struct Connection {
    sender: hyper::client::conn::http1::SendRequest<http_body_util::Full<hyper::body::Bytes>>,
    host: String,
}

impl Connection {
    async fn open(uri: &hyper::Uri) -> Connection {
        let host = uri.authority().expect("a host and port").to_string();
        let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        Connection { sender, host }
    }

    /// Sends one request and reads the whole body (as it comes, without
    /// gathering it in one buffer); anything but a success fails the run.
    async fn send(&mut self, planned: &Planned) {
        use http_body_util::BodyExt;
        let path = planned.uri.path_and_query().map_or("/", |p| p.as_str());
        let method = if planned.post.is_some() {
            hyper::Method::POST
        } else {
            hyper::Method::GET
        };
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::AUTHORIZATION, &planned.authorization);
        if planned.gzip {
            request = request.header(hyper::header::ACCEPT_ENCODING, "gzip");
        }
        if planned.post.is_some() {
            request = request.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let body = http_body_util::Full::new(planned.post.clone().unwrap_or_default());
        let request = request.body(body).unwrap();
        self.sender.ready().await.unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        assert!(
            response.status().is_success(),
            "{}: {}",
            planned.uri,
            response.status()
        );
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            frame.unwrap();
        }
    }
}

/// Signs in and returns the access token.
pub async fn sign_in(base: &str, email: &str, password: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign in as {email}");
    let body: serde_json::Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// The scale of a benchmark run (RAPPORT_BENCH_SCALE, default 1).
pub fn scale() -> f64 {
    std::env::var("RAPPORT_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

/// Prints `title` with the machine's core count, then runs `run` on SQLite
/// and PostgreSQL (RAPPORT_BENCH_BACKENDS=sqlite or postgres picks one),
/// printing the lines each returns.
pub fn on_each_backend<F, R>(title: &str, run: F)
where
    F: Fn(crate::Backend, f64) -> R,
    R: std::future::Future<Output = Option<Vec<String>>>,
{
    let scale = scale();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{title}, scale {scale}, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let only = std::env::var("RAPPORT_BENCH_BACKENDS").unwrap_or_default();
    for backend in [crate::Backend::Sqlite, crate::Backend::Postgres] {
        if !only.is_empty() && !only.eq_ignore_ascii_case(&format!("{backend:?}")) {
            continue;
        }
        match runtime.block_on(run(backend, scale)) {
            Some(lines) => lines.iter().for_each(|l| println!("{l}")),
            None => println!("{backend:?}: skipped (database unavailable)"),
        }
    }
}
