//! Triage: the filtered queue, one submission with its timeline, and every change staff
//! and shoppers make to it. Each change is one transaction that writes the new state and
//! the timeline events saying who did what, so the two never disagree.

use super::metrics::{Counts, Subject, Tally, SUBJECT_COLUMNS};
use super::{json_column, now_millis, parse_column, Arg, Backend, Columns, Named, Sql, Store};
use crate::error::{Error, Result};
use crate::model::{
    rfc3339_from_millis, EventKind, Kind, Person, Priority, QueueItem, QueueParams, Role, SavedReply, Stage, Status,
    StatusCount, SubmissionDetail, TimelineEvent,
};
use crate::store::StaffRecord;
use crate::triage::Promises;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Which of the organisation's submissions the queue shows. Every field narrows it;
/// without `statuses`, spam is left out (it has a folder of its own).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueFilter {
    pub statuses: Vec<Status>,
    pub kinds: Vec<Kind>,
    pub site_id: Option<String>,
    pub category: Option<String>,
    pub stage: Option<Stage>,
    pub priorities: Vec<Priority>,
    pub assignee: Option<AssigneeFilter>,
    pub rating_max: Option<i64>,
    /// Full text, split into terms by [`crate::search::query_terms`].
    pub q: Option<String>,
    /// Received at or after, milliseconds.
    pub from: Option<i64>,
    /// Received before, milliseconds.
    pub to: Option<i64>,
    pub due: Option<DueFilter>,
    pub sort: Sort,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AssigneeFilter {
    Nobody,
    Person(String),
}

/// Submissions whose next promise is already broken, or falls due within
/// [`DUE_SOON_MILLIS`] (overdue included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueFilter {
    Overdue,
    Soon,
}

/// "Due soon": within two hours.
pub const DUE_SOON_MILLIS: i64 = 2 * 60 * 60 * 1000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// The submissions with a promise still open, soonest due first (overdue on top).
    Due,
}

/// Where the next page starts: after the caller's own submission with this id (and, in
/// due order, its due time when the page was read). Derived from the caller's rows only,
/// so it says nothing of other organisations'.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueCursor {
    after_id: uuid::Uuid,
    due_at: Option<i64>,
}

impl QueueCursor {
    pub fn encode(&self) -> String {
        match self.due_at {
            None => self.after_id.simple().to_string(),
            Some(due) => format!("{due}.{}", self.after_id.simple()),
        }
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (due_at, id) = match text.split_once('.') {
            Some((due, id)) => (Some(due.parse().ok()?), id),
            None => (None, text),
        };
        Some(QueueCursor { after_id: uuid::Uuid::try_parse(id).ok()?, due_at })
    }
}

/// Collects every broken rule, so one answer names them all.
#[derive(Default)]
struct Problems(crate::FieldErrors);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }

    fn list<T: std::str::FromStr<Err = String>>(&mut self, field: &str, text: &Option<String>) -> Vec<T> {
        let Some(text) = nonempty(text) else { return vec![] };
        text.split(',').filter_map(|part| part.trim().parse().map_err(|e| self.add(field, e)).ok()).collect()
    }

    fn time(&mut self, field: &str, text: &Option<String>) -> Option<i64> {
        use time::format_description::well_known::Rfc3339;
        let text = nonempty(text)?;
        match time::OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(t) => Some((t.unix_timestamp_nanos() / 1_000_000) as i64),
            Err(_) => {
                self.add(field, "must be an RFC 3339 time, such as 2026-11-01T00:00:00Z");
                None
            }
        }
    }

    fn done(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The most rows one page of the queue holds.
pub const MAX_PAGE: i64 = 100;

impl QueueFilter {
    /// The filter of a URL's parameters, for the staff member `user_id` (`assignee=me`);
    /// every broken rule is named.
    pub fn parse(params: &QueueParams, user_id: &str) -> Result<QueueFilter> {
        let mut problems = Problems::default();
        let stages: Vec<Stage> = problems.list("stage", &params.stage);
        if stages.len() > 1 {
            problems.add("stage", "one stage at a time");
        }
        let assignee = match nonempty(&params.assignee).as_deref() {
            None => None,
            Some("none") => Some(AssigneeFilter::Nobody),
            Some("me") => Some(AssigneeFilter::Person(user_id.to_owned())),
            Some(id) => Some(AssigneeFilter::Person(id.to_owned())),
        };
        if params.rating_max.is_some_and(|r| !(1..=5).contains(&r)) {
            problems.add("rating_max", "must be between 1 and 5");
        }
        let due = match nonempty(&params.due).as_deref() {
            None => None,
            Some("overdue") => Some(DueFilter::Overdue),
            Some("soon") => Some(DueFilter::Soon),
            Some(_) => {
                problems.add("due", "must be one of: overdue, soon");
                None
            }
        };
        let sort = match nonempty(&params.sort).as_deref() {
            None | Some("newest") => Sort::Newest,
            Some("due") => Sort::Due,
            Some(_) => {
                problems.add("sort", "must be one of: newest, due");
                Sort::Newest
            }
        };
        if params.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
            problems.add("q", "must be at most 200 characters");
        }
        if params.limit.is_some_and(|l| !(1..=MAX_PAGE).contains(&l)) {
            problems.add("limit", format!("must be between 1 and {MAX_PAGE}"));
        }
        let filter = QueueFilter {
            statuses: problems.list("status", &params.status),
            kinds: problems.list("kind", &params.kind),
            site_id: nonempty(&params.site),
            category: nonempty(&params.category),
            stage: stages.first().copied(),
            priorities: problems.list("priority", &params.priority),
            assignee,
            rating_max: params.rating_max,
            q: nonempty(&params.q),
            from: problems.time("from", &params.from),
            to: problems.time("to", &params.to),
            due,
            sort,
        };
        problems.done()?;
        Ok(filter)
    }
}

/// How many of the filtered submissions are in each status.
pub type StatusCounts = Vec<StatusCount>;

/// A change staff make to one submission (or many): each field given is set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

/// An email to send once the transaction that wrote it commits.
#[derive(Clone, Debug, PartialEq)]
pub struct Mail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// Puts this email in the outbox, in the transaction of what it tells (a reply, an
    /// invitation), so that the sender can never miss one that was acknowledged.
    pub(super) async fn enqueue<'e, E>(&self, executor: E, org_id: &str, event_id: Option<&str>) -> Result<()>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO outbox (id, event_id, org_id, recipient, subject, body, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(super::new_id())
        .bind(event_id)
        .bind(org_id)
        .bind(&self.recipient)
        .bind(&self.subject)
        .bind(&self.body)
        .bind(now)
        .bind(now)
        .execute(executor)
        .await?;
        Ok(())
    }
}

/// What a reply's email is made from.
pub struct ReplyContext<'a> {
    pub email: &'a str,
    pub locale: Option<&'a str>,
    pub track_token: &'a str,
    pub site_name: &'a str,
    pub body: &'a str,
}

/// Builds a reply's email, or none when no mail is sent (no SMTP configured).
pub type Composer<'a> = &'a (dyn Fn(&ReplyContext<'_>) -> Option<Mail> + Sync);

/// A composer the server holds and hands to every request.
pub type SharedComposer = std::sync::Arc<dyn Fn(&ReplyContext<'_>) -> Option<Mail> + Send + Sync>;

/// A shopper's tracking link: their submission's state and the conversation, nothing else.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tracked {
    #[serde(skip)]
    pub id: String,
    pub kind: Kind,
    /// A submission kept as spam reads as `new`: a bot must not learn that it was caught.
    pub status: Status,
    pub received_at: String,
    /// The shopper's language when they sent it: the tracking page speaks it.
    pub locale: Option<String>,
    /// The shopper's own message, shown back to them.
    #[serde(skip)]
    pub message: Option<String>,
    #[serde(skip)]
    pub site_name: String,
    pub messages: Vec<TrackedMessage>,
    pub recovery: Recovery,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedMessage {
    /// `shop` or `shopper`.
    pub from: &'static str,
    pub body: String,
    pub at: String,
}

/// "Are you satisfied with how this was handled?": asked once a submission is resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recovery {
    pub asked: bool,
    pub rating: Option<i64>,
}

/// How a recovery rating went: stored, or the same answer again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rated {
    Stored,
    Again,
}

/// The longest note, reply or follow-up.
pub const MAX_BODY_CHARS: usize = 5_000;
const MAX_TAGS: usize = 20;
const MAX_TAG_CHARS: usize = 40;

const ITEM_COLUMNS: &str = "s.id, s.site_id, t.name AS site_name, s.kind, s.rating, s.category, s.stage, \
                            s.message, s.email, s.name, s.order_ref, s.customer_tier, s.status, s.priority, \
                            s.assignee_id, u.email AS assignee_email, s.tags, s.received_at, s.first_response_due, \
                            s.resolution_due, s.first_response_at, s.resolved_at, s.due_at, s.seq";
/// What a queue row joins: its site's name and its assignee's email.
const ITEM_JOINS: &str = "JOIN sites t ON t.id = s.site_id LEFT JOIN users u ON u.id = s.assignee_id";

/// A time column as RFC 3339.
fn time_column(row: &impl Columns, column: &str) -> Result<Option<String>> {
    Ok(row.int(column)?.map(rfc3339_from_millis))
}

fn queue_item(row: &impl Columns) -> Result<QueueItem> {
    let assignee = row.text("assignee_id")?.zip(row.text("assignee_email")?);
    Ok(QueueItem {
        id: row.required("id", row.text("id")?)?,
        site_id: row.required("site_id", row.text("site_id")?)?,
        site_name: row.required("site_name", row.text("site_name")?)?,
        kind: parse_column(row, "kind")?,
        rating: row.int("rating")?,
        category: row.text("category")?,
        stage: row.text("stage")?.and_then(|s| s.parse().ok()),
        message: row.text("message")?,
        email: row.text("email")?,
        name: row.text("name")?,
        order_ref: row.text("order_ref")?,
        customer_tier: row.text("customer_tier")?,
        status: parse_column(row, "status")?,
        priority: parse_column(row, "priority")?,
        assignee: assignee.map(|(id, email)| Person { id, email }),
        tags: json_column(row, "tags")?,
        received_at: rfc3339_from_millis(row.required("received_at", row.int("received_at")?)?),
        first_response_due: time_column(row, "first_response_due")?,
        resolution_due: time_column(row, "resolution_due")?,
        first_response_at: time_column(row, "first_response_at")?,
        resolved_at: time_column(row, "resolved_at")?,
        due_at: time_column(row, "due_at")?,
    })
}

/// One stretch of the queue a query reads: in one status (or the filter's), after a
/// cursor's `(received_at, seq)` or `(due_at, seq)`, newer than a floor (newest first
/// only), at most `limit` rows.
struct Stretch {
    status: Option<Status>,
    after: Option<(i64, i64)>,
    floor: Option<(i64, i64)>,
    limit: Option<i64>,
}

/// The SQLite export's reading: each query on one snapshot, `page` rows at a time.
fn export_sqlite(
    mut conn: rusqlite::Connection,
    queries: &[Sql],
    page: usize,
    pages: &tokio::sync::mpsc::Sender<Result<Vec<QueueItem>>>,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    for sql in queries {
        let mut statement = tx.prepare(&sql.text)?;
        for (i, arg) in sql.args.iter().enumerate() {
            let Some(index) = statement.parameter_index(&format!("${}", i + 1))? else { continue };
            match arg {
                Arg::Text(text) => statement.raw_bind_parameter(index, text)?,
                Arg::Int(n) => statement.raw_bind_parameter(index, n)?,
            }
        }
        let names: Vec<String> = statement.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = statement.raw_query();
        let mut chunk = Vec::with_capacity(page);
        while let Some(row) = rows.next()? {
            chunk.push(queue_item(&Named { row, names: &names })?);
            if chunk.len() == page && pages.blocking_send(Ok(std::mem::take(&mut chunk))).is_err() {
                return Ok(());
            }
        }
        if !chunk.is_empty() && pages.blocking_send(Ok(chunk)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// The id a cursor after `item` names.
fn cursor_id(item: &QueueItem) -> Result<uuid::Uuid> {
    Ok(uuid::Uuid::try_parse(&item.id)
        .map_err(|e| sqlx::Error::ColumnDecode { index: "id".into(), source: Box::new(e) })?)
}

fn list<T: std::fmt::Display>(values: &[T]) -> String {
    values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
}

impl QueueFilter {
    /// The statuses the filter shows: those it names, or all but spam; the ones being
    /// worked on first, resolved (where most submissions end up) last.
    pub fn shown(&self) -> Vec<Status> {
        let wanted =
            |s: &&Status| if self.statuses.is_empty() { **s != Status::Spam } else { self.statuses.contains(s) };
        let mut shown: Vec<Status> = Status::ALL.iter().filter(wanted).copied().collect();
        shown.sort_by_key(|s| *s == Status::Resolved);
        shown
    }
}

/// The most a status's count counts: beyond it the queue's tabs say "1,000+".
pub const COUNT_LIMIT: i64 = 1_000;
/// A status's count looks at its newest 5,000 submissions at most (in the time range
/// asked for; 1,000 for a search of many matches), so that it costs the same whatever
/// the filter and the queue's size; where the status holds more, the count says "at
/// least" (`more`).
pub const COUNT_WINDOW: i64 = 5_000;

/// How a query finds what a search matches: the search's terms, and how many match.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Search {
    Off,
    /// At most [`FEW_HITS`] submissions match: read those, then put them in order.
    Few(Vec<String>),
    /// More: walk the queue in its order and keep the rows that match, which finds a
    /// page after a few hundred rows where reading every match would take thousands.
    Many(Vec<String>),
}

const FEW_HITS: i64 = 2_000;

impl Store {
    /// The query of the submissions (their `seq`) holding every term.
    fn matching(&self, sql: &mut Sql, org_id: &str, terms: &[String]) -> String {
        match self.backend {
            Backend::Sqlite => {
                // Terms are letters and digits only; quoted, FTS5 reads each as one.
                let expr = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" AND ");
                let p = sql.arg(Arg::Text(expr));
                format!("SELECT rowid AS seq FROM submission_search WHERE submission_search MATCH {p}")
            }
            Backend::Postgres => {
                let org = sql.arg(Arg::Text(org_id.to_owned()));
                let p = sql.arg(Arg::Text(terms.join(" ")));
                format!("SELECT seq FROM submission_search WHERE org_id = {org} AND terms @> string_to_array({p}, ' ')")
            }
        }
    }

    /// The filter's search, and how many it matches; `None` when it can match nothing
    /// (not a single word in it).
    async fn search(&self, org_id: &str, filter: &QueueFilter) -> Result<Option<Search>> {
        let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(Some(Search::Off));
        };
        let terms = crate::search::query_terms(q);
        if terms.is_empty() {
            return Ok(None);
        }
        let mut count = Sql::default();
        let matching = self.matching(&mut count, org_id, &terms);
        count.push(&format!("SELECT COUNT(*) AS n FROM ({matching} LIMIT {}) h", FEW_HITS + 1));
        let n: i64 = count.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(Some(if n > FEW_HITS { Search::Many(terms) } else { Search::Few(terms) }))
    }

    /// Where a walk of one status's stretch of the queue index reads from: on SQLite the
    /// index named, or a search of many matches would read them all first.
    fn walk(&self, search: &Search) -> &'static str {
        match (self.backend, search) {
            (Backend::Sqlite, Search::Many(_)) => "FROM submissions s INDEXED BY submissions_queue",
            _ => "FROM submissions s",
        }
    }

    /// The `WHERE` of a filtered queue, without its cursor: in one `status`, or in the
    /// filter's own statuses; with `search`, only the rows it matches (looked up row by
    /// row, unless the caller joined the few matches already: [`Search::Off`]).
    fn filter_sql(
        &self,
        sql: &mut Sql,
        org_id: &str,
        filter: &QueueFilter,
        status: Option<Status>,
        search: &Search,
        now: i64,
    ) {
        let org = sql.arg(Arg::Text(org_id.to_owned()));
        sql.push(&format!(" WHERE s.org_id = {org}"));
        // The closed sets' values are the enums' own words: safe to write inline.
        match status {
            Some(status) => sql.push(&format!(" AND s.status = '{status}'")),
            None => sql.push(&format!(" AND s.status IN ({})", list(&filter.shown()))),
        }
        if !filter.kinds.is_empty() {
            sql.push(&format!(" AND s.kind IN ({})", list(&filter.kinds)));
        }
        if !filter.priorities.is_empty() {
            sql.push(&format!(" AND s.priority IN ({})", list(&filter.priorities)));
        }
        if let Some(stage) = filter.stage {
            sql.push(&format!(" AND s.stage = '{stage}'"));
        }
        if let Some(site) = &filter.site_id {
            let p = sql.arg(Arg::Text(site.clone()));
            sql.push(&format!(" AND s.site_id = {p}"));
        }
        if let Some(category) = &filter.category {
            let p = sql.arg(Arg::Text(category.clone()));
            sql.push(&format!(" AND s.category = {p}"));
        }
        match &filter.assignee {
            None => {}
            Some(AssigneeFilter::Nobody) => sql.push(" AND s.assignee_id IS NULL"),
            Some(AssigneeFilter::Person(id)) => {
                let p = sql.arg(Arg::Text(id.clone()));
                sql.push(&format!(" AND s.assignee_id = {p}"));
            }
        }
        if let Some(max) = filter.rating_max {
            let p = sql.arg(Arg::Int(max));
            sql.push(&format!(" AND s.rating <= {p}"));
        }
        if let Some(from) = filter.from {
            let p = sql.arg(Arg::Int(from));
            sql.push(&format!(" AND s.received_at >= {p}"));
        }
        if let Some(to) = filter.to {
            let p = sql.arg(Arg::Int(to));
            sql.push(&format!(" AND s.received_at < {p}"));
        }
        match filter.due {
            None => {}
            Some(due) => {
                let by = if due == DueFilter::Soon { now + DUE_SOON_MILLIS } else { now };
                let p = sql.arg(Arg::Int(by));
                sql.push(&format!(" AND s.due_at IS NOT NULL AND s.due_at < {p}"));
            }
        }
        if filter.sort == Sort::Due && filter.due.is_none() {
            sql.push(" AND s.due_at IS NOT NULL");
        }
        if let Search::Few(terms) | Search::Many(terms) = search {
            let matching = self.matching(sql, org_id, terms);
            sql.push(&format!(" AND s.seq IN ({matching})"));
        }
    }

    /// A page of the organisation's queue, `limit` at a time, in the filter's order. A
    /// cursor that names none of the organisation's submissions is `NotFound`.
    ///
    /// Newest first, the page is the newest `limit` of each shown status's newest
    /// `limit` (each read from its own stretch of the queue index, so a status that
    /// holds few rows is never looked for among the many of another).
    pub async fn queue(
        &self,
        org_id: &str,
        filter: &QueueFilter,
        limit: i64,
        after: Option<&QueueCursor>,
    ) -> Result<(Vec<QueueItem>, Option<QueueCursor>)> {
        let after = match after {
            None => None,
            Some(cursor) => {
                let row = sqlx::query("SELECT seq, received_at FROM submissions WHERE id = $1 AND org_id = $2")
                    .bind(cursor.after_id.to_string())
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(Error::NotFound)?;
                let seq: i64 = row.try_get("seq")?;
                let key = match (filter.sort, cursor.due_at) {
                    (Sort::Newest, _) => row.try_get("received_at")?,
                    (Sort::Due, Some(due)) => due,
                    (Sort::Due, None) => return Err(Error::NotFound),
                };
                Some((key, seq))
            }
        };
        let now = now_millis();
        let Some(search) = self.search(org_id, filter).await? else { return Ok((vec![], None)) };
        if filter.sort == Sort::Newest {
            return self.newest(org_id, filter, &search, limit, after, now).await;
        }
        let stretch = Stretch { status: None, after, floor: None, limit: Some(limit + 1) };
        let rows = self.stretch_sql(org_id, filter, &search, &stretch, now).query().fetch_all(&self.pool).await?;
        let mut items = rows.iter().map(queue_item).collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            let due_at: Option<i64> = rows[limit as usize - 1].try_get("due_at")?;
            Some(QueueCursor { after_id: cursor_id(items.last().expect("limit rows were read"))?, due_at })
        } else {
            None
        };
        Ok((items, next))
    }

    /// The stretches a query of the queue reads, each in order: in due order, or a
    /// search of few matches, one; newest first, one per shown status.
    fn stretches(filter: &QueueFilter, search: &Search) -> Vec<Option<Status>> {
        match (filter.sort, search) {
            (Sort::Due, _) | (Sort::Newest, Search::Few(_)) => vec![None],
            (Sort::Newest, _) => filter.shown().into_iter().map(Some).collect(),
        }
    }

    /// The query of one stretch of the queue, in the filter's order.
    fn stretch_sql(&self, org_id: &str, filter: &QueueFilter, search: &Search, stretch: &Stretch, now: i64) -> Sql {
        let mut sql = Sql::default();
        match (stretch.status, search) {
            (None, Search::Few(terms)) if filter.sort == Sort::Newest => {
                let matching = self.matching(&mut sql, org_id, terms);
                sql.push(&format!(
                    "SELECT {ITEM_COLUMNS} FROM ({matching}) h JOIN submissions s ON s.seq = h.seq {ITEM_JOINS}"
                ));
                self.filter_sql(&mut sql, org_id, filter, None, &Search::Off, now);
            }
            (status, _) => {
                sql.push(&format!("SELECT {ITEM_COLUMNS} {} {ITEM_JOINS}", self.walk(search)));
                self.filter_sql(&mut sql, org_id, filter, status, search, now);
            }
        }
        match filter.sort {
            Sort::Newest => {
                if let Some((received_at, seq)) = stretch.after {
                    let (r, q) = (sql.arg(Arg::Int(received_at)), sql.arg(Arg::Int(seq)));
                    sql.push(&format!(" AND (s.received_at, s.seq) < ({r}, {q})"));
                }
                if let Some((received_at, seq)) = stretch.floor {
                    let (r, q) = (sql.arg(Arg::Int(received_at)), sql.arg(Arg::Int(seq)));
                    sql.push(&format!(" AND (s.received_at, s.seq) > ({r}, {q})"));
                }
                sql.push(" ORDER BY s.received_at DESC, s.seq DESC");
            }
            Sort::Due => {
                if let Some((due, seq)) = stretch.after {
                    let (due, seq) = (sql.arg(Arg::Int(due)), sql.arg(Arg::Int(seq)));
                    sql.push(&format!(" AND (s.due_at > {due} OR (s.due_at = {due} AND s.seq > {seq}))"));
                }
                sql.push(" ORDER BY s.due_at, s.seq");
            }
        }
        if let Some(limit) = stretch.limit {
            let limit = sql.arg(Arg::Int(limit));
            sql.push(&format!(" LIMIT {limit}"));
        }
        sql
    }

    /// The newest `limit` after `after` (its `(received_at, seq)`). Without a search, or
    /// with one of many matches, each shown status is read from its own stretch of the
    /// queue index, newest first, and once a page's worth is found the next status is
    /// only read down to the oldest of them: a status holding few rows is never looked
    /// for among the many of another, and the page stays a few hundred rows of reading.
    async fn newest(
        &self,
        org_id: &str,
        filter: &QueueFilter,
        search: &Search,
        limit: i64,
        after: Option<(i64, i64)>,
        now: i64,
    ) -> Result<(Vec<QueueItem>, Option<QueueCursor>)> {
        // (received_at, seq, item), newest first.
        let mut page: Vec<(i64, i64, QueueItem)> = Vec::new();
        let keyed = |row: &AnyRow| -> Result<(i64, i64, QueueItem)> {
            Ok((row.try_get("received_at")?, row.try_get("seq")?, queue_item(row)?))
        };
        for status in Self::stretches(filter, search) {
            let floor = page.get(limit as usize).map(|(received_at, seq, _)| (*received_at, *seq));
            let stretch = Stretch { status, after, floor, limit: Some(limit + 1) };
            let rows = self.stretch_sql(org_id, filter, search, &stretch, now).query().fetch_all(&self.pool).await?;
            page.extend(rows.iter().map(keyed).collect::<Result<Vec<_>>>()?);
            page.sort_by_key(|(received_at, seq, _)| std::cmp::Reverse((*received_at, *seq)));
            page.truncate(limit as usize + 1);
        }
        let mut items: Vec<QueueItem> = page.into_iter().map(|(_, _, item)| item).collect();
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            Some(QueueCursor { after_id: cursor_id(items.last().expect("limit rows were read"))?, due_at: None })
        } else {
            None
        };
        Ok((items, next))
    }

    /// Every submission of the filter, for the export: status by status (the shown
    /// ones, resolved last), newest first within each, or in due order; sent to `pages`
    /// `page` rows at a time, then an error if reading failed. Ends early when the
    /// receiver goes. On SQLite it reads one snapshot on a connection of its own,
    /// without sqlx (which hands every row between threads); on PostgreSQL each stretch
    /// is one streamed query.
    pub async fn export(
        &self,
        org_id: &str,
        filter: &QueueFilter,
        page: usize,
        pages: tokio::sync::mpsc::Sender<Result<Vec<QueueItem>>>,
    ) {
        let Err(err) = self.export_pages(org_id, filter, page, &pages).await else { return };
        let _ = pages.send(Err(err)).await;
    }

    async fn export_pages(
        &self,
        org_id: &str,
        filter: &QueueFilter,
        page: usize,
        pages: &tokio::sync::mpsc::Sender<Result<Vec<QueueItem>>>,
    ) -> Result<()> {
        use futures_util::TryStreamExt;
        let Some(search) = self.search(org_id, filter).await? else { return Ok(()) };
        let now = now_millis();
        let queries: Vec<Sql> = Self::stretches(filter, &search)
            .into_iter()
            .map(|status| {
                let stretch = Stretch { status, after: None, floor: None, limit: None };
                self.stretch_sql(org_id, filter, &search, &stretch, now)
            })
            .collect();
        match self.backend {
            Backend::Sqlite => {
                let conn = self.open_sqlite_reader()?;
                let pages = pages.clone();
                tokio::task::spawn_blocking(move || export_sqlite(conn, &queries, page, &pages))
                    .await
                    .map_err(|e| sqlx::Error::Io(std::io::Error::other(format!("export: {e}"))))?
            }
            Backend::Postgres => {
                for sql in &queries {
                    let mut rows = sql.query().fetch(&self.pool);
                    let mut chunk = Vec::with_capacity(page);
                    while let Some(row) = rows.try_next().await? {
                        chunk.push(queue_item(&row)?);
                        if chunk.len() == page && pages.send(Ok(std::mem::take(&mut chunk))).await.is_err() {
                            return Ok(());
                        }
                    }
                    if !chunk.is_empty() && pages.send(Ok(chunk)).await.is_err() {
                        return Ok(());
                    }
                }
                Ok(())
            }
        }
    }

    /// The page of the queue a URL's parameters ask `staff` for (50 rows unless `limit`
    /// says). A cursor that is not one of ours, or names none of the organisation's
    /// submissions, is `NotFound`.
    pub async fn queue_page(
        &self,
        staff: &StaffRecord,
        params: &QueueParams,
    ) -> Result<(Vec<QueueItem>, Option<QueueCursor>)> {
        let filter = QueueFilter::parse(params, &staff.user_id)?;
        let cursor = match nonempty(&params.cursor) {
            None => None,
            Some(text) => Some(QueueCursor::decode(&text).ok_or(Error::NotFound)?),
        };
        self.queue(&staff.org_id, &filter, params.limit.unwrap_or(50), cursor.as_ref()).await
    }

    /// How many submissions of the filter (its statuses aside) are in each status, each
    /// counted to [`COUNT_LIMIT`] at most.
    pub async fn status_counts(&self, org_id: &str, filter: &QueueFilter) -> Result<StatusCounts> {
        let unfiltered = QueueFilter { statuses: Status::ALL.to_vec(), sort: Sort::Newest, ..filter.clone() };
        let mut counts: StatusCounts = Status::ALL.iter().map(|s| StatusCount::exactly(*s, 0)).collect();
        let Some(search) = self.search(org_id, &unfiltered).await? else { return Ok(counts) };
        // Each row of a search of many matches is looked up in the search index: fewer.
        let window_size = if let Search::Many(_) = search { COUNT_WINDOW / 5 } else { COUNT_WINDOW };
        let mut sql = Sql::default();
        let now = now_millis();
        if let Search::Few(terms) = &search {
            let matching = self.matching(&mut sql, org_id, terms);
            sql.push(&format!(
                "SELECT s.status, COUNT(*) AS n, 0 AS examined FROM ({matching}) h JOIN submissions s ON s.seq = h.seq"
            ));
            self.filter_sql(&mut sql, org_id, &unfiltered, None, &Search::Off, now);
            sql.push(" GROUP BY s.status");
        } else {
            let (cap, window) = (sql.arg(Arg::Int(COUNT_LIMIT + 1)), sql.arg(Arg::Int(window_size)));
            // Resolved and spam submissions keep no promise: a due filter finds none
            // there, and looking would walk all of them.
            let counted = Status::ALL
                .iter()
                .filter(|s| unfiltered.due.is_none() || !matches!(s, Status::Resolved | Status::Spam));
            for (i, status) in counted.enumerate() {
                if i > 0 {
                    sql.push(" UNION ALL ");
                }
                // The status's newest rows (in the time range asked for): what is counted.
                let org = sql.arg(Arg::Text(org_id.to_owned()));
                let mut newest = format!("FROM submissions WHERE org_id = {org} AND status = '{status}'");
                if let Some(from) = unfiltered.from {
                    newest.push_str(&format!(" AND received_at >= {}", sql.arg(Arg::Int(from))));
                }
                if let Some(to) = unfiltered.to {
                    newest.push_str(&format!(" AND received_at < {}", sql.arg(Arg::Int(to))));
                }
                sql.push(&format!(
                    "SELECT '{status}' AS status, \
                     (SELECT COUNT(*) FROM (SELECT seq {newest} LIMIT {window}) e) AS examined, \
                     (SELECT COUNT(*) FROM (SELECT s.seq FROM \
                     (SELECT * {newest} ORDER BY received_at DESC, seq DESC LIMIT {window}) s"
                ));
                self.filter_sql(&mut sql, org_id, &unfiltered, Some(*status), &search, now);
                sql.push(&format!(" LIMIT {cap}) m{i}) AS n"));
            }
        }
        for row in sql.query().fetch_all(&self.pool).await? {
            let status: Status = parse_column(&row, "status")?;
            let (n, examined): (i64, i64) = (row.try_get("n")?, row.try_get("examined")?);
            if let Some(entry) = counts.iter_mut().find(|c| c.status == status) {
                *entry =
                    StatusCount { status, n: n.min(COUNT_LIMIT), more: n > COUNT_LIMIT || examined >= window_size };
            }
        }
        Ok(counts)
    }

    /// One of the organisation's submissions with its timeline; another organisation's
    /// is `NotFound`, as a missing one.
    pub async fn submission(&self, org_id: &str, id: &str) -> Result<SubmissionDetail> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS}, s.dimensions, s.page_url, s.locale, s.customer_id, s.metadata, \
             s.recovery_rating, s.recovery_comment FROM submissions s {ITEM_JOINS} WHERE s.id = $1 AND s.org_id = $2"
        ))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound)?;
        let item = queue_item(&row)?;
        let dimensions: Option<String> = row.try_get("dimensions")?;
        let metadata: Option<String> = row.try_get("metadata")?;
        let events = sqlx::query(
            "SELECT e.id, e.kind, e.actor_id, u.email AS actor_email, e.body, e.previous, e.at \
             FROM submission_events e LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.submission_id = $1 ORDER BY e.at, e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut timeline = vec![TimelineEvent {
            id: format!("{id}-received"),
            kind: EventKind::Received,
            actor: None,
            body: None,
            previous: None,
            at: item.received_at.clone(),
        }];
        for event in &events {
            let actor_id: Option<String> = event.try_get("actor_id")?;
            let actor_email: Option<String> = event.try_get("actor_email")?;
            timeline.push(TimelineEvent {
                id: event.try_get("id")?,
                kind: parse_column(event, "kind")?,
                actor: actor_id.zip(actor_email).map(|(id, email)| Person { id, email }),
                body: event.try_get("body")?,
                previous: event.try_get("previous")?,
                at: rfc3339_from_millis(event.try_get("at")?),
            });
        }
        fn decode<T: serde::de::DeserializeOwned>(text: Option<String>, column: &str) -> Result<Option<T>> {
            text.map(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| sqlx::Error::ColumnDecode { index: column.into(), source: Box::new(e) }.into())
            })
            .transpose()
        }
        Ok(SubmissionDetail {
            item,
            dimensions: decode(dimensions, "dimensions")?,
            page_url: row.try_get("page_url")?,
            locale: row.try_get("locale")?,
            customer_id: row.try_get("customer_id")?,
            metadata: decode(metadata, "metadata")?,
            recovery_rating: row.try_get("recovery_rating")?,
            recovery_comment: row.try_get("recovery_comment")?,
            timeline,
        })
    }

    /// The organisation's staff who can own submissions (owners and agents).
    pub async fn assignable_people(&self, org_id: &str) -> Result<Vec<Person>> {
        let rows = sqlx::query(
            "SELECT id, email FROM users WHERE org_id = $1 AND role <> 'viewer' AND removed_at IS NULL ORDER BY email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(Person { id: r.try_get("id")?, email: r.try_get("email")? })).collect()
    }

    /// A transaction that may write: on SQLite it takes the write lock at once (waiting
    /// for the collector's writer if need be), so it never fails halfway on a snapshot
    /// that another writer made stale.
    pub(super) async fn write_tx(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub(super) fn lock_clause(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Applies `change` to one submission as `actor`; `NotFound` for another
    /// organisation's. Returns whether anything changed.
    pub async fn change(&self, actor: &StaffRecord, id: &str, change: &Change) -> Result<bool> {
        let change = self.checked_change(actor, change).await?;
        let mut tx = self.write_tx().await?;
        let changed = self.change_in(&mut tx, actor, id, &change, now_millis()).await?;
        tx.commit().await?;
        if changed {
            self.changes.updated(&actor.org_id, id);
        }
        Ok(changed)
    }

    /// Applies `change` to each of `ids` that is the organisation's, in one transaction;
    /// returns the ids that were not found.
    pub async fn change_many(&self, actor: &StaffRecord, ids: &[String], change: &Change) -> Result<Vec<String>> {
        let change = self.checked_change(actor, change).await?;
        let mut tx = self.write_tx().await?;
        let now = now_millis();
        let (mut missing, mut changed) = (Vec::new(), Vec::new());
        for id in ids {
            match self.change_in(&mut tx, actor, id, &change, now).await {
                Ok(true) => changed.push(id),
                Ok(false) => {}
                Err(Error::NotFound) => missing.push(id.clone()),
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
        for id in changed {
            self.changes.updated(&actor.org_id, id);
        }
        Ok(missing)
    }

    /// `change` with its tags tidied, or why it cannot be made: an assignee must be an
    /// owner or agent of the actor's organisation.
    async fn checked_change(&self, actor: &StaffRecord, change: &Change) -> Result<Change> {
        let mut change = change.clone();
        if let Some(Some(assignee)) = &change.assignee {
            let people = self.assignable_people(&actor.org_id).await?;
            if !people.iter().any(|p| &p.id == assignee) {
                return Err(Error::field("assignee", "must be an owner or agent of this organisation"));
            }
        }
        if let Some(tags) = &mut change.tags {
            let mut tidy: Vec<String> = Vec::new();
            for tag in tags.iter().map(|t| t.trim().to_lowercase()) {
                if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
                    return Err(Error::field("tags", format!("each tag must be 1 to {MAX_TAG_CHARS} characters")));
                }
                if !tidy.contains(&tag) {
                    tidy.push(tag);
                }
            }
            if tidy.len() > MAX_TAGS {
                return Err(Error::field("tags", format!("at most {MAX_TAGS} tags")));
            }
            *tags = tidy;
        }
        Ok(change)
    }

    async fn change_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &StaffRecord,
        id: &str,
        change: &Change,
        now: i64,
    ) -> Result<bool> {
        let current = Current::load(tx, self.lock_clause(), "id", id, Some(&actor.org_id)).await?;
        let mut next = current.clone();
        if let Some(status) = change.status {
            next.set_status(status, now);
        }
        if let Some(priority) = change.priority {
            next.priority = priority;
        }
        if let Some(tags) = &change.tags {
            next.tags = tags.clone();
        }
        match &change.assignee {
            Some(assignee) => next.assignee_id = assignee.clone(),
            // Marking spam is not taking the shopper on.
            None if change.status != Some(Status::Spam) && next != current => next.take_first_contact(actor),
            None => {}
        }
        let changed = next != current;
        if changed {
            next.write(self, tx, Some(&actor.user_id), &current, now).await?;
        }
        Ok(changed)
    }

    /// An internal note, seen by staff only.
    pub async fn add_note(&self, actor: &StaffRecord, id: &str, body: &str) -> Result<()> {
        let body = checked_body(body)?;
        let mut tx = self.write_tx().await?;
        let current = Current::load(&mut tx, self.lock_clause(), "id", id, Some(&actor.org_id)).await?;
        insert_event(&mut tx, &current, Some(&actor.user_id), EventKind::Note, Some(body), None, now_millis()).await?;
        tx.commit().await?;
        self.changes.updated(&current.org_id, &current.id);
        Ok(())
    }

    /// A public reply: shown on the shopper's tracking page, and emailed when `compose`
    /// makes a mail (the outbox row commits with the reply). The first reply keeps the
    /// first-response promise; a `new` submission becomes `open`, or takes `status`.
    pub async fn reply(
        &self,
        actor: &StaffRecord,
        id: &str,
        body: &str,
        status: Option<Status>,
        compose: Composer<'_>,
    ) -> Result<bool> {
        let body = checked_body(body)?;
        let now = now_millis();
        let mut tx = self.write_tx().await?;
        let current = Current::load(&mut tx, self.lock_clause(), "id", id, Some(&actor.org_id)).await?;
        let event_id =
            insert_event(&mut tx, &current, Some(&actor.user_id), EventKind::Reply, Some(body), None, now).await?;
        let mut next = current.clone();
        next.first_response_at.get_or_insert(now);
        match status {
            Some(status) => next.set_status(status, now),
            None if next.status == Status::New => next.set_status(Status::Open, now),
            None => {}
        }
        next.take_first_contact(actor);
        next.write(self, &mut tx, Some(&actor.user_id), &current, now).await?;
        let mut mailed = false;
        if let Some(email) = current.email.as_deref() {
            let context = ReplyContext {
                email,
                locale: current.locale.as_deref(),
                track_token: &current.track_token,
                site_name: &current.site_name,
                body,
            };
            if let Some(mail) = compose(&context) {
                mail.enqueue(&mut *tx, &current.org_id, Some(&event_id)).await?;
                mailed = true;
            }
        }
        tx.commit().await?;
        self.changes.updated(&current.org_id, &current.id);
        Ok(mailed)
    }

    /// The shopper's tracking link: their submission and the conversation, or `None`.
    pub async fn tracked(&self, track_token: &str) -> Result<Option<Tracked>> {
        let row = sqlx::query(
            "SELECT s.id, s.kind, s.status, s.received_at, s.locale, s.message, s.recovery_rating, t.name AS site_name \
             FROM submissions s JOIN sites t ON t.id = s.site_id WHERE s.track_token = $1",
        )
        .bind(track_token)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let events = sqlx::query(
            "SELECT kind, body, at FROM submission_events WHERE submission_id = $1 AND kind IN ('reply', 'follow_up') \
             ORDER BY at, id",
        )
        .bind(&id)
        .fetch_all(&self.pool)
        .await?;
        let messages = events
            .iter()
            .map(|e| {
                let kind: EventKind = parse_column(e, "kind")?;
                Ok(TrackedMessage {
                    from: if kind == EventKind::Reply { "shop" } else { "shopper" },
                    body: e.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
                    at: rfc3339_from_millis(e.try_get("at")?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let status = match parse_column(&row, "status")? {
            Status::Spam => Status::New,
            status => status,
        };
        let rating: Option<i64> = row.try_get("recovery_rating")?;
        Ok(Some(Tracked {
            id,
            kind: parse_column(&row, "kind")?,
            status,
            received_at: rfc3339_from_millis(row.try_get("received_at")?),
            locale: row.try_get("locale")?,
            message: row.try_get("message")?,
            site_name: row.try_get("site_name")?,
            messages,
            recovery: Recovery { asked: status == Status::Resolved || rating.is_some(), rating },
        }))
    }

    /// The shopper answers back: a pending or resolved complaint opens again.
    pub async fn follow_up(&self, track_token: &str, body: &str) -> Result<()> {
        let body = checked_body(body)?;
        let now = now_millis();
        let mut tx = self.write_tx().await?;
        let current = Current::load(&mut tx, self.lock_clause(), "track_token", track_token, None).await?;
        insert_event(&mut tx, &current, None, EventKind::FollowUp, Some(body), None, now).await?;
        if current.kind == Kind::Complaint && matches!(current.status, Status::Pending | Status::Resolved) {
            let mut next = current.clone();
            next.set_status(Status::Open, now);
            next.write(self, &mut tx, None, &current, now).await?;
        }
        tx.commit().await?;
        self.changes.updated(&current.org_id, &current.id);
        Ok(())
    }

    /// "Are you satisfied with how this was handled?" Taken once the submission is
    /// resolved; a second, different answer is a conflict.
    pub async fn rate_recovery(&self, track_token: &str, rating: i64, comment: Option<&str>) -> Result<Rated> {
        if !(1..=5).contains(&rating) {
            return Err(Error::field("rating", "must be between 1 and 5"));
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > MAX_BODY_CHARS) {
            return Err(Error::field("comment", format!("must be at most {MAX_BODY_CHARS} characters")));
        }
        let mut tx = self.write_tx().await?;
        let current = Current::load(&mut tx, self.lock_clause(), "track_token", track_token, None).await?;
        let stored: Option<i64> = sqlx::query("SELECT recovery_rating FROM submissions WHERE id = $1")
            .bind(&current.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("recovery_rating")?;
        match stored {
            Some(same) if same == rating => return Ok(Rated::Again),
            Some(_) => return Err(Error::Conflict("this was already rated with another answer".into())),
            None if current.status != Status::Resolved => {
                return Err(Error::Conflict("it can be rated once it is resolved".into()))
            }
            None => {}
        }
        let before = current.subject();
        let after = Subject { recovery_rating: Some(rating), ..before.clone() };
        super::metrics::recounted(self, &mut tx, &before, &after).await?;
        sqlx::query("UPDATE submissions SET recovery_rating = $1, recovery_comment = $2 WHERE id = $3")
            .bind(rating)
            .bind(comment)
            .bind(&current.id)
            .execute(&mut *tx)
            .await?;
        let text = match comment {
            Some(comment) => format!("{rating}: {comment}"),
            None => rating.to_string(),
        };
        insert_event(&mut tx, &current, None, EventKind::Recovery, Some(&text), None, now_millis()).await?;
        tx.commit().await?;
        self.changes.updated(&current.org_id, &current.id);
        Ok(Rated::Stored)
    }

    pub async fn saved_replies(&self, org_id: &str) -> Result<Vec<SavedReply>> {
        let rows = sqlx::query("SELECT id, title, body FROM saved_replies WHERE org_id = $1 ORDER BY title, id")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(SavedReply { id: r.try_get("id")?, title: r.try_get("title")?, body: r.try_get("body")? }))
            .collect()
    }

    /// Creates a saved reply (`id` none) or replaces one of the organisation's.
    pub async fn save_reply(&self, org_id: &str, id: Option<&str>, title: &str, body: &str) -> Result<SavedReply> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(Error::field("title", "must be 1 to 100 characters"));
        }
        let body = checked_body(body)?;
        let now = now_millis();
        let id = match id {
            Some(id) => {
                let updated = sqlx::query(
                    "UPDATE saved_replies SET title = $1, body = $2, updated_at = $3 WHERE id = $4 AND org_id = $5",
                )
                .bind(title)
                .bind(body)
                .bind(now)
                .bind(id)
                .bind(org_id)
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(Error::NotFound);
                }
                id.to_owned()
            }
            None => {
                let id = super::new_id();
                sqlx::query(
                    "INSERT INTO saved_replies (id, org_id, title, body, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(org_id)
                .bind(title)
                .bind(body)
                .bind(now)
                .bind(now)
                .execute(&self.pool)
                .await?;
                id
            }
        };
        Ok(SavedReply { id, title: title.to_owned(), body: body.to_owned() })
    }

    pub async fn delete_saved_reply(&self, org_id: &str, id: &str) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM saved_replies WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .execute(&self.pool)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}

/// Whether `staff` may change things: owners and agents; viewers read.
pub fn may_write(staff: &StaffRecord) -> bool {
    staff.member.role != Role::Viewer
}

/// Whether `staff` may change the organisation's own settings: owners only.
pub fn may_configure(staff: &StaffRecord) -> bool {
    staff.member.role == Role::Owner
}

fn checked_body(body: &str) -> Result<&str> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::field("body", "must not be empty"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Error::field("body", format!("must be at most {MAX_BODY_CHARS} characters")));
    }
    Ok(body)
}

/// A submission's triage state inside a write transaction.
#[derive(Clone, Debug, PartialEq)]
struct Current {
    id: String,
    org_id: String,
    kind: Kind,
    status: Status,
    priority: Priority,
    assignee_id: Option<String>,
    tags: Vec<String>,
    first_response_due: Option<i64>,
    resolution_due: Option<i64>,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    email: Option<String>,
    locale: Option<String>,
    track_token: String,
    site_name: String,
    /// As loaded: what the figures counted of it.
    counted: Subject,
}

impl Current {
    /// The submission whose `column` (`id` or `track_token`) is `value`, in `org_id`
    /// when given; locked for the transaction on PostgreSQL.
    async fn load(
        tx: &mut Transaction<'static, Any>,
        lock: &str,
        column: &str,
        value: &str,
        org_id: Option<&str>,
    ) -> Result<Self> {
        let org = if org_id.is_some() { " AND s.org_id = $2" } else { "" };
        let sql = format!(
            "SELECT {SUBJECT_COLUMNS}, s.id, s.priority, s.tags, s.email, s.locale, s.track_token, \
             (SELECT name FROM sites t WHERE t.id = s.site_id) AS site_name \
             FROM submissions s WHERE s.{column} = $1{org}{lock}"
        );
        let mut query = sqlx::query(&sql).bind(value);
        if let Some(org_id) = org_id {
            query = query.bind(org_id);
        }
        let row = query.fetch_optional(&mut **tx).await?.ok_or(Error::NotFound)?;
        Ok(Current {
            id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            kind: parse_column(&row, "kind")?,
            status: parse_column(&row, "status")?,
            priority: parse_column(&row, "priority")?,
            assignee_id: row.try_get("assignee_id")?,
            tags: json_column(&row, "tags")?,
            first_response_due: row.try_get("first_response_due")?,
            resolution_due: row.try_get("resolution_due")?,
            first_response_at: row.try_get("first_response_at")?,
            resolved_at: row.try_get("resolved_at")?,
            email: row.try_get("email")?,
            locale: row.try_get("locale")?,
            track_token: row.try_get("track_token")?,
            site_name: row.try_get("site_name")?,
            counted: Subject::from_row(&row)?,
        })
    }

    /// What the figures count of it in this state.
    fn subject(&self) -> Subject {
        Subject {
            status: self.status,
            assignee_id: self.assignee_id.clone(),
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            ..self.counted.clone()
        }
    }

    fn set_status(&mut self, status: Status, now: i64) {
        if status == Status::Resolved {
            self.resolved_at.get_or_insert(now);
        } else {
            self.resolved_at = None;
        }
        self.status = status;
    }

    /// First contact owns it: whoever first acts on an unassigned complaint.
    fn take_first_contact(&mut self, actor: &StaffRecord) {
        if self.kind == Kind::Complaint && self.assignee_id.is_none() && may_write(actor) {
            self.assignee_id = Some(actor.user_id.clone());
        }
    }

    fn due_at(&self) -> Option<i64> {
        Promises {
            status: self.status,
            first_response_due: self.first_response_due,
            resolution_due: self.resolution_due,
            first_response_at: self.first_response_at,
        }
        .next_due()
    }

    /// Stores this state over `before`, with an event for each field that differs.
    async fn write(
        &self,
        store: &Store,
        tx: &mut Transaction<'static, Any>,
        actor: Option<&str>,
        before: &Current,
        now: i64,
    ) -> Result<()> {
        super::metrics::recounted(store, tx, &before.subject(), &self.subject()).await?;
        sqlx::query(
            "UPDATE submissions SET status = $1, priority = $2, assignee_id = $3, tags = $4, first_response_at = $5, \
             resolved_at = $6, due_at = $7 WHERE id = $8",
        )
        .bind(self.status.as_str())
        .bind(self.priority.as_str())
        .bind(self.assignee_id.as_deref())
        .bind(serde_json::to_string(&self.tags).expect("strings serialize"))
        .bind(self.first_response_at)
        .bind(self.resolved_at)
        .bind(self.due_at())
        .bind(&self.id)
        .execute(&mut **tx)
        .await?;
        let tags = |t: &[String]| t.join(", ");
        let changes = [
            (EventKind::Status, before.status.as_str().to_owned(), self.status.as_str().to_owned()),
            (EventKind::Priority, before.priority.as_str().to_owned(), self.priority.as_str().to_owned()),
            (
                EventKind::Assignee,
                before.assignee_id.clone().unwrap_or_default(),
                self.assignee_id.clone().unwrap_or_default(),
            ),
            (EventKind::Tags, tags(&before.tags), tags(&self.tags)),
        ];
        for (kind, old, new) in changes {
            if old != new {
                let (new, old) = (Some(new).filter(|v| !v.is_empty()), Some(old).filter(|v| !v.is_empty()));
                insert_event(tx, self, actor, kind, new.as_deref(), old.as_deref(), now).await?;
            }
        }
        Ok(())
    }
}

async fn insert_event(
    tx: &mut Transaction<'static, Any>,
    on: &Current,
    actor: Option<&str>,
    kind: EventKind,
    body: Option<&str>,
    previous: Option<&str>,
    at: i64,
) -> Result<String> {
    // Time-ordered ids: events of the same millisecond keep their order.
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO submission_events (id, submission_id, org_id, actor_id, kind, body, previous, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&on.id)
    .bind(&on.org_id)
    .bind(actor)
    .bind(kind.as_str())
    .bind(body)
    .bind(previous)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Where the search index has got to: the highest `seq` indexed.
pub(super) const SEARCH_MARK: &str = "search_indexed_seq";

fn search_terms(fields: [Option<&str>; 4]) -> String {
    crate::search::document(&fields).join(" ")
}

/// Indexes up to `limit` submissions stored after the mark, in one transaction on the
/// SQLite writer's connection, which stores them in order; returns how many.
pub(super) fn index_sqlite(conn: &mut rusqlite::Connection, limit: usize) -> rusqlite::Result<usize> {
    use rusqlite::OptionalExtension;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mark: i64 = tx
        .query_row("SELECT value FROM settings WHERE key = ?1", [SEARCH_MARK], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut last = mark;
    let mut count = 0;
    let mut tally = Tally::default();
    let counts = Counts::all_sqlite(&tx)?;
    {
        let mut select = tx.prepare_cached(&format!(
            "SELECT {SUBJECT_COLUMNS}, s.email, s.order_ref, s.name FROM submissions s WHERE s.seq > ?1 \
             ORDER BY s.seq LIMIT ?2"
        ))?;
        let names: Vec<String> = select.column_names().into_iter().map(str::to_owned).collect();
        let mut insert = tx.prepare_cached("INSERT INTO submission_search (rowid, terms) VALUES (?1, ?2)")?;
        let mut rows = select.query(rusqlite::params![mark, limit as i64])?;
        while let Some(row) = rows.next()? {
            let named = Named { row, names: &names };
            let subject = Subject::from_row(&named).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
            let fields: [Option<String>; 4] =
                [subject.message.clone(), row.get("email")?, row.get("order_ref")?, row.get("name")?];
            insert.execute(rusqlite::params![subject.seq, search_terms(fields.each_ref().map(Option::as_deref))])?;
            if let Some(counts) = counts.get(&subject.org_id) {
                tally.add(&subject, counts, 1);
            }
            last = subject.seq;
            count += 1;
        }
    }
    tally.write_sqlite(&tx)?;
    if count > 0 {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rusqlite::params![SEARCH_MARK, last.to_string()],
        )?;
    }
    tx.commit()?;
    Ok(count)
}

/// How far back past the mark the PostgreSQL indexer looks for submissions that
/// committed after later ones.
pub(super) fn lookback(mark: i64) -> i64 {
    (mark - 8 * super::MAX_BATCH as i64).max(0)
}

/// The PostgreSQL search indexer (SQLite's runs in its writer, see `writer`).
impl Store {
    /// Indexes up to `batch` submissions not yet in the search index; returns how many.
    /// Instances' batches may commit out of their sequence order, so it looks back past
    /// the mark for any that committed late. Nothing to do on SQLite.
    pub async fn index_for_search(&self, batch: i64) -> Result<usize> {
        if self.backend != Backend::Postgres {
            return Ok(0);
        }
        let mark: i64 = self.setting(SEARCH_MARK).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut tx = self.pool.begin().await?;
        // Locked: a triage change waits until these are counted, then moves their
        // counts (see `metrics::counted`).
        let rows = sqlx::query(&format!(
            "SELECT {SUBJECT_COLUMNS}, s.email, s.order_ref, s.name FROM submissions s \
             WHERE s.seq > $1 AND NOT EXISTS (SELECT 1 FROM submission_search x WHERE x.seq = s.seq) \
             ORDER BY s.seq LIMIT $2 FOR UPDATE OF s"
        ))
        .bind(lookback(mark))
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let subjects = rows.iter().map(Subject::from_row).collect::<Result<Vec<_>>>()?;
        // One statement for the whole batch: a round trip per row cost the database as
        // much as the collector's own inserts while a flood was being indexed.
        let mut insert = Sql::default();
        insert.push("INSERT INTO submission_search (seq, org_id, terms) VALUES ");
        let mut last = mark;
        for (i, (row, subject)) in rows.iter().zip(&subjects).enumerate() {
            let fields: [Option<String>; 4] =
                [subject.message.clone(), row.try_get("email")?, row.try_get("order_ref")?, row.try_get("name")?];
            let (seq_p, org_p, terms_p) = (
                insert.arg(Arg::Int(subject.seq)),
                insert.arg(Arg::Text(subject.org_id.clone())),
                insert.arg(Arg::Text(search_terms(fields.each_ref().map(Option::as_deref)))),
            );
            let comma = if i > 0 { ", " } else { "" };
            insert.push(&format!("{comma}({seq_p}, {org_p}, string_to_array({terms_p}, ' '))"));
            last = last.max(subject.seq);
        }
        // Another instance may have indexed some meanwhile: only what this one indexed
        // is counted here.
        insert.push(" ON CONFLICT (seq) DO NOTHING RETURNING seq");
        let indexed: std::collections::HashSet<i64> =
            insert.query().fetch_all(&mut *tx).await?.iter().map(|r| r.try_get("seq")).collect::<Result<_, _>>()?;
        // Where each organisation's roll-ups are as of now, locked so that none moves
        // before this commits (see `Counts::of`).
        let mut counts: HashMap<&str, Counts> = HashMap::new();
        for subject in &subjects {
            if !counts.contains_key(subject.org_id.as_str()) {
                counts.insert(&subject.org_id, Counts::of(self.backend, &mut tx, &subject.org_id, true).await?);
            }
        }
        let mut tally = Tally::default();
        for subject in subjects.iter().filter(|s| indexed.contains(&s.seq)) {
            tally.add(subject, &counts[subject.org_id.as_str()], 1);
        }
        tally.write(self.backend, &mut tx).await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(SEARCH_MARK)
        .bind(last.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }
}

/// An email in the outbox, taken by one sender for a while.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxMail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// How long a sender holds an email it took before another may try it.
const MAIL_LEASE_MILLIS: i64 = 5 * 60_000;
/// After this many failed attempts an email is given up (kept, with its last error).
pub const MAIL_ATTEMPTS: i64 = 10;

impl Store {
    /// Takes up to `limit` emails that are due, each for one sender (the first to move
    /// its next attempt past the lease wins it; other instances skip it).
    pub async fn take_mail(&self, limit: i64) -> Result<Vec<OutboxMail>> {
        let now = now_millis();
        let rows = sqlx::query(
            "SELECT id, recipient, subject, body, attempts, next_attempt_at FROM outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $2 ORDER BY next_attempt_at LIMIT $3",
        )
        .bind(now)
        .bind(MAIL_ATTEMPTS)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut taken = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let due: i64 = row.try_get("next_attempt_at")?;
            let won = sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3")
                .bind(now + MAIL_LEASE_MILLIS)
                .bind(&id)
                .bind(due)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1;
            if won {
                taken.push(OutboxMail {
                    id,
                    recipient: row.try_get("recipient")?,
                    subject: row.try_get("subject")?,
                    body: row.try_get("body")?,
                    attempts: row.try_get("attempts")?,
                });
            }
        }
        Ok(taken)
    }

    pub async fn mail_sent(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(now_millis())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the next waits twice as long as the last (one minute
    /// first, at most six hours).
    pub async fn mail_failed(&self, mail: &OutboxMail, error: &str) -> Result<()> {
        let wait = (60_000i64 << mail.attempts.clamp(0, 20)).min(6 * 60 * 60_000);
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3")
            .bind(now_millis() + wait)
            .bind(error.chars().take(500).collect::<String>())
            .bind(&mail.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
