//! Daily roll-ups behind the insights. Each submission contributes a few counts (its
//! "facts") to the organisation's day it arrived on, in the organisation's time zone:
//! how it was rated, what it complained of, when it was answered, and so on. The search
//! indexer adds a submission's facts in the same transaction that indexes it, just after
//! the collector's commit and off its path; a triage change to a submission already
//! counted takes its old facts away and adds its new ones in the change's own
//! transaction. The figures then read a few rows a day instead of every submission, and
//! add the facts of the few submissions not yet indexed, so they are never behind.
//!
//! "Counted" means indexed for search: on SQLite every submission up to the indexer's
//! mark (one writer, in order), on PostgreSQL every one with a search row (instances
//! commit out of order); see `counted` and `Store::uncounted`.

use super::{now_millis, parse_column, Arg, Backend, Columns, Named, Sql, Store};
use crate::error::{Error, Result};
use crate::metrics::*;
use crate::model::{rfc3339_from_millis, Dimension, Kind, Status};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap};

const MINUTE: i64 = 60_000;
const DAY_SECONDS: i64 = 86_400;
/// The longest period the figures count.
pub const MAX_DAYS: i64 = 1_100;
/// A period not given is this many days up to today.
const DEFAULT_DAYS: i64 = 30;
/// The longest title of a mark.
const MAX_MARK_TITLE: usize = 200;
/// A mark's check compares at most this many days on each side of it.
const MARK_WINDOW_DAYS: i64 = 28;

/// The columns a submission's facts are made of (aliased `s`).
pub(super) const SUBJECT_COLUMNS: &str = "s.seq, s.org_id, s.site_id, s.received_at, s.kind, s.rating, \
     s.dimensions, s.category, s.stage, s.status, s.customer_tier, s.assignee_id, s.first_response_due, \
     s.resolution_due, s.first_response_at, s.resolved_at, s.recovery_rating, s.message";

/// Where an organisation's roll-ups are, of its row (aliased `o`), for `Counts::from_row`.
const COUNTS_COLUMNS: &str = "COALESCE(o.count_key, o.id) AS count_key, \
     COALESCE(o.count_zone, o.time_zone) AS count_zone, o.recount_key, o.time_zone, o.recounted_to";

/// Where an organisation's roll-ups are: under `key` (in its `org_id` column), by the
/// days of `zone`. After a change of time zone they stay there, complete, while a
/// recount fills another key by the new zone's days; then that key takes over.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Counts {
    pub key: String,
    pub zone: String,
    /// A recount's key, zone and the highest `seq` it has counted.
    pub recount: Option<(String, String, i64)>,
}

impl Counts {
    pub(super) fn from_row(row: &impl Columns) -> Result<Counts> {
        let recount = match (row.text("recount_key")?, row.text("time_zone")?, row.int("recounted_to")?) {
            (Some(key), Some(zone), Some(to)) => Some((key, zone, to)),
            _ => None,
        };
        Ok(Counts {
            key: row.required("count_key", row.text("count_key")?)?,
            zone: row.text("count_zone")?.unwrap_or_else(|| "UTC".into()),
            recount,
        })
    }

    /// The organisation `org_id`'s, read inside `tx`; on PostgreSQL `locked` (in a write
    /// transaction) waits for a recount step working on it and holds the next one off
    /// until `tx` ends, so that what is counted and what the recount counts agree.
    pub(super) async fn of(
        backend: Backend,
        tx: &mut Transaction<'static, Any>,
        org_id: &str,
        locked: bool,
    ) -> Result<Counts> {
        let share = match backend {
            Backend::Postgres if locked => " FOR SHARE",
            _ => "",
        };
        let row = sqlx::query(&format!("SELECT {COUNTS_COLUMNS} FROM orgs o WHERE o.id = $1{share}"))
            .bind(org_id)
            .fetch_one(&mut **tx)
            .await?;
        Counts::from_row(&row)
    }

    /// Every organisation's, by id, on the SQLite writer's own connection (inside its
    /// transaction, which no other writer shares).
    pub(super) fn all_sqlite(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<HashMap<String, Counts>> {
        let mut select = tx.prepare_cached(&format!("SELECT o.id, {COUNTS_COLUMNS} FROM orgs o"))?;
        let names: Vec<String> = select.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = select.query([])?;
        let mut all = HashMap::new();
        while let Some(row) = rows.next()? {
            let counts = Counts::from_row(&Named { row, names: &names })
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
            all.insert(row.get("id")?, counts);
        }
        Ok(all)
    }

    /// Where a submission's facts go: the roll-ups read now, and the recount's once it
    /// has passed the submission (`seq`).
    fn targets(&self, seq: i64) -> impl Iterator<Item = (&str, &str)> {
        let recount = self.recount.as_ref().filter(|(_, _, to)| seq <= *to);
        std::iter::once((self.key.as_str(), self.zone.as_str()))
            .chain(recount.map(|(key, zone, _)| (key.as_str(), zone.as_str())))
    }
}

/// What the figures need of one submission.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Subject {
    pub seq: i64,
    pub org_id: String,
    pub site_id: String,
    pub received_at: i64,
    pub kind: Kind,
    pub rating: Option<i64>,
    pub dimensions: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub status: Status,
    pub key_customer: bool,
    pub assignee_id: Option<String>,
    pub first_response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub recovery_rating: Option<i64>,
    pub message: Option<String>,
}

impl Subject {
    pub(super) fn from_row(row: &impl Columns) -> Result<Subject> {
        Ok(Subject {
            seq: row.required("seq", row.int("seq")?)?,
            org_id: row.required("org_id", row.text("org_id")?)?,
            site_id: row.required("site_id", row.text("site_id")?)?,
            received_at: row.required("received_at", row.int("received_at")?)?,
            kind: parse_column(row, "kind")?,
            rating: row.int("rating")?,
            dimensions: row.text("dimensions")?,
            category: row.text("category")?,
            stage: row.text("stage")?,
            status: parse_column(row, "status")?,
            key_customer: row.text("customer_tier")?.is_some(),
            assignee_id: row.text("assignee_id")?,
            first_response_due: row.int("first_response_due")?,
            resolution_due: row.int("resolution_due")?,
            first_response_at: row.int("first_response_at")?,
            resolved_at: row.int("resolved_at")?,
            recovery_rating: row.int("recovery_rating")?,
            message: row.text("message")?,
        })
    }

    /// Ratings of 1–2 and complaints: whose words say what went wrong.
    fn unhappy(&self) -> bool {
        self.kind == Kind::Complaint || self.rating.is_some_and(|r| r <= 2)
    }
}

/// The days of a block, the roll-ups' longer span: a long period reads its whole blocks
/// and only its edges day by day.
const BLOCK: i64 = 32;
/// The site a fact of every site is also summed under.
const ALL_SITES: &str = "";

/// What a submission's facts are summed under: in `metric_days`, or a phrase in
/// `metric_phrases`. `day` is the first of the `span` (1 or `BLOCK`) days.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Bucket {
    org_id: String,
    site_id: String,
    span: i64,
    day: i64,
    measure: &'static str,
    key: String,
}

/// Counts under one key: how many, the sum of their values and of their squares.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Sum {
    n: i64,
    total: i64,
    squares: i64,
}

impl Sum {
    fn add(&mut self, other: Sum, sign: i64) {
        self.n += sign * other.n;
        self.total += sign * other.total;
        self.squares += sign * other.squares;
    }
}

const PHRASE: &str = "phrase";

/// Facts summed per bucket, to be added to the roll-ups in one statement.
#[derive(Default)]
pub(super) struct Tally {
    sums: HashMap<Bucket, Sum>,
    zones: HashMap<String, TimeZone>,
}

impl Tally {
    /// Adds `subject`'s facts (`sign` 1) or takes them away (`sign` -1) wherever its
    /// organisation's roll-ups are (`counts`, see `Counts::targets`).
    pub(super) fn add(&mut self, subject: &Subject, counts: &Counts, sign: i64) {
        for (key, zone) in counts.targets(subject.seq) {
            self.add_to(subject, key, zone, sign);
        }
    }

    /// Adds `subject`'s facts to the roll-ups under `key`, by the days of `zone`: under
    /// its site and all sites, its day and its block.
    pub(super) fn add_to(&mut self, subject: &Subject, key: &str, zone: &str, sign: i64) {
        let zone =
            self.zones.entry(zone.to_owned()).or_insert_with(|| TimeZone::get(zone).unwrap_or(TimeZone::UTC)).clone();
        let day = day_of(subject.received_at, &zone);
        let block = day.div_euclid(BLOCK) * BLOCK;
        let sums = &mut self.sums;
        facts(subject, &mut |measure, fact, value| {
            let sum = Sum { n: 1, total: value, squares: value * value };
            for site_id in [subject.site_id.as_str(), ALL_SITES] {
                for (span, day) in [(1, day), (BLOCK, block)] {
                    let (org_id, site_id, key) = (key.to_owned(), site_id.to_owned(), fact.clone());
                    let bucket = Bucket { org_id, site_id, span, day, measure, key };
                    sums.entry(bucket).or_default().add(sum, sign);
                }
            }
        });
    }

    pub(super) fn is_empty(&self) -> bool {
        self.sums.values().all(|s| *s == Sum::default())
    }

    /// The SQL that adds the tally to the roll-ups, `rows` buckets a statement.
    fn statements(&self, rows: usize) -> Vec<Sql> {
        let mut out = Vec::new();
        for (table, phrases) in [("metric_days", false), ("metric_phrases", true)] {
            let mut sums: Vec<_> =
                self.sums.iter().filter(|(b, s)| (b.measure == PHRASE) == phrases && **s != Sum::default()).collect();
            // One order for every writer, so that two never wait for each other's rows.
            sums.sort_by(|a, b| a.0.cmp(b.0));
            for sums in sums.chunks(rows) {
                let mut sql = Sql::default();
                let mut any = false;
                sql.push(&format!(
                    "INSERT INTO {table} (org_id, site_id, span, day, measure, key, n, total, squares) VALUES "
                ));
                for (bucket, sum) in sums {
                    let args = [
                        sql.arg(Arg::Text(bucket.org_id.clone())),
                        sql.arg(Arg::Text(bucket.site_id.clone())),
                        sql.arg(Arg::Int(bucket.span)),
                        sql.arg(Arg::Int(bucket.day)),
                        sql.arg(Arg::Text(bucket.measure.into())),
                        sql.arg(Arg::Text(bucket.key.clone())),
                        sql.arg(Arg::Int(sum.n)),
                        sql.arg(Arg::Int(sum.total)),
                        sql.arg(Arg::Int(sum.squares)),
                    ];
                    sql.push(&format!("{}({})", if any { ", " } else { "" }, args.join(", ")));
                    any = true;
                }
                sql.push(&format!(
                    " ON CONFLICT (org_id, site_id, span, day, measure, key) DO UPDATE SET n = {table}.n + excluded.n, \
                 total = {table}.total + excluded.total, squares = {table}.squares + excluded.squares"
                ));
                if any {
                    out.push(sql);
                }
            }
        }
        out
    }

    /// Adds the tally to the roll-ups inside `tx`.
    pub(super) async fn write(&self, backend: Backend, tx: &mut Transaction<'static, Any>) -> Result<()> {
        // sqlx's SQLite driver slows with the square of a statement's arguments (see
        // `seed`); PostgreSQL takes at most 65,535.
        let rows = match backend {
            Backend::Sqlite => 25,
            Backend::Postgres => 1_000,
        };
        for sql in self.statements(rows) {
            sql.query().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The same on the SQLite writer's own connection.
    pub(super) fn write_sqlite(&self, tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
        for table in ["metric_days", "metric_phrases"] {
            let mut upsert = tx.prepare_cached(&format!(
                "INSERT INTO {table} (org_id, site_id, span, day, measure, key, n, total, squares) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (org_id, site_id, span, day, measure, key) DO UPDATE SET n = n + excluded.n, \
                 total = total + excluded.total, squares = squares + excluded.squares"
            ))?;
            for (b, s) in &self.sums {
                if (b.measure == PHRASE) == (table == "metric_phrases") && *s != Sum::default() {
                    upsert.execute(rusqlite::params![
                        b.org_id, b.site_id, b.span, b.day, b.measure, b.key, s.n, s.total, s.squares
                    ])?;
                }
            }
        }
        Ok(())
    }
}

/// The local day (days since 1970-01-01) of `millis` in `zone`.
fn day_of(millis: i64, zone: &TimeZone) -> i64 {
    let date = Timestamp::from_millisecond(millis).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(zone.clone()).date();
    day_number(date)
}

fn day_number(date: Date) -> i64 {
    date.to_zoned(TimeZone::UTC).map(|z| z.timestamp().as_second().div_euclid(DAY_SECONDS)).unwrap_or(0)
}

fn date_of(day: i64) -> Date {
    Timestamp::from_second(day * DAY_SECONDS).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(TimeZone::UTC).date()
}

/// When `day` starts in `zone`, in milliseconds.
fn start_of(day: i64, zone: &TimeZone) -> i64 {
    date_of(day).to_zoned(zone.clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(day * DAY_SECONDS * 1000)
}

/// Whole minutes from `from` to `to`, as the roll-ups count them (`duration_step`).
fn minutes(from: i64, to: i64) -> i64 {
    duration_step((to - from).max(0) / MINUTE)
}

/// Every fact of `s`, as (measure, key, value). Spam has none.
fn facts(s: &Subject, out: &mut impl FnMut(&'static str, String, i64)) {
    if s.status == Status::Spam {
        return;
    }
    let stage = s.stage.clone().unwrap_or_default();
    let category = s.category.clone().unwrap_or_default();
    out("kind", s.kind.as_str().into(), 1);
    if let (Kind::Csat, Some(rating)) = (s.kind, s.rating) {
        let satisfied = i64::from(rating >= 4);
        out("rating", rating.to_string(), rating);
        out("csat_stage", stage.clone(), satisfied);
        out("csat_category", category.clone(), satisfied);
    }
    if s.kind != Kind::Complaint && s.rating.is_some_and(|r| r <= 2) {
        out("silent", String::new(), 1);
    }
    if let Some(dimensions) =
        s.dimensions.as_deref().and_then(|d| serde_json::from_str::<BTreeMap<String, i64>>(d).ok())
    {
        for (name, value) in dimensions {
            if let Ok(dimension) = name.parse::<Dimension>() {
                out("dimension", dimension.as_str().into(), value);
            }
        }
    }
    let resolved = s.status == Status::Resolved;
    if s.kind == Kind::Complaint {
        out("complaint_category", category.clone(), 1);
        out("complaint_stage", stage, 1);
        if resolved {
            out("complaint_resolved", String::new(), 1);
            if let Some(rating) = s.recovery_rating {
                out("recovery", rating.to_string(), i64::from(rating >= 4));
            }
        }
    }
    // Handling: the submissions the shop promised to answer.
    if let Some(first_due) = s.first_response_due {
        let resolved_at = s.resolved_at.filter(|_| resolved);
        if let Some(at) = s.first_response_at {
            out("first_response", minutes(s.received_at, at).to_string(), 1);
        }
        if let Some(at) = resolved_at {
            out("resolution", minutes(s.received_at, at).to_string(), 1);
        }
        let kept = |at: Option<i64>, due: Option<i64>| match (at, due) {
            (Some(at), Some(due)) if at <= due => "met",
            (Some(_), _) => "late",
            (None, _) => "open",
        };
        let first = kept(s.first_response_at, Some(first_due));
        let resolution = kept(resolved_at, s.resolution_due);
        out("sla_first", first.into(), 1);
        out("sla_resolution", resolution.into(), 1);
        if s.key_customer {
            out("key_sla_first", first.into(), 1);
            out("key_sla_resolution", resolution.into(), 1);
        }
        if let Some(agent) = &s.assignee_id {
            out("agent", agent.clone(), i64::from(resolved));
            if let Some(at) = s.first_response_at {
                out("agent_first", format!("{agent}|{}", minutes(s.received_at, at)), 1);
            }
        }
    }
    if s.unhappy() {
        if let Some(message) = &s.message {
            for phrase in crate::phrases::phrases(message) {
                out(PHRASE, format!("{category}\t{phrase}"), 1);
            }
        }
    }
}

/// The first `n` phrases, leaving out a word (or pair) that only ever occurs inside a
/// longer phrase of the list: as often as the longer one, it says nothing more. Only the
/// first `3 n` are compared: in the top list the longer phrase sorts just ahead of its
/// word (same count, longer first); in the rising one it is close by, not always.
fn shortlist(mut phrases: Vec<Phrase>, n: usize) -> Vec<Phrase> {
    phrases.truncate(3 * n);
    // English pairs are two words and a space; Chinese ones two words run together.
    let holds = |pair: &str, word: &str| match pair.contains(' ') {
        true => pair.split(' ').any(|part| part == word),
        false => pair.contains(word),
    };
    let inside = |p: &Phrase| {
        phrases.iter().any(|q| q.count == p.count && q.phrase.len() > p.phrase.len() && holds(&q.phrase, &p.phrase))
    };
    let mut kept: Vec<Phrase> = phrases.iter().filter(|p| !inside(p)).cloned().collect();
    kept.truncate(n);
    kept
}

/// Sums per (measure, key).
type Sums = HashMap<(String, String), Sum>;

fn get(sums: &Sums, measure: &str, key: &str) -> Sum {
    sums.get(&(measure.to_owned(), key.to_owned())).copied().unwrap_or_default()
}

fn keys<'a>(sums: &'a Sums, measure: &'a str) -> impl Iterator<Item = (&'a str, Sum)> + 'a {
    sums.iter().filter(move |((m, _), _)| m == measure).map(|((_, k), s)| (k.as_str(), *s))
}

/// `(minutes, how many)` in ascending order, from a histogram measure.
fn histogram<'a>(entries: impl Iterator<Item = (&'a str, Sum)>) -> Vec<(i64, i64)> {
    let mut values: BTreeMap<i64, i64> = BTreeMap::new();
    for (key, sum) in entries {
        if let Ok(minutes) = key.parse::<i64>() {
            *values.entry(minutes).or_default() += sum.n;
        }
    }
    values.into_iter().filter(|(_, n)| *n > 0).collect()
}

fn promises(sums: &Sums, prefix: &str, undecided: (i64, i64)) -> Promises {
    let side = |measure: &str, undecided: i64| {
        let met = get(sums, measure, "met").n;
        let decided = met + get(sums, measure, "late").n + (get(sums, measure, "open").n - undecided).max(0);
        (percent(met, decided), decided)
    };
    let (first_response_met, first_response_decided) = side(&format!("{prefix}sla_first"), undecided.0);
    let (resolution_met, resolution_decided) = side(&format!("{prefix}sla_resolution"), undecided.1);
    Promises { first_response_met, first_response_decided, resolution_met, resolution_decided }
}

/// The figures of one period from its sums, `undecided` being the promises in it still
/// open and not yet due (all, then key customers').
fn figures(sums: &Sums, undecided: [(i64, i64); 2], people: &HashMap<String, String>) -> Figures {
    let submissions: i64 = keys(sums, "kind").map(|(_, s)| s.n).sum();
    let mut distribution = [0; 5];
    for (key, sum) in keys(sums, "rating") {
        if let Some(slot) = key.parse::<usize>().ok().and_then(|r| distribution.get_mut(r.wrapping_sub(1))) {
            *slot += sum.n;
        }
    }
    let rated = keys(sums, "rating").fold(Sum::default(), |mut all, (_, s)| {
        all.add(s, 1);
        all
    });
    let satisfied = distribution[3] + distribution[4];
    let shares = |measure: &str| {
        let mut out: Vec<Share> =
            keys(sums, measure).filter(|(_, s)| s.n > 0).map(|(k, s)| Share::of(k, s.total, s.n)).collect();
        out.sort_by(|a, b| b.responses.cmp(&a.responses).then_with(|| a.key.cmp(&b.key)));
        out
    };
    let mut dimensions: Vec<DimensionScore> = Dimension::ALL
        .iter()
        .map(|d| {
            let s = get(sums, "dimension", d.as_str());
            DimensionScore {
                dimension: *d,
                responses: s.n,
                average: (s.n > 0).then(|| two_decimals(s.total as f64 / s.n as f64)),
                ci95: mean_interval(s.n, s.total, s.squares),
            }
        })
        .collect();
    dimensions.sort_by(|a, b| {
        a.average
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.average.unwrap_or(f64::INFINITY))
            .then(a.dimension.as_str().cmp(b.dimension.as_str()))
    });
    let complaints = get(sums, "kind", Kind::Complaint.as_str()).n;
    let resolved = get(sums, "complaint_resolved", "").n;
    let counts = |measure: &str| pareto(keys(sums, measure).map(|(k, s)| (k.to_owned(), s.n)).collect());
    let recovery_rated: i64 = keys(sums, "recovery").map(|(_, s)| s.n).sum();
    let recovery_good: i64 = keys(sums, "recovery").map(|(_, s)| s.total).sum();
    let silent = get(sums, "silent", "").n;
    let mut agents: Vec<AgentFigures> = keys(sums, "agent")
        .filter(|(_, s)| s.n > 0)
        .map(|(agent, s)| {
            let prefix = format!("{agent}|");
            let times = histogram(
                keys(sums, "agent_first").filter_map(|(k, s)| k.strip_prefix(prefix.as_str()).map(|m| (m, s))),
            );
            AgentFigures {
                user_id: agent.to_owned(),
                email: people.get(agent).cloned().unwrap_or_default(),
                assigned: s.n,
                resolved: s.total,
                first_response_p50: percentile(&times, 50.0),
            }
        })
        .collect();
    agents.sort_by(|a, b| b.assigned.cmp(&a.assigned).then_with(|| a.email.cmp(&b.email)));
    Figures {
        submissions,
        csat: Csat {
            score: percent(satisfied, rated.n),
            responses: rated.n,
            average: (rated.n > 0).then(|| two_decimals(rated.total as f64 / rated.n as f64)),
            ci95: wilson(satisfied, rated.n),
            distribution,
            by_stage: shares("csat_stage"),
            by_category: shares("csat_category"),
        },
        dimensions,
        complaints: Complaints {
            count: complaints,
            rate: percent(complaints, submissions),
            resolved,
            resolution_rate: percent(resolved, complaints),
            by_category: counts("complaint_category"),
            by_stage: counts("complaint_stage"),
        },
        first_response: Durations::of(&histogram(keys(sums, "first_response"))),
        resolution_time: Durations::of(&histogram(keys(sums, "resolution"))),
        sla: Sla { all: promises(sums, "", undecided[0]), key: promises(sums, "key_", undecided[1]) },
        iceberg: Iceberg {
            silent,
            complaints,
            per_complaint: (complaints > 0).then(|| one_decimal(silent as f64 / complaints as f64)),
        },
        recovery: RecoveryRate {
            rate: percent(recovery_good, recovery_rated),
            responses: recovery_rated,
            ci95: wilson(recovery_good, recovery_rated),
        },
        agents,
    }
}

/// A period of whole local days, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Days {
    start: i64,
    end: i64,
}

impl Days {
    fn len(self) -> i64 {
        self.end - self.start
    }
}

/// Reads `from`/`to` as a local date or an RFC 3339 time at a local midnight.
fn parse_day(field: &str, text: &str, zone: &TimeZone) -> Result<i64> {
    if let Ok(date) = text.parse::<Date>() {
        return Ok(day_number(date));
    }
    let bad = || {
        Error::field(
            field,
            "must be a date (YYYY-MM-DD) or a time at the start of a day in the organisation's time zone",
        )
    };
    let at: Timestamp = text.parse().map_err(|_| bad())?;
    let zoned = at.to_zoned(zone.clone());
    let day = day_number(zoned.date());
    if start_of(day, zone) != at.as_millisecond() {
        return Err(bad());
    }
    Ok(day)
}

/// The roll-up rows that cover `days` exactly, as `(span, first days)`: the whole
/// blocks inside, and the days at either edge one by one.
fn spans(days: Days) -> Vec<(i64, Days)> {
    let first = (days.start + BLOCK - 1).div_euclid(BLOCK) * BLOCK;
    let last = days.end.div_euclid(BLOCK) * BLOCK;
    if first >= last {
        return vec![(1, days)];
    }
    [
        (1, Days { start: days.start, end: first }),
        (BLOCK, Days { start: first, end: last }),
        (1, Days { start: last, end: days.end }),
    ]
    .into_iter()
    .filter(|(_, d)| d.start < d.end)
    .collect()
}

/// Which period a roll-up row's day falls in.
enum Split {
    /// Before `at`: 0, from it: 1.
    At(i64),
    /// Each day its own.
    Daily,
}

impl Split {
    /// The parts of `days`: each with the rows that cover it and what names the part in
    /// SQL (`day` itself when daily).
    fn parts(&self, days: Days) -> Vec<(String, Vec<(i64, Days)>)> {
        match self {
            Split::At(at) => {
                let at = (*at).clamp(days.start, days.end);
                [(0, Days { start: days.start, end: at }), (1, Days { start: at, end: days.end })]
                    .into_iter()
                    .filter(|(_, d)| d.start < d.end)
                    .map(|(part, d)| (format!("CAST({part} AS BIGINT)"), spans(d)))
                    .collect()
            }
            Split::Daily => vec![("day".into(), vec![(1, days)])],
        }
    }

    fn of(&self, day: i64) -> i64 {
        match self {
            Split::At(at) => i64::from(day >= *at),
            Split::Daily => day,
        }
    }
}

/// What to read: which roll-up rows of whose. The roll-ups are under `key`, by the
/// days of `zone` (`Counts`).
struct Scope<'a> {
    org_id: &'a str,
    key: &'a str,
    site: Option<&'a str>,
    category: Option<&'a str>,
    zone: &'a TimeZone,
}

impl Store {
    /// The insights of `org_id` for `params` (API.md "Metrics, defined").
    pub async fn metrics(&self, org_id: &str, params: &MetricsParams) -> Result<Metrics> {
        let mut read = self.read_tx().await?;
        // Days are those of the zone the roll-ups are by: the organisation's, or while a
        // change of it is being counted, the one before.
        let counts = Counts::of(self.backend, &mut read, org_id, false).await?;
        let time_zone = counts.zone.clone();
        let zone = TimeZone::get(&time_zone).unwrap_or(TimeZone::UTC);
        if let Some(site) = &params.site {
            self.site(org_id, site).await?;
        }
        let now = now_millis();
        let today = day_of(now, &zone);
        let end = match &params.to {
            Some(to) => parse_day("to", to, &zone)?,
            None => today + 1,
        };
        let start = match &params.from {
            Some(from) => parse_day("from", from, &zone)?,
            None => end - DEFAULT_DAYS,
        };
        if start >= end {
            return Err(Error::field("from", "must be before `to`"));
        }
        if end - start > MAX_DAYS {
            return Err(Error::field("to", format!("a period is at most {MAX_DAYS} days")));
        }
        let period = Days { start, end };
        let previous = Days { start: start - period.len(), end: start };
        let interval = params.interval.unwrap_or(if period.len() > 92 { Interval::Week } else { Interval::Day });
        let scope = Scope { org_id, key: &counts.key, site: params.site.as_deref(), category: None, zone: &zone };
        let both = Days { start: previous.start, end: period.end };
        let split = Split::At(period.start);
        let mut sums = self.sums(&mut read, &scope, both, &split, false).await?;
        let people = self.people_names(org_id).await?;
        let [undecided_before, undecided_now] = self.undecided(&mut read, &scope, both, period.start, now).await?;
        let current = figures(sums.remove(&1).as_ref().unwrap_or(&Sums::default()), undecided_now, &people);
        let before = figures(sums.remove(&0).as_ref().unwrap_or(&Sums::default()), undecided_before, &people);
        let trend = self.trend(&mut read, &scope, period, interval).await?;
        let phrases = self.phrases(&mut read, &scope, period).await?;
        let backlog = self.backlog(&mut read, &scope, now).await?;
        read.commit().await?;
        let mut marks = Vec::new();
        for mark in self.marks(org_id, params.site.as_deref()).await? {
            let day = parse_day("day", &mark.day, &zone)?;
            if day >= period.start && day < period.end {
                marks.push(self.check_mark(&scope, mark, day, today).await?);
            }
        }
        Ok(Metrics {
            site: params.site.clone(),
            from: date_of(period.start).to_string(),
            to: date_of(period.end).to_string(),
            starts_at: rfc3339_from_millis(start_of(period.start, &zone)),
            ends_at: rfc3339_from_millis(start_of(period.end, &zone)),
            time_zone,
            recounting: counts.recount.is_some(),
            interval,
            current,
            previous: before,
            trend,
            backlog,
            phrases,
            marks,
        })
    }

    /// A transaction whose reads all see one moment: the roll-ups and the submissions
    /// not yet in them must agree.
    async fn read_tx(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    async fn people_names(&self, org_id: &str) -> Result<HashMap<String, String>> {
        let rows =
            sqlx::query("SELECT id, email FROM users WHERE org_id = $1").bind(org_id).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("email")?))).collect()
    }

    /// Sums per part of `split` over `days`: the roll-ups plus the facts of submissions
    /// not yet counted in them. `phrases` reads the phrases' table instead.
    async fn sums(
        &self,
        tx: &mut Transaction<'static, Any>,
        scope: &Scope<'_>,
        days: Days,
        split: &Split,
        phrases: bool,
    ) -> Result<HashMap<i64, Sums>> {
        let mut sql = Sql::default();
        let (org, site) =
            (sql.arg(Arg::Text(scope.key.into())), sql.arg(Arg::Text(scope.site.unwrap_or(ALL_SITES).into())));
        let table = if phrases { "metric_phrases" } else { "metric_days" };
        // The trend reads only what it draws.
        let measures = match split {
            Split::Daily => " AND measure IN ('kind', 'rating')",
            Split::At(_) => "",
        };
        let mut reads = Vec::new();
        for (part, spans) in split.parts(days) {
            for (span, d) in spans {
                let (span, from, to) = (sql.arg(Arg::Int(span)), sql.arg(Arg::Int(d.start)), sql.arg(Arg::Int(d.end)));
                reads.push(format!(
                    "SELECT {part} AS part, measure, key, n, total, squares FROM {table} WHERE org_id = {org} \
                     AND site_id = {site} AND span = {span} AND day >= {from} AND day < {to}{measures}"
                ));
            }
        }
        let mut out: HashMap<i64, Sums> = HashMap::new();
        if !reads.is_empty() {
            sql.push(&format!(
                "SELECT part, measure, key, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(total) AS BIGINT) AS total, \
                 CAST(SUM(squares) AS BIGINT) AS squares FROM ({}) AS r GROUP BY part, measure, key",
                reads.join(" UNION ALL ")
            ));
            for row in sql.query().fetch_all(&mut **tx).await? {
                let sum = Sum { n: row.try_get("n")?, total: row.try_get("total")?, squares: row.try_get("squares")? };
                let (measure, key) = (row.try_get("measure")?, row.try_get("key")?);
                out.entry(row.try_get("part")?).or_default().insert((measure, key), sum);
            }
        }
        let (since, until) = (start_of(days.start, scope.zone), start_of(days.end, scope.zone));
        for subject in self.uncounted(tx, scope, since, until).await? {
            let day = day_of(subject.received_at, scope.zone);
            if day < days.start || day >= days.end {
                continue;
            }
            let sums = out.entry(split.of(day)).or_default();
            facts(&subject, &mut |measure, key, value| {
                if (measure == PHRASE) == phrases {
                    let sum = Sum { n: 1, total: value, squares: value * value };
                    sums.entry((measure.into(), key)).or_default().add(sum, 1);
                }
            });
        }
        Ok(out)
    }

    /// Submissions received in `[since, until)` that the roll-ups do not hold yet.
    async fn uncounted(
        &self,
        tx: &mut Transaction<'static, Any>,
        scope: &Scope<'_>,
        since: i64,
        until: i64,
    ) -> Result<Vec<Subject>> {
        let mark: i64 = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(super::triage::SEARCH_MARK)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>("value"))
            .transpose()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut sql = Sql::default();
        let unindexed = match self.backend {
            Backend::Sqlite => {
                let p = sql.arg(Arg::Int(mark));
                format!("s.seq > {p}")
            }
            Backend::Postgres => {
                let p = sql.arg(Arg::Int(super::triage::lookback(mark)));
                format!("s.seq > {p} AND NOT EXISTS (SELECT 1 FROM submission_search x WHERE x.seq = s.seq)")
            }
        };
        let (org, since, until) =
            (sql.arg(Arg::Text(scope.org_id.into())), sql.arg(Arg::Int(since)), sql.arg(Arg::Int(until)));
        sql.push(&format!(
            "SELECT {SUBJECT_COLUMNS} FROM submissions s WHERE {unindexed} AND s.org_id = {org} \
             AND s.received_at >= {since} AND s.received_at < {until}"
        ));
        if let Some(site) = scope.site {
            let p = sql.arg(Arg::Text(site.into()));
            sql.push(&format!(" AND s.site_id = {p}"));
        }
        sql.query().fetch_all(&mut **tx).await?.iter().map(Subject::from_row).collect()
    }

    /// Promises received in `days` still open and not yet due at `now`: neither kept
    /// nor broken yet. One answer for the days before `split` and one for the rest, each
    /// as `[all, key customers']` pairs of (first response, resolution).
    async fn undecided(
        &self,
        tx: &mut Transaction<'static, Any>,
        scope: &Scope<'_>,
        days: Days,
        split: i64,
        now: i64,
    ) -> Result<[[(i64, i64); 2]; 2]> {
        let mut answer = [[(0, 0); 2]; 2];
        // Only what arrived within the longest target can still be before its due time.
        let longest: Option<i64> = sqlx::query(
            "SELECT MAX(CASE WHEN sla_resolution > sla_first_response THEN sla_resolution ELSE sla_first_response END) \
             AS longest FROM sites WHERE org_id = $1",
        )
        .bind(scope.org_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("longest")?;
        let longest = longest.unwrap_or(0).max(0);
        let since = start_of(days.start, scope.zone).max(now - longest * MINUTE - MINUTE);
        let until = start_of(days.end, scope.zone);
        if since >= until {
            return Ok(answer);
        }
        let mut sql = Sql::default();
        let (org, since, until, split, now) = (
            sql.arg(Arg::Text(scope.org_id.into())),
            sql.arg(Arg::Int(since)),
            sql.arg(Arg::Int(until)),
            sql.arg(Arg::Int(start_of(split, scope.zone))),
            sql.arg(Arg::Int(now)),
        );
        let first = format!("first_response_at IS NULL AND first_response_due > {now}");
        let resolution = format!("resolution_due > {now}");
        let key = "customer_tier IS NOT NULL";
        sql.push(&format!(
            "SELECT CAST(CASE WHEN received_at >= {split} THEN 1 ELSE 0 END AS BIGINT) AS side, \
             CAST(SUM(CASE WHEN {first} THEN 1 ELSE 0 END) AS BIGINT) AS first, \
             CAST(SUM(CASE WHEN {resolution} THEN 1 ELSE 0 END) AS BIGINT) AS resolution, \
             CAST(SUM(CASE WHEN {first} AND {key} THEN 1 ELSE 0 END) AS BIGINT) AS key_first, \
             CAST(SUM(CASE WHEN {resolution} AND {key} THEN 1 ELSE 0 END) AS BIGINT) AS key_resolution \
             FROM submissions WHERE org_id = {org} AND status IN ('new', 'open', 'pending') \
             AND received_at >= {since} AND received_at < {until} AND first_response_due IS NOT NULL"
        ));
        if let Some(site) = scope.site {
            let p = sql.arg(Arg::Text(site.into()));
            sql.push(&format!(" AND site_id = {p}"));
        }
        sql.push(" GROUP BY 1");
        for row in sql.query().fetch_all(&mut **tx).await? {
            let side = usize::from(row.try_get::<i64, _>("side")? == 1);
            let count = |column: &str| row.try_get::<Option<i64>, _>(column).map(Option::unwrap_or_default);
            answer[side] = [(count("first")?, count("resolution")?), (count("key_first")?, count("key_resolution")?)];
        }
        Ok(answer)
    }

    async fn trend(
        &self,
        tx: &mut Transaction<'static, Any>,
        scope: &Scope<'_>,
        days: Days,
        interval: Interval,
    ) -> Result<Vec<TrendPoint>> {
        let daily = self.sums(tx, scope, days, &Split::Daily, false).await?;
        let step = match interval {
            Interval::Day => 1,
            Interval::Week => 7,
        };
        // Weeks start on Monday; 1970-01-01 was a Thursday.
        let first = match interval {
            Interval::Day => days.start,
            Interval::Week => days.start - (days.start + 3).rem_euclid(7),
        };
        let mut points = Vec::new();
        let mut at = first;
        while at < days.end {
            let (mut submissions, mut complaints, mut rated, mut satisfied) = (0, 0, 0, 0);
            for day in at.max(days.start)..(at + step).min(days.end) {
                let Some(sums) = daily.get(&day) else { continue };
                submissions += keys(sums, "kind").map(|(_, s)| s.n).sum::<i64>();
                complaints += get(sums, "kind", Kind::Complaint.as_str()).n;
                for (key, s) in keys(sums, "rating") {
                    rated += s.n;
                    if key == "4" || key == "5" {
                        satisfied += s.n;
                    }
                }
            }
            points.push(TrendPoint {
                start: date_of(at.max(days.start)).to_string(),
                submissions,
                complaints,
                csat: Share::of("", satisfied, rated),
            });
            at += step;
        }
        Ok(points)
    }

    /// The phrases of complaints and low ratings, in the period and the one before.
    async fn phrases(&self, tx: &mut Transaction<'static, Any>, scope: &Scope<'_>, days: Days) -> Result<Phrases> {
        let both = Days { start: days.start - days.len(), end: days.end };
        let sums = self.sums(tx, scope, both, &Split::At(days.start), true).await?;
        // phrase → (count, previous, count per category)
        let mut by_phrase: HashMap<String, (i64, i64, HashMap<String, i64>)> = HashMap::new();
        for (part, sums) in &sums {
            for ((_, key), sum) in sums {
                let Some((category, phrase)) = key.split_once('\t') else { continue };
                let entry = by_phrase.entry(phrase.to_owned()).or_default();
                if *part == 1 {
                    entry.0 += sum.n;
                    *entry.2.entry(category.to_owned()).or_default() += sum.n;
                } else {
                    entry.1 += sum.n;
                }
            }
        }
        let mut all: Vec<Phrase> = by_phrase
            .into_iter()
            .filter(|(_, (count, _, _))| *count >= 2)
            .map(|(phrase, (count, previous, categories))| {
                let category = categories
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(c, _)| c)
                    .unwrap_or_default();
                Phrase { phrase, category, count, previous }
            })
            .collect();
        // Pairs say more than their words: ahead of a word as frequent.
        all.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| b.phrase.chars().count().cmp(&a.phrase.chars().count()))
                .then(a.phrase.cmp(&b.phrase))
        });
        let mut rising: Vec<Phrase> =
            all.iter().filter(|p| p.count >= 3 && p.count >= 2 * p.previous.max(1)).cloned().collect();
        rising.sort_by(|a, b| (b.count - b.previous).cmp(&(a.count - a.previous)).then(a.phrase.cmp(&b.phrase)));
        Ok(Phrases { top: shortlist(all, 20), rising: shortlist(rising, 10) })
    }

    /// Open promises by how long ago they arrived.
    async fn backlog(
        &self,
        tx: &mut Transaction<'static, Any>,
        scope: &Scope<'_>,
        now: i64,
    ) -> Result<Vec<BacklogAge>> {
        const DAY: i64 = 24 * 60 * MINUTE;
        let mut sql = Sql::default();
        let (org, d1, d3, d7) = (
            sql.arg(Arg::Text(scope.org_id.into())),
            sql.arg(Arg::Int(now - DAY)),
            sql.arg(Arg::Int(now - 3 * DAY)),
            sql.arg(Arg::Int(now - 7 * DAY)),
        );
        sql.push(&format!(
            "SELECT CAST(SUM(CASE WHEN received_at >= {d1} THEN 1 ELSE 0 END) AS BIGINT) AS a, \
             CAST(SUM(CASE WHEN received_at < {d1} AND received_at >= {d3} THEN 1 ELSE 0 END) AS BIGINT) AS b, \
             CAST(SUM(CASE WHEN received_at < {d3} AND received_at >= {d7} THEN 1 ELSE 0 END) AS BIGINT) AS c, \
             CAST(SUM(CASE WHEN received_at < {d7} THEN 1 ELSE 0 END) AS BIGINT) AS d \
             FROM submissions WHERE org_id = {org} AND due_at IS NOT NULL"
        ));
        if let Some(site) = scope.site {
            let p = sql.arg(Arg::Text(site.into()));
            sql.push(&format!(" AND site_id = {p}"));
        }
        let row = sql.query().fetch_one(&mut **tx).await?;
        ["a", "b", "c", "d"]
            .into_iter()
            .zip(["under_1d", "1_3d", "3_7d", "over_7d"])
            .map(|(column, age)| {
                Ok(BacklogAge { age: age.into(), count: row.try_get::<Option<i64>, _>(column)?.unwrap_or(0) })
            })
            .collect()
    }

    /// The figures before and after a mark, over as many days after it as have passed
    /// (at most four weeks) and as many before.
    async fn check_mark(&self, of: &Scope<'_>, mark: Mark, day: i64, today: i64) -> Result<MarkCheck> {
        let days = (today + 1 - day).clamp(0, MARK_WINDOW_DAYS);
        let scope = Scope { site: Some(&mark.site_id), category: mark.category.as_deref(), ..*of };
        let mut read = self.read_tx().await?;
        let mut sums = self
            .sums(&mut read, &scope, Days { start: day - days.max(1), end: day + days }, &Split::At(day), false)
            .await?;
        read.commit().await?;
        let side = |sums: Option<Sums>| {
            let sums = sums.unwrap_or_default();
            let (csat, complaints) = match scope.category {
                Some(category) => (get(&sums, "csat_category", category), get(&sums, "complaint_category", category).n),
                None => {
                    let mut all = Sum::default();
                    for (_, s) in keys(&sums, "csat_category") {
                        all.add(s, 1);
                    }
                    (all, get(&sums, "kind", Kind::Complaint.as_str()).n)
                }
            };
            let submissions: i64 = keys(&sums, "kind").map(|(_, s)| s.n).sum();
            (csat, complaints, submissions)
        };
        let (before, complaints_before, all_before) = side(sums.remove(&0));
        let (after, complaints_after, all_after) = side(sums.remove(&1));
        let p_value = two_proportion_p(before.total, before.n, after.total, after.n);
        Ok(MarkCheck {
            mark,
            days,
            before: Share::of("before", before.total, before.n),
            after: Share::of("after", after.total, after.n),
            significant: p_value.is_some_and(|p| p < 0.05),
            p_value: p_value.map(|p| (p * 10_000.0).round() / 10_000.0),
            complaint_rate_before: percent(complaints_before, all_before),
            complaint_rate_after: percent(complaints_after, all_after),
            complaint_p_value: two_proportion_p(complaints_before, all_before, complaints_after, all_after)
                .map(|p| (p * 10_000.0).round() / 10_000.0),
        })
    }

    /// The organisation's marks, newest day first; one site's when given.
    pub async fn marks(&self, org_id: &str, site: Option<&str>) -> Result<Vec<Mark>> {
        let mut sql = Sql::default();
        let org = sql.arg(Arg::Text(org_id.into()));
        sql.push(&format!("SELECT id, site_id, category, day, title, created_at FROM marks WHERE org_id = {org}"));
        if let Some(site) = site {
            let p = sql.arg(Arg::Text(site.into()));
            sql.push(&format!(" AND site_id = {p}"));
        }
        sql.push(" ORDER BY day DESC, created_at DESC");
        sql.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Mark {
                    id: r.try_get("id")?,
                    site_id: r.try_get("site_id")?,
                    category: r.try_get("category")?,
                    day: r.try_get("day")?,
                    title: r.try_get("title")?,
                    created_at: rfc3339_from_millis(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Marks a change the shop made on `site_id` (an owner's): `day` is a local date.
    /// `NotFound` for another organisation's site.
    pub async fn add_mark(&self, org_id: &str, site_id: &str, by: &str, mark: &NewMark) -> Result<Mark> {
        let site = self.site(org_id, site_id).await?;
        let title = mark.title.trim();
        let mut errors = crate::FieldErrors::new();
        let mut add = |field: &str, message: &str| errors.entry(field.into()).or_default().push(message.into());
        if title.is_empty() || title.chars().count() > MAX_MARK_TITLE {
            add("title", "must be 1 to 200 characters");
        }
        let day = match mark.day.trim().parse::<Date>() {
            Ok(date) => date.to_string(),
            Err(_) => {
                add("day", "must be a date (YYYY-MM-DD)");
                String::new()
            }
        };
        let category = mark.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if let Some(category) = category {
            if !site.categories.iter().any(|c| c == category) {
                add("category", "must be one of the site's categories");
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let created_at = now_millis();
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO marks (id, org_id, site_id, category, day, title, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(site_id)
        .bind(category)
        .bind(&day)
        .bind(title)
        .bind(by)
        .bind(created_at)
        .execute(&self.pool)
        .await?;
        Ok(Mark {
            id,
            site_id: site_id.to_owned(),
            category: category.map(str::to_owned),
            day,
            title: title.to_owned(),
            created_at: rfc3339_from_millis(created_at),
        })
    }

    /// Takes a mark of `site_id` away; `NotFound` for another organisation's.
    pub async fn delete_mark(&self, org_id: &str, site_id: &str, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM marks WHERE id = $1 AND site_id = $2 AND org_id = $3")
            .bind(id)
            .bind(site_id)
            .bind(org_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Sets `org_id`'s time zone to `zone` inside `tx`; false when it already was. The
    /// figures' days are the zone's, so its submissions are counted again by the new
    /// days: the roll-ups read now stay, and `recount_step` fills new ones under a new
    /// key in the background, which take over once complete. A recount under way is
    /// dropped; back to the zone the roll-ups are by, or with nothing stored, none is
    /// needed.
    pub(super) async fn change_time_zone(
        &self,
        tx: &mut Transaction<'static, Any>,
        org_id: &str,
        zone: &str,
    ) -> Result<bool> {
        let lock = self.lock_clause();
        let row = sqlx::query(&format!("SELECT {COUNTS_COLUMNS} FROM orgs o WHERE o.id = $1{lock}"))
            .bind(org_id)
            .fetch_one(&mut **tx)
            .await?;
        if row.try_get::<String, _>("time_zone")? == zone {
            return Ok(false);
        }
        let counts = Counts::from_row(&row)?;
        if let Some((key, _, _)) = &counts.recount {
            sqlx::query("INSERT INTO stale_counts (key) VALUES ($1)").bind(key).execute(&mut **tx).await?;
        }
        // Nothing stored yet (a new organisation setting its zone): nothing to count again.
        // One stored meanwhile is indexed after this commits (its indexer waits for the
        // organisation's row), by the new zone.
        let none_yet = sqlx::query("SELECT seq FROM submissions WHERE org_id = $1 LIMIT 1")
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none();
        let recount_key = (counts.zone != zone && !none_yet).then(|| format!("{org_id}/{}", uuid::Uuid::now_v7()));
        sqlx::query(
            "UPDATE orgs SET time_zone = $1, count_key = $2, count_zone = $3, recount_key = $4, recounted_to = $5 \
             WHERE id = $6",
        )
        .bind(zone)
        .bind(&counts.key)
        .bind(recount_key.as_ref().map(|_| &counts.zone))
        .bind(&recount_key)
        .bind(recount_key.as_ref().map(|_| 0i64))
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
        Ok(true)
    }

    /// One step of the background work a change of time zone leaves: counts up to
    /// `limit` more submissions into a recount, makes a complete recount the roll-ups
    /// read, or deletes part of roll-ups no longer read; false when nothing waits.
    pub async fn recount_step(&self, limit: i64) -> Result<bool> {
        // Looked for first without the write lock, which SQLite's collector would wait for.
        let waiting = sqlx::query(
            "SELECT id FROM orgs WHERE recount_key IS NOT NULL UNION ALL SELECT key FROM stale_counts LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        if !waiting {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        // Locked on PostgreSQL: the indexer and triage changes wait for this step (see
        // `Counts::of`), so that none counts a submission this step counts too, or misses.
        let lock = self.lock_clause();
        let org = sqlx::query(&format!(
            "SELECT o.id, {COUNTS_COLUMNS} FROM orgs o WHERE o.recount_key IS NOT NULL LIMIT 1{lock}"
        ))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(org) = org {
            let org_id: String = org.try_get("id")?;
            let counts = Counts::from_row(&org)?;
            let Some((key, zone, after)) = counts.recount else { return Ok(false) };
            let indexed: String = match self.backend {
                Backend::Sqlite => format!(
                    "s.seq <= COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '{}'), 0)",
                    super::triage::SEARCH_MARK
                ),
                Backend::Postgres => "EXISTS (SELECT 1 FROM submission_search x WHERE x.seq = s.seq)".into(),
            };
            let rows = sqlx::query(&format!(
                "SELECT {SUBJECT_COLUMNS} FROM submissions s WHERE s.org_id = $1 AND s.seq > $2 AND {indexed} \
                 ORDER BY s.seq LIMIT $3"
            ))
            .bind(&org_id)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            if let Some(last) = rows.last() {
                let mut tally = Tally::default();
                for row in &rows {
                    tally.add_to(&Subject::from_row(row)?, &key, &zone, 1);
                }
                tally.write(self.backend, &mut tx).await?;
                let to: i64 = last.try_get("seq")?;
                sqlx::query("UPDATE orgs SET recounted_to = $1 WHERE id = $2")
                    .bind(to)
                    .bind(&org_id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                // Complete: the recount is what the figures read from now on.
                sqlx::query("INSERT INTO stale_counts (key) VALUES ($1)").bind(&counts.key).execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE orgs SET count_key = recount_key, count_zone = NULL, recount_key = NULL, \
                     recounted_to = NULL WHERE id = $1",
                )
                .bind(&org_id)
                .execute(&mut *tx)
                .await?;
            }
        } else if let Some(stale) = sqlx::query("SELECT key FROM stale_counts LIMIT 1").fetch_optional(&mut *tx).await?
        {
            // One site's rows (or all sites') at a time, to keep the write lock short.
            let key: String = stale.try_get("key")?;
            let mut left = false;
            for table in ["metric_days", "metric_phrases"] {
                let deleted = sqlx::query(&format!(
                    "DELETE FROM {table} WHERE org_id = $1 AND site_id = \
                     (SELECT site_id FROM {table} WHERE org_id = $1 LIMIT 1)"
                ))
                .bind(&key)
                .execute(&mut *tx)
                .await?;
                left |= deleted.rows_affected() > 0;
            }
            if !left {
                sqlx::query("DELETE FROM stale_counts WHERE key = $1").bind(&key).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Whether the roll-ups already hold the submission `seq` (inside a write transaction,
/// which on PostgreSQL holds the submission's row lock, so the indexer cannot count it
/// meanwhile).
pub(super) async fn counted(store: &Store, tx: &mut Transaction<'static, Any>, seq: i64) -> Result<bool> {
    let sql: String = match store.backend {
        Backend::Sqlite => {
            format!(
                "SELECT COUNT(*) AS n FROM settings WHERE key = '{}' AND CAST(value AS INTEGER) >= $1",
                super::triage::SEARCH_MARK
            )
        }
        Backend::Postgres => "SELECT COUNT(*) AS n FROM submission_search WHERE seq = $1".into(),
    };
    let n: i64 = sqlx::query(&sql).bind(seq).fetch_one(&mut **tx).await?.try_get("n")?;
    Ok(n > 0)
}

/// Moves a counted submission from its facts `before` to its facts `after`.
pub(super) async fn recounted(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    before: &Subject,
    after: &Subject,
) -> Result<()> {
    if before == after || !counted(store, tx, before.seq).await? {
        return Ok(());
    }
    // Where the roll-ups are now, locked against a recount step (see `Counts::of`).
    let counts = Counts::of(store.backend, tx, &before.org_id, true).await?;
    let mut tally = Tally::default();
    tally.add(before, &counts, -1);
    tally.add(after, &counts, 1);
    if !tally.is_empty() {
        tally.write(store.backend, tx).await?;
    }
    Ok(())
}
