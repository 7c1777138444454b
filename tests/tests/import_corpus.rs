//! The committed corpus of import files (tests/corpus/imports): each is
//! read as its maker wrote it, and the damaged ones are refused with a
//! reason, never a panic. The readers are fuzzed in
//! crates/server/src/import/mod.rs.

use rapport_core::import::ImportFormat;

fn read(name: &str) -> Result<rapport_server::import::Parsed, rapport_server::import::Unreadable> {
    let path = format!("{}/corpus/imports/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rapport_server::import::parse(
        Some(name),
        &bytes,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    )
}

#[test]
fn every_file_of_the_corpus_reads_as_its_kind() {
    for (name, format, people) in [
        (
            "linkedin-Connections.csv",
            ImportFormat::LinkedinConnections,
            2,
        ),
        (
            "linkedin-old-Connections.csv",
            ImportFormat::LinkedinConnections,
            1,
        ),
        (
            "linkedin-Invitations.csv",
            ImportFormat::LinkedinInvitations,
            0,
        ),
        ("linkedin-messages.csv", ImportFormat::LinkedinMessages, 0),
        ("linkedin-archive.zip", ImportFormat::LinkedinArchive, 2),
        ("google-current.csv", ImportFormat::GoogleCsv, 1),
        ("google-old.csv", ImportFormat::GoogleCsv, 1),
        ("utf16-google.txt", ImportFormat::GoogleCsv, 1),
        ("outlook-com.csv", ImportFormat::OutlookCsv, 1),
        ("outlook-desktop.csv", ImportFormat::OutlookCsv, 1),
        ("apple.vcf", ImportFormat::Vcard, 1),
        ("android-21.vcf", ImportFormat::Vcard, 1),
        ("cut-short.vcf", ImportFormat::Vcard, 0),
        ("semicolon-excel.csv", ImportFormat::GenericCsv, 1),
        ("windows-1252.csv", ImportFormat::GenericCsv, 1),
    ] {
        let parsed = read(name).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        assert_eq!(parsed.format, format, "{name}");
        assert_eq!(
            parsed.plan.people.len(),
            people,
            "{name}: {:?}",
            parsed.plan.problems
        );
    }
    let archive = read("linkedin-archive.zip").unwrap();
    assert_eq!(
        (
            archive.plan.invitations.len(),
            archive.plan.conversations.len()
        ),
        (1, 1)
    );
    assert_eq!(
        read("windows-1252.csv").unwrap().plan.people[0]
            .contact
            .name,
        "François Léger"
    );
    assert_eq!(
        read("android-21.vcf").unwrap().plan.people[0].contact.name,
        "Jürgen Müller"
    );
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    for (name, says) in [
        ("zip-bomb.zip", "larger than 50 MB"),
        ("truncated.zip", "cannot be read"),
        ("binary.bin", "not a text file"),
    ] {
        let error = read(name)
            .err()
            .unwrap_or_else(|| panic!("{name} is refused"));
        assert!(error.message.contains(says), "{name}: {}", error.message);
    }
}
