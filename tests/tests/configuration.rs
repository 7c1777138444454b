//! The command line, the documented settings and the deployment files agree
//! with each other. (No Docker engine runs here: the files are parsed.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{CommandFactory, Parser};
use rapport_server::cli::Cli;
use serde_yaml_ng::Value;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `RAPPORT_*` variable that `rapport serve` reads.
fn serve_settings() -> BTreeSet<String> {
    let cli = Cli::command();
    let serve = cli.find_subcommand("serve").expect("a serve subcommand");
    serve
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_command_line_offers_every_documented_command_and_setting() {
    Cli::command().debug_assert();
    let help = Cli::command().render_long_help().to_string();
    for command in ["serve", "migrate", "admin", "backup"] {
        assert!(help.contains(command), "`rapport --help` lacks {command}");
    }
    let admin = Cli::command();
    let admin = admin.find_subcommand("admin").unwrap();
    let names: Vec<_> = admin
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert_eq!(names, ["create-user", "reset-password", "disable-user"]);
    let settings = serve_settings();
    for name in [
        "RAPPORT_ADDR",
        "RAPPORT_DATA_DIR",
        "RAPPORT_DATABASE_URL",
        "RAPPORT_JWT_SECRET",
        "RAPPORT_REGISTRATION",
        "RAPPORT_PUBLIC_URL",
        "RAPPORT_LOG",
    ] {
        assert!(settings.contains(name), "serve lacks {name}");
    }
}

#[test]
fn the_serve_flags_default_to_a_local_sqlite_instance() {
    let cli = Cli::try_parse_from(["rapport", "serve", "--addr", "127.0.0.1:0"]);
    let Ok(Cli {
        command: Some(rapport_server::cli::Command::Serve(args)),
    }) = cli
    else {
        panic!("serve should parse");
    };
    assert_eq!(args.addr, "127.0.0.1:0");
    if std::env::var_os("RAPPORT_DATABASE_URL").is_none()
        && std::env::var_os("RAPPORT_DATA_DIR").is_none()
    {
        assert!(args.data.database_url.is_none());
        assert_eq!(args.data.data_dir, PathBuf::from("./rapport-data"));
    }
    let bad = Cli::try_parse_from(["rapport", "serve", "--registration", "sometimes"]);
    assert!(bad.is_err());
}

#[test]
fn the_readme_documents_every_setting() {
    let readme = repo_file("README.md");
    for setting in serve_settings() {
        assert!(
            readme.contains(&format!("`{setting}`")),
            "README lacks {setting}"
        );
    }
}

fn environment(service: &Value) -> BTreeSet<String> {
    service["environment"]
        .as_mapping()
        .expect("environment as a mapping")
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_compose_file_runs_rapport_with_postgresql() {
    let compose: Value = serde_yaml_ng::from_str(&repo_file("docker-compose.yml")).unwrap();
    let services = compose["services"].as_mapping().unwrap();
    let names: BTreeSet<_> = services.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["db", "rapport"]));

    let app = &compose["services"]["rapport"];
    let env = environment(app);
    let known = serve_settings();
    for name in &env {
        assert!(
            known.contains(name),
            "compose sets {name}, which Rapport does not read"
        );
    }
    for required in [
        "RAPPORT_ADDR",
        "RAPPORT_DATABASE_URL",
        "RAPPORT_JWT_SECRET",
        "RAPPORT_PUBLIC_URL",
    ] {
        assert!(env.contains(required), "compose lacks {required}");
    }
    let addr = app["environment"]["RAPPORT_ADDR"].as_str().unwrap();
    let port = addr.rsplit(':').next().unwrap();
    assert!(
        addr.starts_with("0.0.0.0:"),
        "inside a container Rapport must listen on all interfaces"
    );
    let ports: Vec<&str> = app["ports"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        ports.iter().any(|p| p.ends_with(&format!(":{port}"))),
        "{ports:?} does not publish {port}"
    );
    let url = app["environment"]["RAPPORT_DATABASE_URL"].as_str().unwrap();
    assert!(
        url.starts_with("postgres://") && url.contains("@db:5432/"),
        "{url}"
    );
    assert_eq!(
        app["depends_on"]["db"]["condition"].as_str(),
        Some("service_healthy")
    );
    assert!(app["healthcheck"]["test"]
        .as_sequence()
        .unwrap()
        .iter()
        .any(|p| p.as_str().is_some_and(|s| s.contains("/readyz"))));

    let db = &compose["services"]["db"];
    assert!(db["image"].as_str().unwrap().starts_with("postgres:"));
    assert!(db["healthcheck"]["test"].as_sequence().is_some());
    let volumes: Vec<&str> = db["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(volumes
        .iter()
        .any(|v| v.ends_with(":/var/lib/postgresql/data")));
    let declared = compose["volumes"].as_mapping().unwrap();
    for volume in volumes.iter().map(|v| v.split(':').next().unwrap()) {
        assert!(
            declared.contains_key(volume),
            "volume {volume} is not declared"
        );
    }
    let db_env = environment(db);
    assert!(db_env.contains("POSTGRES_PASSWORD") && db_env.contains("POSTGRES_DB"));
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_unprivileged() {
    let dockerfile = repo_file("Dockerfile");
    let stages: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert!(stages.len() >= 2, "a multi-stage build");
    assert!(stages[0].contains(" AS build"));
    assert!(dockerfile.contains("COPY --from=build /src/target/release/rapport"));
    assert!(
        dockerfile.contains("scripts/build-frontend"),
        "the image serves the app"
    );
    assert!(dockerfile
        .lines()
        .any(|l| l.starts_with("USER ") && !l.contains("root")));
    assert!(dockerfile.contains("EXPOSE 8080"));
    assert!(dockerfile.contains("RAPPORT_ADDR=0.0.0.0:8080"));
    assert!(dockerfile.contains("HEALTHCHECK"));
}
