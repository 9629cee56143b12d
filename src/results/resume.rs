//! `run --resume`: whether the run started in a results folder may be
//! continued with the experiment as it is now, which of its recorded runs
//! are kept, and which runs are missing. Pure: the caller reads the files
//! and writes what this returns.
//!
//! The rules (the README's "Resuming a run" says the same):
//! - the experiment file must be unchanged (its SHA-256), and so must every
//!   cell's hash (the resolved cell, the seed, conlab's version); if not,
//!   the cells that differ are named and nothing runs;
//! - a recorded measured run (`ok`) is kept if its cell is still runnable
//!   and its repetition is within the run's repetitions, the first of each
//!   (cell, repetition) only;
//! - failed and timed-out runs count as missing and are run again, and
//!   skipped cells are checked again (their rows are written anew), so the
//!   end is exactly the rows a whole run would have had, none twice;
//! - a last `runs.csv` row cut short (a run killed mid-append) is dropped;
//! - `groups.csv` keeps the rows of the kept runs only: a run killed after
//!   its group rows were written but before its `runs.csv` row counts as
//!   missing, and its group rows go with it.

use std::collections::{BTreeMap, HashSet};

use super::export;
use super::manifest::{CellHash, StartedRun};
use super::record::{GroupRecord, RunRecord, RunStatus};
use crate::matrix::Cell;

/// `runs.csv` as read back: its header line and its complete rows.
#[derive(Debug)]
pub struct RunsCsv<'a> {
    /// The header line with its line end; empty if there is none yet.
    pub header: &'a [u8],
    pub rows: Vec<Row<'a>>,
    /// Bytes at the end that were not a complete row.
    pub dropped_tail: usize,
}

/// One complete row: its bytes as written and what they say.
#[derive(Debug)]
pub struct Row<'a> {
    pub bytes: &'a [u8],
    pub record: RunRecord,
    /// 1-based line of the row in the file.
    pub line: u64,
}

/// Reads `runs.csv`, dropping a last row that a killed run left
/// incomplete. Any other row that cannot be read is an error naming its
/// line.
pub fn read_runs(bytes: &[u8]) -> Result<RunsCsv<'_>, String> {
    // Every row ends with a newline; anything after the last one is a
    // row cut short.
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let complete = &bytes[..end];
    let mut out = RunsCsv {
        header: &[],
        rows: Vec::new(),
        dropped_tail: bytes.len() - end,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(complete);
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Ok(out),
        Err(e) => return Err(format!("line 1 (the header): {e}")),
    }
    out.header = &complete[..reader.position().byte() as usize];
    loop {
        let start = reader.position().byte() as usize;
        let line = reader.position().line();
        let mut record = csv::ByteRecord::new();
        let read = reader.read_byte_record(&mut record);
        let stop = (reader.position().byte() as usize).min(complete.len());
        let parsed = match read {
            Ok(false) => break,
            Ok(true) => record
                .deserialize::<RunRecord>(Some(&header))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match parsed {
            Ok(record) => out.rows.push(Row {
                bytes: &complete[start..stop],
                record,
                line,
            }),
            // A row cut inside a quoted message can end in a newline of
            // its own: the last row is dropped as cut short.
            Err(_) if stop >= complete.len() => {
                out.dropped_tail += complete.len() - start;
                break;
            }
            Err(e) => return Err(format!("line {line}: {e}")),
        }
    }
    Ok(out)
}

/// The `groups.csv` rows of the `kept` runs, as bytes (the header and the
/// rows as written; empty when none is kept) and as records. A last row
/// cut short is dropped; any other row that cannot be read is an error
/// naming its line.
pub fn keep_groups(
    bytes: &[u8],
    kept: &[RunRecord],
) -> Result<(Vec<u8>, Vec<GroupRecord>), String> {
    let runs: HashSet<(usize, u32)> = kept.iter().map(|r| (r.cell, r.repetition)).collect();
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let complete = &bytes[..end];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(complete);
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(format!("line 1 (the header): {e}")),
    }
    let header_bytes = &complete[..reader.position().byte() as usize];
    let mut csv_out = Vec::new();
    let mut records = Vec::new();
    loop {
        let start = reader.position().byte() as usize;
        let line = reader.position().line();
        let mut row = csv::ByteRecord::new();
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("line {line}: {e}")),
        }
        let stop = (reader.position().byte() as usize).min(complete.len());
        let record: GroupRecord = match row.deserialize(Some(&header)) {
            Ok(record) => record,
            Err(_) if stop >= complete.len() => break,
            Err(e) => return Err(format!("line {line}: {e}")),
        };
        if runs.contains(&(record.cell, record.repetition)) {
            csv_out.extend_from_slice(&complete[start..stop]);
            records.push(record);
        }
    }
    if records.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut all = header_bytes.to_vec();
    all.extend_from_slice(&csv_out);
    Ok((all, records))
}

/// Why the run cannot be resumed with the experiment as it is now.
#[derive(Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Another conlab started it.
    Version { started: String },
    /// The file changed: each cell that differs and how (`changed`,
    /// `new`, `no longer in the file`, `moved from cell N`); empty if only
    /// text outside the cells changed.
    Experiment { cells: Vec<(String, String)> },
}

/// Compares the run as started with its cells as they are now (`now`,
/// matched by label) and the experiment file's hash `sha256`.
pub fn check(started: &StartedRun, now: &[CellHash], sha256: &str) -> Result<(), Mismatch> {
    if started.conlab_version != env!("CARGO_PKG_VERSION") {
        return Err(Mismatch::Version {
            started: started.conlab_version.clone(),
        });
    }
    let before: BTreeMap<&str, &CellHash> = started
        .cells
        .iter()
        .map(|c| (c.label.as_str(), c))
        .collect();
    let after: BTreeMap<&str, &CellHash> = now.iter().map(|c| (c.label.as_str(), c)).collect();
    let mut cells = Vec::new();
    for c in now {
        let how = match before.get(c.label.as_str()) {
            None => "new".to_string(),
            Some(b) if b.sha256 != c.sha256 => "changed".to_string(),
            Some(b) if b.cell != c.cell => format!("moved from cell {} to cell {}", b.cell, c.cell),
            Some(_) => continue,
        };
        cells.push((c.label.clone(), how));
    }
    for c in &started.cells {
        if !after.contains_key(c.label.as_str()) {
            cells.push((c.label.clone(), "no longer in the file".to_string()));
        }
    }
    if !cells.is_empty() || started.experiment_sha256 != sha256 {
        return Err(Mismatch::Experiment { cells });
    }
    Ok(())
}

/// What the resumed run starts from.
#[derive(Debug)]
pub struct Kept {
    /// The recorded runs kept, in file order.
    pub records: Vec<RunRecord>,
    /// The new `runs.csv`: the header and the kept rows, byte for byte.
    pub csv: Vec<u8>,
    pub has_header: bool,
    /// Rows dropped to be run (or recorded) again.
    pub replaced: usize,
    /// Cells whose first measured run is run again, so their timeline too.
    pub rerun_timelines: Vec<usize>,
}

/// Picks the rows to keep. `cells` are the run's cells now (already
/// checked to match), `runnable` those not skipped on this machine.
pub fn keep(
    runs: &RunsCsv<'_>,
    cells: &[Cell],
    runnable: &HashSet<usize>,
    repetitions: u32,
) -> Result<Kept, String> {
    let mut seen = HashSet::new();
    let mut records = Vec::new();
    let mut rows = Vec::new();
    let mut replaced = 0;
    for row in &runs.rows {
        let r = &row.record;
        let Some(cell) = cells.iter().find(|c| c.index == r.cell) else {
            return Err(format!(
                "line {}: a run of cell {}, which the experiment does not have",
                row.line, r.cell
            ));
        };
        if cell.workload != r.workload || cell.variant != r.variant {
            return Err(format!(
                "line {}: cell {} is a run of `{} · {}` there, but the experiment's cell {} is `{}`",
                row.line,
                r.cell,
                r.workload,
                r.variant,
                cell.index,
                cell.label()
            ));
        }
        let wanted = r.status == RunStatus::Ok
            && runnable.contains(&r.cell)
            && (1..=repetitions).contains(&r.repetition)
            && seen.insert((r.cell, r.repetition));
        if wanted {
            records.push(r.clone());
            rows.push(row.bytes);
        } else {
            replaced += 1;
        }
    }
    let mut csv = Vec::new();
    if let Some(first) = records.first() {
        let expected = export::run_row(first, true).map_err(|e| e.to_string())?;
        let header_len = expected
            .iter()
            .position(|&b| b == b'\n')
            .map_or(expected.len(), |i| i + 1);
        if runs.header != &expected[..header_len] {
            return Err("line 1: its columns are not the ones this conlab writes".to_string());
        }
        csv.extend_from_slice(runs.header);
        for bytes in rows {
            csv.extend_from_slice(bytes);
        }
    }
    let rerun_timelines = cells
        .iter()
        .map(|c| c.index)
        .filter(|i| !seen.contains(&(*i, 1)))
        .collect();
    Ok(Kept {
        has_header: !records.is_empty(),
        records,
        csv,
        replaced,
        rerun_timelines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::manifest::cell_sha256;
    use crate::results::record::Measurement;

    fn cells() -> Vec<Cell> {
        let exp = match crate::config::from_text(
            "t.toml",
            "[[workload]]\nname = \"io\"\ntasks = [1, 2]\n[[model]]\nkind = \"sequential\"\n",
            "t",
        ) {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        crate::matrix::expand(&exp, 2)
    }

    fn csv_of(records: &[RunRecord]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, r) in records.iter().enumerate() {
            out.extend(export::run_row(r, i == 0).unwrap_or_default());
        }
        out
    }

    fn ok(cell: &Cell, rep: u32) -> RunRecord {
        RunRecord::measured(
            cell,
            rep,
            &Measurement {
                wall_ns: 1_500_000 + u64::from(rep),
                ..Measurement::default()
            },
        )
    }

    fn all(cells: &[Cell]) -> HashSet<usize> {
        cells.iter().map(|c| c.index).collect()
    }

    #[test]
    fn a_row_cut_short_is_dropped_and_the_rest_kept_byte_for_byte() {
        let cells = cells();
        let full = csv_of(&[ok(&cells[0], 1), ok(&cells[1], 1), ok(&cells[0], 2)]);
        let cut = &full[..full.len() - 7];
        let runs = match read_runs(cut) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(runs.rows.len(), 2);
        assert!(runs.dropped_tail > 0);
        let kept = match keep(&runs, &cells, &all(&cells), 3) {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        };
        let two_rows = csv_of(&[ok(&cells[0], 1), ok(&cells[1], 1)]);
        assert_eq!(kept.csv, two_rows);
        assert_eq!(kept.records.len(), 2);
        assert!(kept.has_header);
        assert_eq!(kept.rerun_timelines, Vec::<usize>::new());
    }

    #[test]
    fn a_cut_header_or_an_empty_file_keeps_nothing() {
        let cells = cells();
        let full = csv_of(&[ok(&cells[0], 1)]);
        for bytes in [&full[..0], &full[..10]] {
            let runs = match read_runs(bytes) {
                Ok(r) => r,
                Err(e) => panic!("{e}"),
            };
            assert!(runs.rows.is_empty());
            let kept = match keep(&runs, &cells, &all(&cells), 3) {
                Ok(k) => k,
                Err(e) => panic!("{e}"),
            };
            assert!(kept.csv.is_empty() && !kept.has_header);
            assert_eq!(kept.rerun_timelines, vec![0, 1]);
        }
    }

    #[test]
    fn a_row_cut_inside_a_quoted_message_is_dropped() {
        let cells = cells();
        let mut failed =
            RunRecord::new(&cells[1], 1, RunStatus::Failed, "line one\nline two".into());
        failed.message.push_str(" and more");
        let full = csv_of(&[ok(&cells[0], 1), failed]);
        let newline_in_message = full
            .windows(9)
            .position(|w| w == b"line one\n")
            .map_or(0, |i| i + 9);
        let runs = match read_runs(&full[..newline_in_message]) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(runs.rows.len(), 1);
    }

    #[test]
    fn failed_skipped_duplicate_and_extra_runs_are_replaced() {
        let cells = cells();
        let rows = [
            ok(&cells[0], 1),
            RunRecord::new(&cells[1], 1, RunStatus::Failed, "boom".into()),
            ok(&cells[0], 1),
            RunRecord::new(&cells[1], 2, RunStatus::Skipped, "not run".into()),
            ok(&cells[0], 4),
            ok(&cells[1], 2),
        ];
        let bytes = csv_of(&rows);
        let runs = match read_runs(&bytes) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let kept = match keep(&runs, &cells, &all(&cells), 3) {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        };
        let got: Vec<(usize, u32)> = kept
            .records
            .iter()
            .map(|r| (r.cell, r.repetition))
            .collect();
        assert_eq!(got, [(0, 1), (1, 2)]);
        assert_eq!(kept.replaced, 4);
        assert_eq!(kept.rerun_timelines, vec![1]);
        // A cell that is skipped now keeps none of its runs.
        let only_first: HashSet<usize> = [0].into();
        let kept = match keep(&runs, &cells, &only_first, 3) {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(kept.records.len(), 1);
    }

    #[test]
    fn a_row_of_another_cell_or_a_bad_middle_row_is_an_error() {
        let cells = cells();
        let mut wrong = ok(&cells[0], 1);
        wrong.variant = "threads".into();
        let bytes = csv_of(&[wrong]);
        let runs = match read_runs(&bytes) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            keep(&runs, &cells, &all(&cells), 3).err().as_deref(),
            Some(
                "line 2: cell 0 is a run of `io · threads` there, but the experiment's cell 0 is `io · sequential · tasks=1`"
            )
        );
        let mut bytes = csv_of(&[ok(&cells[0], 1)]);
        bytes.extend_from_slice(b"garbage\n");
        bytes.extend(export::run_row(&ok(&cells[0], 2), false).unwrap_or_default());
        let e = read_runs(&bytes).err().unwrap_or_default();
        assert!(e.starts_with("line 3: "), "{e}");
    }

    fn hashes(cells: &[Cell], seed: u64) -> Vec<CellHash> {
        cells
            .iter()
            .map(|c| CellHash {
                cell: c.index,
                label: c.label(),
                sha256: cell_sha256(c, seed),
            })
            .collect()
    }

    fn started(cells: &[Cell], sha: &str) -> StartedRun {
        StartedRun {
            conlab_version: env!("CARGO_PKG_VERSION").to_string(),
            experiment_file: "t.toml".into(),
            experiment_sha256: sha.into(),
            repetitions: 3,
            warmup: 1,
            filter: Vec::new(),
            shard: None,
            cells: hashes(cells, 0),
        }
    }

    #[test]
    fn check_names_the_cells_that_differ() {
        let cells = cells();
        let s = started(&cells, "abc");
        let now = hashes(&cells, 0);
        assert_eq!(check(&s, &now, "abc"), Ok(()));
        assert_eq!(
            check(&s, &now, "abd"),
            Err(Mismatch::Experiment { cells: Vec::new() })
        );
        let mut changed = hashes(&cells, 1);
        changed.truncate(1);
        changed.push(CellHash {
            cell: 1,
            label: "io · threads · tasks=1".into(),
            sha256: "x".into(),
        });
        let moved = Cell {
            index: 5,
            ..cells[0].clone()
        };
        let mut shifted = hashes(&[moved], 0);
        shifted.extend(hashes(&cells[1..], 0));
        let got = |now: &[CellHash]| match check(&s, now, "abd") {
            Err(Mismatch::Experiment { cells }) => cells,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            got(&changed),
            [
                ("io · sequential · tasks=1", "changed"),
                ("io · threads · tasks=1", "new"),
                ("io · sequential · tasks=2", "no longer in the file"),
            ]
            .map(|(l, h)| (l.to_string(), h.to_string()))
        );
        assert_eq!(
            got(&shifted),
            [(
                "io · sequential · tasks=1".to_string(),
                "moved from cell 0 to cell 5".to_string()
            )]
        );
        let mut old = s;
        old.conlab_version = "0.0.9".into();
        assert_eq!(
            check(&old, &now, "abc"),
            Err(Mismatch::Version {
                started: "0.0.9".into()
            })
        );
    }

    #[test]
    fn group_rows_of_kept_runs_stay_and_the_rest_go() {
        let header = "cell,repetition,group,tasks,completion_p50_ms,completion_p99_ms,\
                      completion_max_ms,wake_delay_p50_us,wake_delay_p99_us,wake_delay_max_us,\
                      rounds_per_s\n";
        let row = |cell: u32, rep: u32, group: &str| {
            format!("{cell},{rep},{group},1,1.0,1.0,1.0,20.0,30.0,40.0,100.0\n")
        };
        let text = format!(
            "{header}{}{}{}{}0,3,io,1,1.0",
            row(0, 1, "cpu"),
            row(0, 1, "io"),
            row(0, 2, "io"),
            row(1, 1, "io")
        );
        let cells = cells();
        let kept: Vec<RunRecord> = [(0, 1), (1, 1)]
            .into_iter()
            .map(|(c, rep)| RunRecord::measured(&cells[c], rep, &Measurement::default()))
            .collect();
        let (csv, records) = keep_groups(text.as_bytes(), &kept).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&csv),
            format!(
                "{header}{}{}{}",
                row(0, 1, "cpu"),
                row(0, 1, "io"),
                row(1, 1, "io")
            )
        );
        assert_eq!(records.len(), 3);
        let none = keep_groups(text.as_bytes(), &[]).unwrap_or_default();
        assert!(none.0.is_empty() && none.1.is_empty());
        let bad = format!("{header}x,1,io\n{}", row(0, 1, "io"));
        assert!(keep_groups(bad.as_bytes(), &kept).is_err_and(|e| e.starts_with("line 2")));
    }
}
