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
//!   and its row checks out against its cell: the cell's coordinates
//!   (workload, model, variant, kind, tasks, latency, cost, rounds, IO,
//!   parameters, counter), a repetition within the run's repetitions, the
//!   first row of each (cell, repetition), measured times that are finite
//!   and not negative; and its `groups.csv` rows are there, one per group
//!   of its cell, each once, with the group's tasks and valid times;
//! - every other row is run again: failed and timed-out runs as missing,
//!   skipped cells checked again (their rows are written anew), and rows
//!   that do not check out *dropped*, each with its line and the reason,
//!   so the end is exactly the rows a whole run would have had, none twice;
//! - a last row cut short (a run killed mid-append) is dropped; any other
//!   line that cannot be read at all, or a header that is not conlab's,
//!   refuses the resume (exit 2) before anything runs;
//! - `groups.csv` keeps the rows of the kept runs only: a run killed after
//!   its group rows were written but before its `runs.csv` row counts as
//!   missing, and its group rows go with it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::export;
use super::load;
use super::manifest::{CellHash, StartedRun};
use super::record::{GroupRecord, RunRecord, RunStatus};
use crate::format::excerpt;
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
        Err(e) => return Err(format!("line 1 (the header): {}", short(&e))),
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
            Err(e) => return Err(format!("line {line}: {}", short(&e))),
        }
    }
    Ok(out)
}

/// A reader's message, shortened: it can quote what it could not read.
fn short(e: &dyn std::fmt::Display) -> String {
    excerpt(&e.to_string(), 300).into_owned()
}

/// `groups.csv` as read back: its header line and its complete rows.
#[derive(Debug)]
pub struct GroupsCsv<'a> {
    pub header: &'a [u8],
    pub rows: Vec<GroupRow<'a>>,
}

/// One complete `groups.csv` row.
#[derive(Debug)]
pub struct GroupRow<'a> {
    pub bytes: &'a [u8],
    pub record: GroupRecord,
    pub line: u64,
}

/// Reads `groups.csv`, dropping a last row cut short. Any other row that
/// cannot be read is an error naming its line.
pub fn read_groups(bytes: &[u8]) -> Result<GroupsCsv<'_>, String> {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let complete = &bytes[..end];
    let mut out = GroupsCsv {
        header: &[],
        rows: Vec::new(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(complete);
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Ok(out),
        Err(e) => return Err(format!("line 1 (the header): {}", short(&e))),
    }
    out.header = &complete[..reader.position().byte() as usize];
    loop {
        let start = reader.position().byte() as usize;
        let line = reader.position().line();
        let mut row = csv::ByteRecord::new();
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("line {line}: {}", short(&e))),
        }
        let stop = (reader.position().byte() as usize).min(complete.len());
        match row.deserialize::<GroupRecord>(Some(&header)) {
            Ok(record) => out.rows.push(GroupRow {
                bytes: &complete[start..stop],
                record,
                line,
            }),
            Err(_) if stop >= complete.len() => break,
            Err(e) => return Err(format!("line {line}: {}", short(&e))),
        }
    }
    Ok(out)
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
    /// The kept runs' `groups.csv` rows, and the new `groups.csv` (the
    /// header and those rows, byte for byte; empty when none is kept).
    pub group_records: Vec<GroupRecord>,
    pub groups_csv: Vec<u8>,
    /// Rows run (or recorded) again as any resume does: failed, timed out,
    /// skipped, or of a cell this machine skips now.
    pub replaced: usize,
    /// Rows that did not check out, each with why: run again too.
    pub dropped: Vec<Dropped>,
    /// Cells whose first measured run is run again, so their timeline too.
    pub rerun_timelines: Vec<usize>,
}

/// A recorded run that did not check out.
#[derive(Debug, PartialEq, Eq)]
pub struct Dropped {
    /// Its line in `runs.csv`.
    pub line: u64,
    pub cell: usize,
    pub repetition: u32,
    pub reason: String,
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "runs.csv line {} (cell {}, repetition {}): {}",
            self.line, self.cell, self.repetition, self.reason
        )
    }
}

/// Why a resume is refused: a file that cannot be read at all.
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// `runs.csv` or `groups.csv`.
    pub file: &'static str,
    pub message: String,
}

/// What a row says of its cell's coordinates, beside what the cell says:
/// the first field that differs, named.
fn coordinates(row: &RunRecord, cell: &Cell) -> Option<String> {
    let want = RunRecord::new(cell, row.repetition, row.status, String::new());
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let fields: [(&str, String, String); 14] = [
        ("workload", row.workload.clone(), want.workload),
        ("model", row.model.clone(), want.model),
        ("variant", row.variant.clone(), want.variant),
        ("kind", row.kind.clone(), want.kind),
        ("tasks", row.tasks.to_string(), want.tasks.to_string()),
        ("io_latency", row.io_latency.clone(), want.io_latency),
        ("cpu_cost", row.cpu_cost.clone(), want.cpu_cost),
        ("rounds", num(row.rounds), num(want.rounds)),
        ("io", row.io.clone(), want.io),
        ("workers", num(row.workers), num(want.workers)),
        (
            "switch_interval",
            text(&row.switch_interval),
            text(&want.switch_interval),
        ),
        (
            "poll_interval",
            text(&row.poll_interval),
            text(&want.poll_interval),
        ),
        ("shared", row.shared.clone(), want.shared),
        (
            "await_inside",
            row.await_inside.map(|b| b.to_string()).unwrap_or_default(),
            want.await_inside.map(|b| b.to_string()).unwrap_or_default(),
        ),
    ];
    let show = |v: &str| {
        if v.is_empty() {
            "empty".to_string()
        } else {
            format!("`{}`", excerpt(v, 60))
        }
    };
    fields
        .iter()
        .find(|(_, got, want)| got != want)
        .map(|(name, got, want)| {
            format!(
                "its `{name}` is {}, but cell {} (`{}`) has {}",
                show(got),
                cell.index,
                cell.label(),
                show(want)
            )
        })
}

/// Why a measured row cannot be kept as it is, if it cannot.
fn row_problem(r: &RunRecord, cell: &Cell, repetitions: u32) -> Option<String> {
    if !(1..=repetitions).contains(&r.repetition) {
        return Some(format!(
            "repetition {} is not one of the run's {repetitions} (1 to {repetitions})",
            r.repetition
        ));
    }
    if let Some(problem) = coordinates(r, cell) {
        return Some(problem);
    }
    if r.wall_ms.is_none() {
        return Some("a measured run without `wall_ms`".to_string());
    }
    load::measured_run_problem(r)
}

/// Picks the rows to keep from `runs.csv` and `groups.csv` (`groups`:
/// its bytes). `cells` are the run's cells now (already checked to
/// match), `runnable` those not skipped on this machine.
pub fn keep(
    runs: &RunsCsv<'_>,
    groups: &[u8],
    cells: &[Cell],
    runnable: &HashSet<usize>,
    repetitions: u32,
) -> Result<Kept, Unreadable> {
    let unreadable = |file, message| Unreadable { file, message };
    let by_index: HashMap<usize, &Cell> = cells.iter().map(|c| (c.index, c)).collect();
    let mut first_line: HashMap<(usize, u32), u64> = HashMap::new();
    let mut dropped = Vec::new();
    let mut replaced = 0;
    // The rows that check out so far, with their lines and bytes.
    let mut candidates: Vec<&Row<'_>> = Vec::new();
    for row in &runs.rows {
        let r = &row.record;
        let drop = |reason: String| Dropped {
            line: row.line,
            cell: r.cell,
            repetition: r.repetition,
            reason,
        };
        let Some(cell) = by_index.get(&r.cell) else {
            let last = cells.iter().map(|c| c.index).max().unwrap_or(0);
            dropped.push(drop(format!(
                "cell {} is not a cell of the run (its cells are numbered up to {last})",
                r.cell
            )));
            continue;
        };
        if r.status != RunStatus::Ok || !runnable.contains(&r.cell) {
            replaced += 1;
            continue;
        }
        if let Some(problem) = row_problem(r, cell, repetitions) {
            dropped.push(drop(problem));
            continue;
        }
        if let Some(first) = first_line.get(&(r.cell, r.repetition)) {
            dropped.push(drop(format!(
                "a second row of this run (line {first} holds it, and is kept)"
            )));
            continue;
        }
        first_line.insert((r.cell, r.repetition), row.line);
        candidates.push(row);
    }
    let groups = read_groups(groups).map_err(|e| unreadable("groups.csv", e))?;
    // Each candidate's group rows, by (cell, repetition).
    let mut rows_of: HashMap<(usize, u32), Vec<&GroupRow<'_>>> = HashMap::new();
    for g in &groups.rows {
        let key = (g.record.cell, g.record.repetition);
        if first_line.contains_key(&key) {
            rows_of.entry(key).or_default().push(g);
        }
    }
    let mut records = Vec::new();
    let mut rows = Vec::new();
    let mut group_bytes = Vec::new();
    let mut group_records = Vec::new();
    for row in candidates {
        let r = &row.record;
        let Some(cell) = by_index.get(&r.cell) else {
            continue;
        };
        let mine = rows_of.remove(&(r.cell, r.repetition)).unwrap_or_default();
        match group_problem(cell, &mine) {
            Some(reason) => dropped.push(Dropped {
                line: row.line,
                cell: r.cell,
                repetition: r.repetition,
                reason,
            }),
            None => {
                records.push(r.clone());
                rows.push(row.bytes);
                for g in mine {
                    group_bytes.extend_from_slice(g.bytes);
                    group_records.push(g.record.clone());
                }
            }
        }
    }
    dropped.sort_by_key(|d| d.line);
    let mut csv = Vec::new();
    if let Some(first) = records.first() {
        let expected =
            export::run_row(first, true).map_err(|e| unreadable("runs.csv", e.to_string()))?;
        if runs.header != header_of(&expected) {
            return Err(unreadable(
                "runs.csv",
                "line 1: its columns are not the ones this conlab writes".to_string(),
            ));
        }
        csv.extend_from_slice(runs.header);
        for bytes in rows {
            csv.extend_from_slice(bytes);
        }
    }
    let mut groups_csv = Vec::new();
    if let Some(first) = group_records.first() {
        let expected = export::group_rows(std::slice::from_ref(first), true)
            .map_err(|e| unreadable("groups.csv", e.to_string()))?;
        if groups.header != header_of(&expected) {
            return Err(unreadable(
                "groups.csv",
                "line 1: its columns are not the ones this conlab writes".to_string(),
            ));
        }
        groups_csv.extend_from_slice(groups.header);
        groups_csv.extend_from_slice(&group_bytes);
    }
    let kept: HashSet<(usize, u32)> = records.iter().map(|r| (r.cell, r.repetition)).collect();
    let rerun_timelines = cells
        .iter()
        .map(|c| c.index)
        .filter(|i| !kept.contains(&(*i, 1)))
        .collect();
    Ok(Kept {
        has_header: !records.is_empty(),
        records,
        csv,
        group_records,
        groups_csv,
        replaced,
        dropped,
        rerun_timelines,
    })
}

/// The header line of `bytes` (a header and rows), with its line end.
fn header_of(bytes: &[u8]) -> &[u8] {
    let len = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    &bytes[..len]
}

/// Why a run's `groups.csv` rows (`rows`, in file order) do not check
/// out against its cell: one row per group, each once, with the group's
/// tasks and valid times.
fn group_problem(cell: &Cell, rows: &[&GroupRow<'_>]) -> Option<String> {
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for g in rows {
        let name = g.record.group.as_str();
        let Some(group) = cell.groups.iter().find(|x| x.name == name) else {
            return Some(format!(
                "groups.csv line {} names group `{}`, which its cell does not have",
                g.line,
                excerpt(name, 60)
            ));
        };
        if let Some(first) = seen.insert(name, g.line) {
            return Some(format!(
                "groups.csv lines {first} and {} both hold its group `{name}`",
                g.line
            ));
        }
        if g.record.tasks != group.tasks {
            return Some(format!(
                "groups.csv line {} gives group `{name}` {} tasks, but it has {}",
                g.line, g.record.tasks, group.tasks
            ));
        }
        if let Some(problem) = load::group_row_problem(&g.record) {
            return Some(format!("groups.csv line {}: {problem}", g.line));
        }
    }
    let missing: Vec<String> = cell
        .groups
        .iter()
        .filter(|g| !seen.contains_key(g.name.as_str()))
        .map(|g| format!("`{}`", g.name))
        .collect();
    match missing.len() {
        0 => None,
        1 => Some(format!(
            "groups.csv has no row for its group {}",
            missing[0]
        )),
        _ => Some(format!(
            "groups.csv has no row for its groups {}",
            missing.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::manifest::cell_sha256;
    use crate::results::record::{GroupMeasurement, Measurement};

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

    fn measurement(cell: &Cell, rep: u32) -> Measurement {
        Measurement {
            wall_ns: 1_500_000 + u64::from(rep),
            groups: cell
                .groups
                .iter()
                .map(|g| GroupMeasurement {
                    tasks: g.tasks,
                    completion_p50_ns: 1_000_000,
                    ..GroupMeasurement::default()
                })
                .collect(),
            ..Measurement::default()
        }
    }

    fn ok(cell: &Cell, rep: u32) -> RunRecord {
        RunRecord::measured(cell, rep, &measurement(cell, rep))
    }

    /// `groups.csv` of the measured runs among `runs`.
    fn groups_of(cells: &[Cell], runs: &[RunRecord]) -> Vec<u8> {
        let rows: Vec<GroupRecord> = runs
            .iter()
            .filter(|r| r.status == RunStatus::Ok)
            .flat_map(|r| {
                let cell = &cells[r.cell];
                GroupRecord::of_run(cell, r.repetition, &measurement(cell, r.repetition))
            })
            .collect();
        if rows.is_empty() {
            return Vec::new();
        }
        export::group_rows(&rows, true).unwrap_or_default()
    }

    fn all(cells: &[Cell]) -> HashSet<usize> {
        cells.iter().map(|c| c.index).collect()
    }

    fn kept(runs: &[u8], groups: &[u8], cells: &[Cell], runnable: &HashSet<usize>) -> Kept {
        let runs = match read_runs(runs) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        match keep(&runs, groups, cells, runnable, 3) {
            Ok(k) => k,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_row_cut_short_is_dropped_and_the_rest_kept_byte_for_byte() {
        let cells = cells();
        let rows = [ok(&cells[0], 1), ok(&cells[1], 1), ok(&cells[0], 2)];
        let full = csv_of(&rows);
        let cut = &full[..full.len() - 7];
        let runs = match read_runs(cut) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(runs.rows.len(), 2);
        assert!(runs.dropped_tail > 0);
        let groups = groups_of(&cells, &rows);
        let kept = kept(cut, &groups, &cells, &all(&cells));
        let two_rows = csv_of(&[ok(&cells[0], 1), ok(&cells[1], 1)]);
        assert_eq!(kept.csv, two_rows);
        assert_eq!(kept.groups_csv, groups_of(&cells, &rows[..2]));
        assert_eq!(kept.records.len(), 2);
        assert!(kept.has_header);
        assert!(kept.dropped.is_empty(), "{:?}", kept.dropped);
        assert_eq!(kept.rerun_timelines, Vec::<usize>::new());
    }

    #[test]
    fn a_cut_header_or_an_empty_file_keeps_nothing() {
        let cells = cells();
        let full = csv_of(&[ok(&cells[0], 1)]);
        for bytes in [&full[..0], &full[..10]] {
            let kept = kept(bytes, b"", &cells, &all(&cells));
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
    fn failed_and_skipped_runs_are_replaced_and_a_skipped_cell_keeps_none() {
        let cells = cells();
        let rows = [
            ok(&cells[0], 1),
            RunRecord::new(&cells[1], 1, RunStatus::Failed, "boom".into()),
            RunRecord::new(&cells[1], 2, RunStatus::Skipped, "not run".into()),
            ok(&cells[1], 3),
        ];
        let (bytes, groups) = (csv_of(&rows), groups_of(&cells, &rows));
        let k = kept(&bytes, &groups, &cells, &all(&cells));
        let got: Vec<(usize, u32)> = k.records.iter().map(|r| (r.cell, r.repetition)).collect();
        assert_eq!(got, [(0, 1), (1, 3)]);
        assert_eq!(k.replaced, 2);
        assert!(k.dropped.is_empty());
        assert_eq!(k.rerun_timelines, vec![1]);
        // A cell that is skipped now keeps none of its runs.
        let only_first: HashSet<usize> = [0].into();
        let k = kept(&bytes, &groups, &cells, &only_first);
        assert_eq!(k.records.len(), 1);
        assert_eq!(k.replaced, 3);
    }

    fn dropped(k: &Kept) -> Vec<String> {
        k.dropped.iter().map(|d| d.to_string()).collect()
    }

    /// Issue 22: rows with a negative or NaN time, another cell's model or
    /// tasks, a repetition out of range or a second row of a run were
    /// kept or dropped silently; each is dropped, saying why.
    #[test]
    fn rows_that_do_not_check_out_are_dropped_with_the_reason() {
        let cells = cells();
        let mut negative = ok(&cells[0], 1);
        negative.wall_ms = Some(-5.0);
        let mut nan = ok(&cells[0], 2);
        nan.user_ms = Some(f64::NAN);
        let mut model = ok(&cells[1], 1);
        model.model = "threads".into();
        let mut tasks = ok(&cells[1], 2);
        tasks.tasks = 999;
        let mut twice = ok(&cells[0], 3);
        twice.wall_ms = Some(7.0);
        let rows = [
            negative,
            nan,
            model,
            tasks,
            ok(&cells[0], 0),
            ok(&cells[0], 4),
            ok(&cells[0], 3),
            twice,
            ok(&cells[1], 3),
        ];
        // The second row of run 3 was copied into runs.csv alone.
        let once: Vec<RunRecord> = rows.iter().take(7).chain(rows.last()).cloned().collect();
        let (bytes, groups) = (csv_of(&rows), groups_of(&cells, &once));
        let k = kept(&bytes, &groups, &cells, &all(&cells));
        let got: Vec<(usize, u32)> = k.records.iter().map(|r| (r.cell, r.repetition)).collect();
        assert_eq!(got, [(0, 3), (1, 3)]);
        assert_eq!(
            dropped(&k),
            [
                "runs.csv line 2 (cell 0, repetition 1): `wall_ms` is -5; measurements are finite numbers, 0 or more",
                "runs.csv line 3 (cell 0, repetition 2): `user_ms` is NaN; measurements are finite numbers, 0 or more",
                "runs.csv line 4 (cell 1, repetition 1): its `model` is `threads`, but cell 1 (`io · sequential · tasks=2`) has `sequential`",
                "runs.csv line 5 (cell 1, repetition 2): its `tasks` is `999`, but cell 1 (`io · sequential · tasks=2`) has `2`",
                "runs.csv line 6 (cell 0, repetition 0): repetition 0 is not one of the run's 3 (1 to 3)",
                "runs.csv line 7 (cell 0, repetition 4): repetition 4 is not one of the run's 3 (1 to 3)",
                "runs.csv line 9 (cell 0, repetition 3): a second row of this run (line 8 holds it, and is kept)",
            ]
        );
        assert_eq!(k.replaced, 0);
        assert_eq!(k.rerun_timelines, vec![0, 1]);
    }

    /// Issue 22: a deleted, cut or duplicated groups.csv lost the kept
    /// runs' group rows for good; a run whose group rows do not check out
    /// is run again.
    #[test]
    fn a_run_whose_group_rows_do_not_check_out_is_run_again() {
        let cells = cells();
        let rows = [ok(&cells[0], 1), ok(&cells[1], 1), ok(&cells[1], 2)];
        let bytes = csv_of(&rows);
        let groups = groups_of(&cells, &rows);
        // Deleted: no run keeps its group rows, so none is kept.
        let k = kept(&bytes, b"", &cells, &all(&cells));
        assert!(k.records.is_empty());
        assert_eq!(
            dropped(&k)[0],
            "runs.csv line 2 (cell 0, repetition 1): groups.csv has no row for its group `io`"
        );
        // A row twice: that run is run again, the others kept.
        let text = String::from_utf8_lossy(&groups).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let doubled = format!("{}\n{}\n", text.trim_end(), lines[2]);
        let k = kept(&bytes, doubled.as_bytes(), &cells, &all(&cells));
        assert_eq!(
            dropped(&k),
            [
                "runs.csv line 3 (cell 1, repetition 1): groups.csv lines 3 and 5 both hold its group `io`"
            ]
        );
        assert_eq!(k.records.len(), 2);
        let kept_groups = String::from_utf8_lossy(&k.groups_csv).into_owned();
        assert_eq!(kept_groups.lines().count(), 3, "{kept_groups}");
        // Cut short: the last run loses its row, and is run again.
        let k = kept(&bytes, &groups[..groups.len() - 5], &cells, &all(&cells));
        assert_eq!(
            dropped(&k),
            ["runs.csv line 4 (cell 1, repetition 2): groups.csv has no row for its group `io`"]
        );
        // A malformed line in the middle cannot be read at all.
        let bad = format!("{}\n\"x\n{}\n", lines[0], lines[1]);
        let runs = read_runs(&bytes).unwrap_or_else(|e| panic!("{e}"));
        let e = keep(&runs, bad.as_bytes(), &cells, &all(&cells), 3).map(|_| ());
        assert!(
            matches!(&e, Err(Unreadable { file: "groups.csv", message }) if message.starts_with("line 2")),
            "{e:?}"
        );
    }

    #[test]
    fn a_bad_middle_row_cannot_be_read() {
        let cells = cells();
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
}
