//! The `[[claim]]` verdicts and the crossovers, as every report starts
//! with them and as `conlab run` and `conlab check` print them: a row per
//! claim (and per point of a claim that applies at several), what was
//! checked, the measured value with its 95 % interval, and the verdict.
//! Pure: the judging is `results::claims`' and `results::crossovers`'.

use comfy_table::{Cell as TableCell, ContentArrangement, Table};

use super::table::STYLE;
use crate::results::claims::{ClaimResult, Outcome};
use crate::results::crossovers::Crossover;

/// How claims are judged, said once above them in every report.
pub const CLAIMS_NOTE: &str = "Each claim is judged on a 95 % interval (in parentheses after the measured value): it holds when the whole interval satisfies it, fails when the whole interval violates it, and is inconclusive otherwise (or when a point has fewer than two measured runs). A ratio of another model and a speedup: the ratio of the medians, and Welch's interval of the ratio (a t-test on the runs' log values, as conlab compare). An absolute value: the mean of the runs, and Student's t-interval of that mean. Efficiency: predicted / median, and the prediction over the t-interval of the mean wall time. A crossover: where the median curves cross (interpolated), from where they are last certainly on one side to where they are first certainly on the other; it holds when within its range the curves are certainly on each side somewhere, and fails when they are certainly on one side all through it. A claim that applies at several points holds when it holds at every one. \"Ran on a busy machine\": other work took CPU during the runs of a cell it is judged on (see the warnings), so its verdict may be that work's.";

/// How crossovers are found, said once above them.
pub const CROSSOVERS_NOTE: &str = "Where one model's median wall-time curve crosses another's along a swept axis: the logarithm of the ratio of their medians, interpolated linearly between neighbouring points (along the axis's logarithm where it spans two decades or more, as the charts draw it). The 95 % interval runs from where the curves are last certainly on one side to where they are first certainly on the other (Welch's interval of the ratio at each point); a crossing without one lies within the noise.";

/// The columns of the claims table.
pub const COLUMNS: [&str; 6] = [
    "#",
    "claim",
    "checked",
    "at",
    "measured (95 % interval)",
    "verdict",
];

/// One row of the claims table, formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictRow {
    /// The claim's number (from 1), on its first row only.
    pub number: String,
    pub claim: String,
    pub checked: String,
    pub at: String,
    pub measured: String,
    pub outcome: Outcome,
}

impl VerdictRow {
    pub fn cells(&self) -> [&str; 6] {
        [
            &self.number,
            &self.claim,
            &self.checked,
            &self.at,
            &self.measured,
            self.outcome.text(),
        ]
    }
}

/// The rows: one per claim that applies at one point; a claim's own row
/// (its overall verdict) and then one per point when it applies at several.
pub fn rows(claims: &[ClaimResult]) -> Vec<VerdictRow> {
    let mut rows = Vec::new();
    for (i, c) in claims.iter().enumerate() {
        let measured = |p: &crate::results::claims::PointResult| {
            let text = if p.note.is_empty() {
                p.measured.clone()
            } else {
                p.note.clone()
            };
            if p.busy_machine {
                format!("{text}; ran on a busy machine")
            } else {
                text
            }
        };
        let head = VerdictRow {
            number: (i + 1).to_string(),
            claim: c.text.clone(),
            checked: c.checked.clone(),
            at: String::new(),
            measured: String::new(),
            outcome: c.outcome,
        };
        match c.points.as_slice() {
            [one] => rows.push(VerdictRow {
                at: one.at.clone(),
                measured: measured(one),
                ..head
            }),
            many => {
                rows.push(head);
                for p in many {
                    rows.push(VerdictRow {
                        number: String::new(),
                        claim: String::new(),
                        checked: String::new(),
                        at: p.at.clone(),
                        measured: measured(p),
                        outcome: p.outcome,
                    });
                }
            }
        }
    }
    rows
}

/// `9 claims: 7 hold, 1 fails, 1 inconclusive`.
pub fn tally(claims: &[ClaimResult]) -> String {
    let count = |o: Outcome| claims.iter().filter(|c| c.outcome == o).count();
    let (holds, fails, open) = (
        count(Outcome::Holds),
        count(Outcome::Fails),
        count(Outcome::Inconclusive),
    );
    let s = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}: {}, {}, {}",
        s(claims.len(), "claim", "claims"),
        s(holds, "holds", "hold"),
        s(fails, "fails", "fail"),
        s(open, "inconclusive", "inconclusive")
    )
}

/// The claims table for a terminal, at most `width` columns wide, and
/// the tally under it: a row per claim (its text, and under it what was
/// checked), then a row per point of a claim that applies at several.
pub fn terminal(claims: &[ClaimResult], width: u16) -> String {
    let mut table = Table::new();
    table.load_preset(STYLE);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(width);
    table.set_header(["#", "verdict", "claim", "measured (95 % interval)"]);
    for row in rows(claims) {
        // A claim without a `text` reads as its rule: said once.
        let text = if row.claim == row.checked {
            String::new()
        } else {
            format!("{}\n", row.claim)
        };
        let claim = match (row.claim.is_empty(), row.at.is_empty()) {
            (false, true) => format!("{text}{}", row.checked),
            (false, false) => format!("{text}{}, at {}", row.checked, row.at),
            (true, _) => format!("  at {}", row.at),
        };
        let verdict = if row.claim.is_empty() {
            format!("  {}", row.outcome.text())
        } else {
            row.outcome.text().to_string()
        };
        table.add_row([
            TableCell::new(&row.number),
            TableCell::new(verdict),
            TableCell::new(claim),
            TableCell::new(&row.measured),
        ]);
    }
    format!(
        "Claims (each judged on its 95 % interval):\n{table}\n{}",
        tally(claims)
    )
}

/// The crossovers by workload, in results order.
pub fn by_workload(crossovers: &[Crossover]) -> Vec<(&str, Vec<&Crossover>)> {
    let mut out: Vec<(&str, Vec<&Crossover>)> = Vec::new();
    for c in crossovers {
        match out.iter_mut().find(|(w, _)| *w == c.workload) {
            Some((_, list)) => list.push(c),
            None => out.push((&c.workload, vec![c])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::claims::PointResult;

    fn point(at: &str, outcome: Outcome) -> PointResult {
        PointResult {
            at: at.to_string(),
            outcome,
            value: Some(1.0),
            low: Some(0.9),
            high: Some(1.1),
            measured: "1.0× sequential (0.9–1.1)".to_string(),
            note: String::new(),
            busy_machine: false,
        }
    }

    fn claim(text: &str, outcome: Outcome, points: Vec<PointResult>) -> ClaimResult {
        ClaimResult {
            text: text.to_string(),
            workload: "w".to_string(),
            model: "threads".to_string(),
            metric: "wall".to_string(),
            claimed: "≤ 1.2× sequential".to_string(),
            checked: "w · threads: wall ≤ 1.2× sequential".to_string(),
            outcome,
            line: 3,
            points,
        }
    }

    #[test]
    fn a_claim_of_several_points_gets_a_row_for_each() {
        let claims = [
            claim("One", Outcome::Holds, vec![point("", Outcome::Holds)]),
            claim(
                "Two",
                Outcome::Fails,
                vec![
                    point("tasks=1", Outcome::Holds),
                    point("tasks=2", Outcome::Fails),
                ],
            ),
        ];
        let rows = rows(&claims);
        let shown: Vec<[&str; 6]> = rows.iter().map(VerdictRow::cells).collect();
        assert_eq!(shown.len(), 4);
        assert_eq!(shown[0][0..2], ["1", "One"]);
        assert_eq!(shown[0][5], "holds");
        assert_eq!(shown[1][0..2], ["2", "Two"]);
        assert_eq!(shown[1][4], "");
        assert_eq!(shown[1][5], "fails");
        assert_eq!(
            shown[3][3..],
            ["tasks=2", "1.0× sequential (0.9–1.1)", "fails"]
        );
        assert_eq!(tally(&claims), "2 claims: 1 holds, 1 fails, 0 inconclusive");
        let text = terminal(&claims, 100);
        assert!(text.starts_with("Claims (each judged on its 95 % interval):\n"));
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    }

    #[test]
    fn a_claim_without_text_shows_its_rule_once_in_the_terminal() {
        let rule = "w · threads: wall ≤ 1.2× sequential";
        let untold = terminal(
            &[claim(rule, Outcome::Holds, vec![point("", Outcome::Holds)])],
            120,
        );
        assert_eq!(untold.matches(rule).count(), 1, "{untold}");
        let told = terminal(
            &[claim(
                "Told",
                Outcome::Holds,
                vec![point("", Outcome::Holds)],
            )],
            120,
        );
        assert_eq!(told.matches(rule).count(), 1, "{told}");
        assert_eq!(told.matches("Told").count(), 1, "{told}");
    }
}
