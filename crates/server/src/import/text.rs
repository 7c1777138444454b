//! Files as people really have them: the text encoding (UTF-8 with or
//! without a byte-order mark, UTF-16 from Excel's "Unicode text",
//! Windows-1252 from older spreadsheets), the separator (comma, semicolon
//! from European Excel, tab) and a header that may follow a few lines of
//! preamble (LinkedIn's "Notes:"). Parsing itself is the `csv` crate's.

use super::Unreadable;

/// Text decoded from a file, and what its encoding was.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// Borrowed from the file where it is UTF-8 already (most files):
    /// large uploads are not held twice.
    pub text: std::borrow::Cow<'a, str>,
    pub encoding: &'static str,
}

/// Decodes a file's bytes: a byte-order mark decides; without one, UTF-16
/// is recognised by its zero bytes, valid UTF-8 is UTF-8, and anything else
/// is read as Windows-1252 (which decodes every byte). A file with NUL
/// characters or other control characters left is not text.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, Unreadable> {
    let (text, encoding) = if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        let name = match encoding.name() {
            "UTF-8" => "UTF-8 with BOM",
            other => other,
        };
        (text, name)
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        (text, encoding.name())
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (std::borrow::Cow::Borrowed(text), "UTF-8")
    } else {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        (text, "windows-1252")
    };
    let sample = text.chars().take(64 * 1024);
    let controls = sample
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if text.contains('\0') || controls > 8 {
        return Err(Unreadable::new(
            "file",
            "This is not a text file (it holds binary data). Upload a CSV, vCard, JSON or LinkedIn .zip file.",
        ));
    }
    Ok(Decoded { text, encoding })
}

/// UTF-16 without a byte-order mark: most of the first bytes at odd (LE)
/// or even (BE) positions are zero, as ASCII text in UTF-16 has.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_odd = sample.chunks(2).filter(|p| p[1] == 0 && p[0] != 0).count();
    let zero_even = sample.chunks(2).filter(|p| p[0] == 0 && p[1] != 0).count();
    if zero_odd * 10 >= pairs * 7 {
        Some(encoding_rs::UTF_16LE)
    } else if zero_even * 10 >= pairs * 7 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// A spreadsheet read from text: its header and its records, each with the
/// line it starts on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub separator: u8,
    /// The header's line (1 = the file's first line).
    pub header_line: u32,
    pub headers: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub line: u32,
    pub cells: Vec<String>,
}

impl Table {
    /// The separator's name as the API reports it.
    pub fn separator_name(&self) -> &'static str {
        match self.separator {
            b';' => "semicolon",
            b'\t' => "tab",
            _ => "comma",
        }
    }

    /// The index of the first column with one of `names` (compared
    /// case-insensitively, ignoring surrounding spaces).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            self.headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        })
    }
}

/// The most records a file may hold.
pub const MAX_RECORDS: usize = 100_000;
/// The most lines looked at to find the header.
const HEADER_SCAN: usize = 30;

/// Reads a spreadsheet. The header is the line, among the first few, where
/// `known` recognises the most column names (LinkedIn puts a few lines of
/// notes before it); failing that, the first line that is not empty. The
/// separator is the one of comma, semicolon and tab that splits that line
/// into the most columns.
pub fn read_table(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Table, Unreadable> {
    read_table_with(text, known, &super::Progress::default())
}

/// [`read_table`], reporting the bytes read so far.
pub fn read_table_with(
    text: &str,
    known: &dyn Fn(&str) -> bool,
    progress: &super::Progress,
) -> Result<Table, Unreadable> {
    let mut best: Option<(usize, usize, u8, usize)> = None; // (score, columns, sep, offset)
    let mut offset = 0;
    let mut first_nonempty = None;
    for (index, line) in text.split_inclusive('\n').take(HEADER_SCAN).enumerate() {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            first_nonempty.get_or_insert(offset);
            for separator in [b',', b';', b'\t'] {
                let cells = split_line(trimmed, separator);
                let score = cells.iter().filter(|c| known(c)).count();
                let candidate = (score, cells.len(), separator, offset);
                if score > 0 && best.is_none_or(|(s, n, _, _)| (score, cells.len()) > (s, n)) {
                    best = Some(candidate);
                }
            }
        }
        offset += line.len();
        let _ = index;
    }
    let (separator, start) = match best {
        Some((score, _, separator, start)) if score >= 2 => (separator, start),
        _ => {
            let Some(start) = first_nonempty else {
                return Err(Unreadable::new(
                    "file",
                    "The file is empty: it holds no rows.",
                ));
            };
            let line = text[start..].lines().next().unwrap_or_default();
            let separator = [b',', b';', b'\t']
                .into_iter()
                .max_by_key(|s| split_line(line, *s).len())
                .unwrap_or(b',');
            (separator, start)
        }
    };
    let header_line = text[..start].matches('\n').count() as u32 + 1;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .has_headers(true)
        .from_reader(&text.as_bytes()[start..]);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Unreadable::new("file", format!("The header cannot be read: {e}.")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    // Lines are counted from the record's byte offset: the reader's own
    // line count is not the line a record starts on.
    let body = &text[start..];
    let (mut counted_to, mut line_at) = (0usize, header_line);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue;
                }
                if records.len() == MAX_RECORDS {
                    return Err(Unreadable::new(
                        "file",
                        format!("The file holds more than {MAX_RECORDS} rows: split it and import each part."),
                    ));
                }
                let mut byte = record
                    .position()
                    .map_or(0, |p| p.byte() as usize)
                    .min(body.len());
                while matches!(body.as_bytes().get(byte), Some(b'\r' | b'\n')) {
                    byte += 1;
                }
                line_at += body.as_bytes()[counted_to..byte]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u32;
                counted_to = byte;
                let line = line_at;
                if records.len() % 1024 == 0 {
                    progress.at((start + byte) as u64);
                }
                records.push(Record {
                    line,
                    cells: record.iter().map(str::to_owned).collect(),
                });
            }
            Err(error) => {
                let line = error
                    .position()
                    .map_or(0, |p| p.line() as u32 + header_line - 1);
                return Err(Unreadable::new(
                    "file",
                    format!("The file cannot be read as a table near line {line}: {error}."),
                ));
            }
        }
    }
    if records.is_empty() {
        return Err(Unreadable::new(
            "file",
            "The file holds a header but no rows.",
        ));
    }
    Ok(Table {
        separator,
        header_line,
        headers,
        records,
    })
}

/// One line's cells (quotes understood), for finding the header.
fn split_line(line: &str, separator: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_known(cell: &str) -> bool {
        ["first name", "last name", "company", "email"]
            .iter()
            .any(|k| cell.eq_ignore_ascii_case(k))
    }

    #[test]
    fn encodings_are_recognised() {
        let plain = "Name,Company\nJosé,Acme\n";
        assert_eq!(decode(plain.as_bytes()).unwrap().encoding, "UTF-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        let decoded = decode(&bom).unwrap();
        assert_eq!(decoded.encoding, "UTF-8 with BOM");
        assert_eq!(decoded.text, plain);
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(plain.encode_utf16().flat_map(u16::to_le_bytes));
        let decoded = decode(&utf16).unwrap();
        assert_eq!((decoded.encoding, &*decoded.text), ("UTF-16LE", plain));
        let bare16: Vec<u8> = plain.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&bare16).unwrap().text, plain);
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(plain);
        let decoded = decode(&latin).unwrap();
        assert_eq!((decoded.encoding, &*decoded.text), ("windows-1252", plain));
        assert!(decode(&[0x89, b'P', b'N', b'G', 0, 0, 0, 1, 2, 3]).is_err());
    }

    #[test]
    fn the_header_is_found_after_a_preamble_and_the_separator_detected() {
        let text = "Notes:\r\n\"When exporting, some emails may be missing.\"\r\n\r\nFirst Name;Last Name;Company\r\nAda;Lovelace;\"Engines; Ltd\"\r\n\r\nGrace;Hopper;Navy\r\n";
        let table = read_table(text, &any_known).unwrap();
        assert_eq!(table.separator_name(), "semicolon");
        assert_eq!(table.header_line, 4);
        assert_eq!(table.headers, ["First Name", "Last Name", "Company"]);
        assert_eq!(table.records.len(), 2);
        assert_eq!(table.records[0].line, 5);
        assert_eq!(table.records[0].cells[2], "Engines; Ltd");
        assert_eq!(table.records[1].line, 7);
    }

    #[test]
    fn quoted_line_breaks_stay_in_their_cell() {
        let text = "Name\tNotes\nAda\t\"first line\nsecond line\"\nGrace\tx\n";
        let table = read_table(text, &|_| false).unwrap();
        assert_eq!(table.separator_name(), "tab");
        assert_eq!(table.records[0].cells[1], "first line\nsecond line");
        assert_eq!(table.records[1].line, 4);
    }

    #[test]
    fn empty_files_and_empty_lines_are_refused() {
        assert!(read_table("", &any_known).is_err());
        assert!(read_table(&"\n".repeat(100_000), &any_known).is_err());
        assert!(read_table("Name,Email\n,\n,\n", &any_known).is_err());
    }
}
