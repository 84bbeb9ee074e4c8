//! `hark seed`: realistic submissions for demos and benchmarks. Every kind, English and
//! Chinese, ratings leaning the way real shops' do, statuses by age (old complaints are
//! mostly resolved), replies that kept or missed their promises, and recovery ratings.
//! Written straight into the tables in batches, oldest first (so the queue's order is the
//! order of arrival), with the same priority and due-time rules as the collector, then
//! indexed for search and analysed for the query planner.

use super::{now_millis, Org, Site, Store};
use crate::error::Result;
use crate::model::{Kind, Priority, Stage, Status};
use crate::triage;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Rows one transaction takes.
const ROWS_PER_INSERT: usize = 500;
/// Rows one statement takes: sqlx's SQLite driver looks each parameter up by position
/// among all of a statement's, so a statement's cost grows with the square of its
/// parameters (26 a row); 25 rows a statement seeds about ten times faster than 500.
const ROWS_PER_STATEMENT: usize = 25;
const MINUTE: i64 = 60_000;

const EN: &[(&str, &str)] = &[
    ("delivery_delay", "The parcel arrived four days late and nobody told me why."),
    ("delivery_delay", "Delivery was slow, the tracking page did not update for a week."),
    ("product_quality", "The box was crushed and the mug inside was broken."),
    ("price_change", "The price went up by ten euros between my cart and the checkout."),
    ("missing_information", "The page never said the lamp needs a separate adapter."),
    ("product_quality", "The fabric pilled after the first wash, disappointing quality."),
    ("product_quality", "Lovely quality, exactly as pictured. Will order again."),
    ("billing", "I was charged twice for the same order."),
    ("staff_attitude", "Support answered quickly and sorted out my refund, thank you."),
    ("staff_attitude", "The agent on the phone was rude and hung up on me."),
    ("installation", "The shelf came without instructions and I could not put it together."),
    ("other", "Could you offer gift wrapping? It would make a great present."),
];

const ZH: &[(&str, &str)] = &[
    ("delivery_delay", "快递太慢了，等了一个星期才到。"),
    ("delivery_delay", "物流信息一直不更新，不知道包裹到哪里了。"),
    ("product_quality", "包装破了，里面的杯子也碎了。"),
    ("price_change", "刚下单就降价了，能退差价吗？"),
    ("product_quality", "质量很好，和图片一样，会再来买。"),
    ("product_quality", "洗了一次就起球了，质量一般。"),
    ("billing", "同一个订单被扣了两次钱。"),
    ("staff_attitude", "客服回复很快，退款也处理好了，谢谢！"),
    ("missing_information", "商品页面没写尺寸，收到才发现太小了。"),
    ("installation", "安装说明看不懂，师傅也没来上门安装。"),
];

const REPLIES_EN: &[&str] = &[
    "We are sorry about this. A replacement ships today.",
    "Thank you for telling us. We have refunded the difference.",
    "Sorry for the wait. Your parcel is with the courier and arrives tomorrow.",
];
const REPLIES_ZH: &[&str] =
    &["非常抱歉，我们今天就给您补发。", "感谢反馈，差价已经退回。", "抱歉让您久等，包裹明天送达。"];

/// What was seeded.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeded {
    pub org: Org,
    pub sites: Vec<Site>,
    pub submissions: usize,
}

impl Store {
    /// Adds `sites` new sites to `org` and `count` submissions across them, spread over
    /// the last `days` days; the search index is brought up to date before it returns.
    pub async fn seed(&self, org: &Org, count: usize, sites: usize, days: i64) -> Result<Seeded> {
        let mut made = Vec::new();
        let tag = crate::auth::random_hex(2);
        for n in 0..sites.max(1) {
            let site = self
                .add_site(
                    org,
                    super::NewSite {
                        name: format!("Shop {tag}-{}", n + 1),
                        allowed_origins: vec![format!("https://shop-{tag}-{}.example", n + 1)],
                        require_email: false,
                    },
                )
                .await?;
            made.push(site);
        }
        let staff = sqlx::query("SELECT id FROM users WHERE org_id = $1 AND role <> 'viewer' ORDER BY created_at")
            .bind(&org.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| sqlx::Row::try_get::<String, _>(r, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        let now = now_millis();
        let span = days.max(1) * 24 * 60 * MINUTE;
        let mut rng = StdRng::seed_from_u64(count as u64 ^ 0x4841524b);
        // Oldest first, evenly spread with jitter.
        let mut written = 0;
        while written < count {
            let take = ROWS_PER_INSERT.min(count - written);
            let rows: Vec<PastSubmission> = (written..written + take)
                .map(|i| {
                    let at = now - span + (span as f64 * (i as f64 + rng.gen::<f64>()) / count as f64) as i64;
                    let site = &made[rng.gen_range(0..made.len())];
                    PastSubmission::seeded(&mut rng, site, &staff, at.min(now), now)
                })
                .collect();
            self.insert_past(&rows).await?;
            written += take;
            // SQLite's WAL is only copied back by checkpoints, which the server's writer
            // runs; here the seed does, or the WAL grows by gigabytes.
            if (written / ROWS_PER_INSERT).is_multiple_of(20) {
                self.checkpoint().await?;
            }
        }
        self.index_everything().await?;
        // A table that grew this much at once needs fresh statistics before the planner
        // can choose well, and on PostgreSQL a visibility map before the queue can be
        // read from its index alone (autovacuum may be off, or not have run yet).
        let analyze = match self.backend {
            super::Backend::Sqlite => "ANALYZE",
            super::Backend::Postgres => {
                "VACUUM (ANALYZE) submissions, submission_search, submission_events, metric_days, metric_phrases"
            }
        };
        sqlx::query(analyze).execute(&self.pool).await?;
        Ok(Seeded { org: org.clone(), sites: made, submissions: count })
    }

    /// Writes `rows` as they are (oldest first keeps the queue's order), in one
    /// transaction; the search indexer counts them later, as any other.
    pub async fn insert_past(&self, rows: &[PastSubmission]) -> Result<()> {
        const COLUMNS: &str = "id, site_id, org_id, kind, rating, category, stage, message, email, name, order_ref, \
                               locale, customer_id, customer_tier, content_digest, track_token, status, priority, \
                               received_at, assignee_id, first_response_due, resolution_due, first_response_at, \
                               resolved_at, due_at, recovery_rating, dimensions";
        const PER_ROW: usize = 27;
        let mut tx = self.pool.begin().await?;
        for rows in rows.chunks(ROWS_PER_STATEMENT) {
            let placeholders: Vec<String> = (0..rows.len())
                .map(|r| {
                    format!(
                        "({})",
                        (1..=PER_ROW).map(|c| format!("${}", r * PER_ROW + c)).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            let sql = format!("INSERT INTO submissions ({COLUMNS}) VALUES {}", placeholders.join(", "));
            let mut query = sqlx::query(&sql);
            for row in rows {
                query = query
                    .bind(row.id.clone())
                    .bind(row.site_id.clone())
                    .bind(row.org_id.clone())
                    .bind(row.kind.as_str())
                    .bind(row.rating)
                    .bind(row.category.clone())
                    .bind(row.stage.map(|s| s.as_str()))
                    .bind(row.message.clone())
                    .bind(row.email.clone())
                    .bind(row.name.clone())
                    .bind(row.order_ref.clone())
                    .bind(row.locale.clone())
                    .bind(row.customer.clone())
                    .bind(row.customer.as_ref().map(|_| "key"))
                    .bind(crate::auth::random_hex(16))
                    .bind(format!("{:012x}{}", row.received_at, crate::auth::random_hex(16)))
                    .bind(row.status.as_str())
                    .bind(row.priority.as_str())
                    .bind(row.received_at)
                    .bind(row.assignee.clone())
                    .bind(row.due.map(|d| d.0))
                    .bind(row.due.map(|d| d.1))
                    .bind(row.first_response_at)
                    .bind(row.resolved_at)
                    .bind(row.due_at())
                    .bind(row.recovery)
                    .bind(row.dimensions.clone());
            }
            query.execute(&mut *tx).await?;
        }
        for row in rows {
            if let (Some(at), Some(reply)) = (row.first_response_at, &row.reply) {
                sqlx::query(
                    "INSERT INTO submission_events (id, submission_id, org_id, actor_id, kind, body, at) \
                     VALUES ($1, $2, $3, $4, 'reply', $5, $6)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&row.id)
                .bind(&row.org_id)
                .bind(row.assignee.clone())
                .bind(reply)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(rating) = row.recovery {
                sqlx::query(
                    "INSERT INTO submission_events (id, submission_id, org_id, kind, body, at) \
                     VALUES ($1, $2, $3, 'recovery', $4, $5)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&row.id)
                .bind(&row.org_id)
                .bind(rating.to_string())
                .bind(row.resolved_at.unwrap_or(row.received_at) + 60 * MINUTE)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Indexes every submission not yet searchable (what `seed` wrote, or a database
    /// filled while no server ran).
    pub async fn index_everything(&self) -> Result<()> {
        match self.backend {
            super::Backend::Sqlite => {
                let mut conn = self.open_sqlite_writer()?;
                tokio::task::spawn_blocking(move || -> Result<()> {
                    while super::triage::index_sqlite(&mut conn, 5_000)? > 0 {}
                    Ok(())
                })
                .await
                .map_err(|e| crate::Error::Database(sqlx::Error::Protocol(e.to_string())))??;
            }
            super::Backend::Postgres => while self.index_for_search(5_000).await? > 0 {},
        }
        Ok(())
    }
}

/// A submission with its history, written straight into the tables: what `hark seed`
/// makes, and what tests build to check the figures against.
#[derive(Clone, Debug)]
pub struct PastSubmission {
    pub id: String,
    pub site_id: String,
    pub org_id: String,
    pub kind: Kind,
    pub rating: Option<i64>,
    pub category: Option<String>,
    pub stage: Option<Stage>,
    pub message: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub order_ref: Option<String>,
    pub locale: String,
    pub customer: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub received_at: i64,
    pub assignee: Option<String>,
    pub due: Option<(i64, i64)>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub recovery: Option<i64>,
    pub reply: Option<String>,
    /// The five dimensions as the collector stores them (a JSON object).
    pub dimensions: Option<String>,
}

impl PastSubmission {
    fn seeded(rng: &mut StdRng, site: &Site, staff: &[String], at: i64, now: i64) -> PastSubmission {
        let chinese = rng.gen_bool(0.35);
        let (category, text) = if chinese { ZH[rng.gen_range(0..ZH.len())] } else { EN[rng.gen_range(0..EN.len())] };
        let kind = match rng.gen_range(0..100) {
            0..=59 => Kind::Csat,
            60..=79 => Kind::Feedback,
            _ => Kind::Complaint,
        };
        // Most shoppers are content; a few are not.
        let rating = match kind {
            Kind::Complaint => None,
            _ => Some([5, 5, 5, 4, 4, 4, 3, 2, 1][rng.gen_range(0..9)]),
        };
        let key = rng.gen_bool(0.04);
        let priority = triage::default_priority(kind, rating.map(|r| r as u8), key);
        let spam = rng.gen_bool(0.01);
        let due = triage::due_times(priority, spam, key, &site.sla, at);
        let age = now - at;
        let needs_answer = due.is_some();
        // Older ones are further along; answers come sooner or later than promised.
        let (status, first_response_at, resolved_at) = if spam {
            (Status::Spam, None, None)
        } else if !needs_answer {
            (if age > 7 * 24 * 60 * MINUTE { Status::Resolved } else { Status::New }, None, None)
        } else {
            let (first_due, resolution_due) = due.expect("needs an answer");
            let answered = at + ((first_due - at) as f64 * rng.gen_range(0.2..1.6)) as i64;
            let resolved = at + ((resolution_due - at) as f64 * rng.gen_range(0.3..1.5)) as i64;
            match (answered < now, resolved < now && rng.gen_bool(0.9)) {
                (true, true) => (Status::Resolved, Some(answered), Some(resolved)),
                (true, false) => (if rng.gen_bool(0.5) { Status::Pending } else { Status::Open }, Some(answered), None),
                _ => (Status::New, None, None),
            }
        };
        let assignee =
            (first_response_at.is_some() && !staff.is_empty()).then(|| staff[rng.gen_range(0..staff.len())].clone());
        let recovery = (status == Status::Resolved && kind == Kind::Complaint && rng.gen_bool(0.6))
            .then(|| [5, 5, 4, 4, 4, 3, 2, 1][rng.gen_range(0..8)]);
        let replies = if chinese { REPLIES_ZH } else { REPLIES_EN };
        // Some raters score the five dimensions too, near their rating; delivery
        // (reliability) and answers (responsiveness) a little lower, as shops find.
        let dimensions = rating.filter(|_| rng.gen_bool(0.3)).map(|r| {
            let mut near = |shift: i64| (r + shift + rng.gen_range(-1..=1)).clamp(1, 5);
            format!(
                "{{\"tangibles\":{},\"reliability\":{},\"responsiveness\":{},\"assurance\":{},\"empathy\":{}}}",
                near(0),
                near(-1),
                near(-1),
                near(0),
                near(0)
            )
        });
        PastSubmission {
            // Time-ordered, as the widget's own ids are.
            id: uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                (at / 1000) as u64,
                ((at % 1000) * 1_000_000) as u32,
            ))
            .to_string(),
            site_id: site.id.clone(),
            org_id: site.org_id.clone(),
            kind,
            rating,
            category: Some(category.to_owned()),
            stage: Some(Stage::ALL[rng.gen_range(0..3)]),
            message: (kind != Kind::Csat || rng.gen_bool(0.5)).then(|| text.to_owned()),
            email: (kind == Kind::Complaint || rng.gen_bool(0.3))
                .then(|| format!("shopper{}@example.com", rng.gen_range(1..50_000))),
            name: rng.gen_bool(0.3).then(|| if chinese { "王芳".to_owned() } else { "Alex Morgan".to_owned() }),
            order_ref: rng.gen_bool(0.5).then(|| format!("NW-{}", rng.gen_range(1000..99_999))),
            locale: if chinese { "zh-CN" } else { "en" }.into(),
            customer: key.then(|| format!("c_{}", rng.gen_range(1..5_000))),
            status,
            priority,
            received_at: at,
            assignee,
            due,
            first_response_at,
            resolved_at,
            recovery,
            reply: first_response_at.map(|_| replies[rng.gen_range(0..replies.len())].to_owned()),
            dimensions,
        }
    }

    fn due_at(&self) -> Option<i64> {
        triage::Promises {
            status: self.status,
            first_response_due: self.due.map(|d| d.0),
            resolution_due: self.due.map(|d| d.1),
            first_response_at: self.first_response_at,
        }
        .next_due()
    }
}
