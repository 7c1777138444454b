//! The `rapport` binary itself: zero-configuration start, the admin and
//! backup commands next to a running server, and graceful shutdown.
//!
//! Uses RAPPORT_BIN, or target/debug/rapport (built by scripts/test).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use rapport_tests::in_ci;

fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("RAPPORT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/rapport")
        });
    if path.exists() {
        return Some(path);
    }
    if in_ci() {
        panic!(
            "{} is missing: build it with `cargo build -p rapport-server --bin rapport`",
            path.display()
        );
    }
    eprintln!(
        "\n!!! SKIPPED: {} is missing; build it with `cargo build -p rapport-server --bin rapport`.\n",
        path.display()
    );
    None
}

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rapport(binary: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_remove("RAPPORT_DATABASE_URL")
        .env_remove("RAPPORT_JWT_SECRET")
        .env("RAPPORT_DATA_DIR", data_dir)
        .env("RAPPORT_LOG", "warn");
    command
}

fn serve(binary: &Path, data_dir: &Path) -> Running {
    let mut child = rapport(binary, data_dir)
        .env("RAPPORT_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start rapport");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("Rapport listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Running { child, base }
}

#[tokio::test]
async fn the_binary_serves_with_no_configuration_and_stops_gracefully() {
    let Some(binary) = binary() else { return };
    let data = tempfile::tempdir().unwrap();
    let mut server = serve(&binary, data.path());
    assert!(server.base.starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        data.path().join("rapport.db").exists(),
        "SQLite in the data dir"
    );
    let secret = data.path().join("jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Admin commands work beside the running server, on the same database.
    let created = rapport(&binary, data.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--admin",
        ])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let stdout = String::from_utf8(created.stdout).unwrap();
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("a generated password is printed")
        .to_owned();
    let login = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&serde_json::json!({"email": "ops@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let again = rapport(&binary, data.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "OPS@example.com",
            "--name",
            "Ops",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success(), "the address is taken");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("ops@example.com already has an account"),
        "{said}"
    );
    let unnamed = rapport(&binary, data.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "new@example.com",
            "--name",
            " ",
        ])
        .output()
        .unwrap();
    assert!(!unnamed.status.success(), "a name is required");
    assert!(String::from_utf8_lossy(&unnamed.stderr).contains("--name"));

    let backup = data.path().join("copy.db");
    let backed_up = rapport(&binary, data.path())
        .args(["backup", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        backed_up.status.success(),
        "{}",
        String::from_utf8_lossy(&backed_up.stderr)
    );
    let copy = rapport_storage::connect(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    assert!(copy
        .user_by_email("ops@example.com")
        .await
        .unwrap()
        .is_some());
    let again = rapport(&binary, data.path())
        .args(["backup", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    let disabled = rapport(&binary, data.path())
        .args(["admin", "disable-user", "--email", "ops@example.com"])
        .output()
        .unwrap();
    assert!(disabled.status.success());
    let refused = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&serde_json::json!({"email": "ops@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let terminated = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = server.child.wait().unwrap();
    assert!(
        status.success(),
        "SIGTERM ends the server cleanly: {status:?}"
    );
}

#[test]
fn a_short_jwt_secret_is_refused_at_start() {
    let Some(binary) = binary() else { return };
    let data = tempfile::tempdir().unwrap();
    let output = rapport(&binary, data.path())
        .env("RAPPORT_JWT_SECRET", "too short")
        .env("RAPPORT_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));
}

#[tokio::test]
async fn the_demo_command_makes_a_realistic_network() {
    let Some(binary) = binary() else { return };
    let data = tempfile::tempdir().unwrap();
    let mut child = rapport(&binary, data.path())
        .args([
            "demo",
            "--email",
            "demo@example.com",
            "--contacts",
            "120",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "a demo passphrase here").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("120 contacts"));
    let server = serve(&binary, data.path());
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(
            &serde_json::json!({"email": "demo@example.com", "password": "a demo passphrase here"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let get = |path: &str| {
        let request = client
            .get(format!("{}/api/v1{path}", server.base))
            .bearer_auth(token);
        async move {
            request
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let network = get("/network").await;
    let contacts = network.as_array().unwrap();
    assert!(
        contacts.len() >= 110,
        "archived contacts are left out of the network view"
    );
    assert!(contacts
        .iter()
        .any(|c| c["familiarity"].as_u64().unwrap() > 20));
    assert!(contacts.iter().any(|c| c["comfort"].is_u64()));
    assert!(!get("/events").await["items"].as_array().unwrap().is_empty());
    assert!(!get("/interactions").await["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!get("/introductions").await["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!get("/nurture").await["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// `rapport export` writes one account's data to standard output, on
/// either backend, in each format; an unknown address is an error.
async fn the_export_command_writes_one_account(backend: rapport_tests::Backend) {
    let Some(binary) = binary() else { return };
    let Some(db) = rapport_tests::TestDb::new(backend).await else {
        return;
    };
    let store = db.store().await;
    let mut owners = Vec::new();
    for email in ["ada@example.com", "eve@example.com"] {
        let user = store
            .register_user(
                rapport_storage::NewUser {
                    email: email.into(),
                    display_name: email.into(),
                    password_hash: "$argon2id$unused".into(),
                },
                rapport_storage::RegistrationGate::Open,
            )
            .await
            .unwrap();
        owners.push(user.id);
    }
    let today = chrono::Utc::now().date_naive();
    let contact = |name: &str, notes: &str| rapport_core::contact::NewContact {
        name: name.into(),
        notes: Some(notes.into()),
        tags: vec!["rust".into()],
        ..Default::default()
    };
    store
        .create_contacts(
            owners[0],
            vec![
                contact("Bob, Jr.", "line one\nline two"),
                contact("Zoë", "=1+1"),
            ],
            today,
        )
        .await
        .unwrap();
    store
        .create_contacts(owners[1], vec![contact("Mallory", "eve's")], today)
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let export = |args: &[&str]| {
        rapport(&binary, data.path())
            .env("RAPPORT_DATABASE_URL", &db.url)
            .arg("export")
            .args(args)
            .output()
            .unwrap()
    };

    let json = export(&["--email", "ADA@example.com"]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let doc: rapport_core::export::AccountExport = serde_json::from_slice(&json.stdout).unwrap();
    doc.check_format().unwrap();
    assert_eq!(doc.account.email, "ada@example.com");
    let names: Vec<&str> = doc.contacts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Bob, Jr.", "Zoë"]);

    let csv_out = export(&["--email", "ada@example.com", "--format", "csv"]);
    assert!(csv_out.status.success());
    let mut reader = csv::Reader::from_reader(&csv_out.stdout[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "Bob, Jr.");
    assert_eq!(&rows[1][9], "'=1+1", "the formula is neutralised");

    let vcf = export(&["--email", "ada@example.com", "--format", "vcf"]);
    assert!(vcf.status.success());
    let cards: Vec<_> = ical::VcardParser::new(&vcf.stdout[..])
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(cards.len(), 2);
    assert!(!String::from_utf8_lossy(&vcf.stdout).contains("Mallory"));

    let unknown = export(&["--email", "nobody@example.com"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account has the email"));
    assert!(unknown.stdout.is_empty());
    let bad_format = export(&["--email", "ada@example.com", "--format", "xml"]);
    assert!(!bad_format.status.success());

    // `rapport import` brings Ada's CSV export into Eve's account: first a
    // dry run (totals, nothing written), then for real; the vCard export
    // after it doubles nobody.
    let csv_file = data.path().join("ada.csv");
    std::fs::write(&csv_file, &csv_out.stdout).unwrap();
    let vcf_file = data.path().join("ada.vcf");
    std::fs::write(&vcf_file, &vcf.stdout).unwrap();
    let import = |args: &[&str]| {
        let out = rapport(&binary, data.path())
            .env("RAPPORT_DATABASE_URL", &db.url)
            .arg("import")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let eve_names = || async {
        let mut names: Vec<String> = store
            .contacts_to_match(owners[1])
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.data.name)
            .collect();
        names.sort();
        names
    };
    let csv_path = csv_file.to_str().unwrap();
    let (ok, out, err) = import(&["--email", "eve@example.com", csv_path, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("2 rows: 2 new"), "{out}");
    assert!(out.contains("Nothing was written"), "{out}");
    assert_eq!(eve_names().await, ["Mallory"]);
    let (ok, out, err) = import(&["--email", "eve@example.com", csv_path]);
    assert!(ok, "{err}");
    assert!(out.contains("2 contacts created"), "{out}");
    assert_eq!(eve_names().await, ["Bob, Jr.", "Mallory", "Zoë"]);
    let zoe = store
        .contacts_to_match(owners[1])
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.data.name == "Zoë")
        .unwrap();
    assert_eq!(
        zoe.data.notes.as_deref(),
        Some("=1+1"),
        "the guard quote is read back off"
    );
    let (ok, out, err) = import(&["--email", "eve@example.com", vcf_file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("0 contacts created"), "{out}");
    assert_eq!(eve_names().await, ["Bob, Jr.", "Mallory", "Zoë"]);
    let (ok, _, err) = import(&["--email", "eve@example.com", "/nonexistent/file.csv"]);
    assert!(!ok && err.contains("cannot read"), "{err}");
    let empty = data.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let (ok, _, err) = import(&["--email", "eve@example.com", empty.to_str().unwrap()]);
    assert!(!ok && err.contains("empty"), "{err}");
}

rapport_tests::on_both_backends!(the_export_command_writes_one_account);
