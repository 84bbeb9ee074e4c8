//! The insights' figures (`GET /api/v1/admin/metrics`) against the same figures worked
//! out here, in plain Rust, from the data set the test wrote: on SQLite and PostgreSQL,
//! before and after the roll-ups hold it, with late arrivals, changes after the fact,
//! spam, local-day edges, an empty period, a single response and a change of time zone
//! (counted again in the background, the figures whole meanwhile).
//! Roles and tenancy of the routes: tenancy.rs.

mod support;

use hark_core::model::{Kind, Priority, Status};
use hark_core::store::PastSubmission;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use support::{backends, TestApp};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

fn now() -> i64 {
    Timestamp::now().as_millisecond()
}

fn local_date(millis: i64, zone: &TimeZone) -> Date {
    Timestamp::from_millisecond(millis).unwrap().to_zoned(zone.clone()).date()
}

fn millis(rfc3339: &Value) -> Option<i64> {
    rfc3339.as_str().map(|t| t.parse::<Timestamp>().unwrap().as_millisecond())
}

/// The data set: shoppers of two sites over 70 days, every kind, promises kept and
/// broken, key customers, spam, dimensions, recovery ratings.
fn data_set(app: &TestApp, second_site: &str, rng: &mut StdRng, count: usize) -> Vec<PastSubmission> {
    let now = now();
    let owner = app.owner.user_id.clone();
    let categories = ["delivery_delay", "billing", "product_quality"];
    let texts =
        ["The parcel arrived late again", "快递太慢了，包装也破了", "charged twice for one order", "Great service"];
    (0..count)
        .map(|i| {
            let at = now - rng.gen_range(MINUTE..70 * DAY);
            let kind = match rng.gen_range(0..10) {
                0..=4 => Kind::Csat,
                5..=6 => Kind::Feedback,
                _ => Kind::Complaint,
            };
            let rating = match kind {
                Kind::Csat => Some(rng.gen_range(1..=5)),
                Kind::Feedback => rng.gen_bool(0.5).then(|| rng.gen_range(1..=5)),
                Kind::Complaint => None,
            };
            let key = rng.gen_bool(0.15);
            let promised = kind == Kind::Complaint || rating.is_some_and(|r| r <= 2) || key;
            let spam = rng.gen_bool(0.05);
            let due = (promised && !spam).then(|| {
                if key {
                    (at + 60 * MINUTE, at + 1440 * MINUTE)
                } else {
                    (at + 240 * MINUTE, at + 2880 * MINUTE)
                }
            });
            let (mut status, mut first_response_at, mut resolved_at) = (Status::New, None, None);
            if spam {
                status = Status::Spam;
            } else if let Some((first_due, resolution_due)) = due {
                let answered = at + ((first_due - at) as f64 * rng.gen_range(0.1..2.0)) as i64;
                let resolved = at + ((resolution_due - at) as f64 * rng.gen_range(0.2..1.8)) as i64;
                if answered < now && rng.gen_bool(0.85) {
                    first_response_at = Some(answered);
                    status = Status::Open;
                    if resolved < now && resolved > answered && rng.gen_bool(0.7) {
                        resolved_at = Some(resolved);
                        status = Status::Resolved;
                    }
                }
            } else if rng.gen_bool(0.5) {
                status = Status::Resolved;
                resolved_at = Some(at + 10 * MINUTE);
            }
            let dimensions = (rating.is_some() && rng.gen_bool(0.4)).then(|| {
                let mut d = serde_json::Map::new();
                for name in ["tangibles", "reliability", "responsiveness", "assurance", "empathy"] {
                    if rng.gen_bool(0.8) {
                        d.insert(name.into(), json!(rng.gen_range(1..=5)));
                    }
                }
                Value::Object(d).to_string()
            });
            let recovery = (kind == Kind::Complaint && status == Status::Resolved && rng.gen_bool(0.6))
                .then(|| rng.gen_range(1..=5));
            let unhappy = kind == Kind::Complaint || rating.is_some_and(|r| r <= 2);
            PastSubmission {
                id: uuid::Uuid::new_v4().to_string(),
                site_id: if i % 3 == 0 { second_site.to_owned() } else { app.site.id.clone() },
                org_id: app.org.id.clone(),
                kind,
                rating,
                category: rng.gen_bool(0.9).then(|| categories[rng.gen_range(0..3)].to_owned()),
                stage: rng.gen_bool(0.8).then(|| hark_core::model::Stage::ALL[rng.gen_range(0..3)]),
                message: (unhappy || rng.gen_bool(0.3)).then(|| texts[rng.gen_range(0..texts.len())].to_owned()),
                email: None,
                name: None,
                order_ref: None,
                locale: "en".into(),
                customer: key.then(|| "c_1".to_owned()),
                status,
                priority: if promised { Priority::High } else { Priority::Normal },
                received_at: at,
                assignee: first_response_at.map(|_| owner.clone()),
                due,
                first_response_at,
                resolved_at,
                recovery,
                reply: None,
                dimensions,
            }
        })
        .collect()
}

/// One submission at 23:59:59.999 and one at 00:00 of the same local midnight, ten days
/// ago, and a lone rating 200 days ago.
fn edges(app: &TestApp, zone: &TimeZone) -> Vec<PastSubmission> {
    let midnight = local_date(now() - 10 * DAY, zone).to_zoned(zone.clone()).unwrap().timestamp().as_millisecond();
    let lone = now() - 200 * DAY;
    [(midnight - 1, 1), (midnight, 5), (lone, 4)]
        .into_iter()
        .map(|(at, rating)| PastSubmission {
            id: uuid::Uuid::new_v4().to_string(),
            site_id: app.site.id.clone(),
            org_id: app.org.id.clone(),
            kind: Kind::Csat,
            rating: Some(rating),
            category: Some("billing".into()),
            stage: None,
            message: None,
            email: None,
            name: None,
            order_ref: None,
            locale: "en".into(),
            customer: None,
            status: Status::New,
            priority: Priority::Normal,
            received_at: at,
            assignee: None,
            due: None,
            first_response_at: None,
            resolved_at: None,
            recovery: None,
            reply: None,
            dimensions: None,
        })
        .collect()
}

/// Wilson's 95% interval in percent, one decimal, worked out again here.
fn wilson(k: i64, n: i64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let z = 1.959_963_984_540_054_f64;
    let p = k as f64 / n as f64;
    let n = n as f64;
    let denominator = 1.0 + z * z / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let round = |x: f64| (x * 1000.0).round() / 10.0;
    Some([round(((centre - spread) / denominator).max(0.0)), round(((centre + spread) / denominator).min(1.0))])
}

fn pct(part: usize, whole: usize) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        json!((1000.0 * part as f64 / whole as f64).round() / 10.0)
    }
}

fn nearest_rank(mut values: Vec<i64>, p: f64) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    values.sort();
    let rank = ((p / 100.0 * values.len() as f64).ceil() as usize).max(1);
    json!(values[rank - 1])
}

/// The figures of `[from, to)` for `site` (or all), worked out from `rows`.
fn expected(rows: &[PastSubmission], zone: &TimeZone, from: Date, to: Date, site: Option<&str>) -> Value {
    let now = now();
    let day = |r: &PastSubmission| local_date(r.received_at, zone);
    let counted: Vec<&PastSubmission> = rows
        .iter()
        .filter(|r| r.status != Status::Spam && day(r) >= from && day(r) < to && site.is_none_or(|s| r.site_id == s))
        .collect();
    let rated: Vec<i64> = counted.iter().filter(|r| r.kind == Kind::Csat).filter_map(|r| r.rating).collect();
    let satisfied = rated.iter().filter(|r| **r >= 4).count();
    let mut distribution = [0; 5];
    for r in &rated {
        distribution[*r as usize - 1] += 1;
    }
    // CSAT per stage and per category: (responses, score).
    let csat_by = |key: &dyn Fn(&PastSubmission) -> String| {
        let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for r in counted.iter().filter(|r| r.kind == Kind::Csat && r.rating.is_some()) {
            let group = groups.entry(key(r)).or_default();
            group.0 += 1;
            group.1 += usize::from(r.rating >= Some(4));
        }
        groups.into_iter().map(|(k, (n, good))| (k, json!([n, pct(good, n)]))).collect::<BTreeMap<_, _>>()
    };
    let by_stage = csat_by(&|r| r.stage.map(|s| s.as_str().to_owned()).unwrap_or_default());
    let csat_by_category = csat_by(&|r| r.category.clone().unwrap_or_default());
    let complaints: Vec<_> = counted.iter().filter(|r| r.kind == Kind::Complaint).collect();
    let resolved = complaints.iter().filter(|r| r.status == Status::Resolved).count();
    let mut by_category: BTreeMap<String, i64> = BTreeMap::new();
    for c in &complaints {
        *by_category.entry(c.category.clone().unwrap_or_default()).or_default() += 1;
    }
    let promised: Vec<_> = counted.iter().filter(|r| r.due.is_some()).collect();
    // Whole minutes, in the steps the figures keep them (exact under 64, then within 1/32).
    let minutes = |from: i64, to: i64| hark_core::metrics::duration_step((to - from).max(0) / MINUTE);
    let first_times: Vec<i64> =
        promised.iter().filter_map(|r| r.first_response_at.map(|at| minutes(r.received_at, at))).collect();
    let resolution_times: Vec<i64> = promised
        .iter()
        .filter(|r| r.status == Status::Resolved)
        .filter_map(|r| r.resolved_at.map(|at| minutes(r.received_at, at)))
        .collect();
    let sla = |key_only: bool| {
        let rows: Vec<_> = promised.iter().filter(|r| !key_only || r.customer.is_some()).collect();
        let (mut first_met, mut first_decided, mut resolution_met, mut resolution_decided) = (0, 0, 0, 0);
        for r in rows {
            let (first_due, resolution_due) = r.due.unwrap();
            match r.first_response_at {
                Some(at) => {
                    first_decided += 1;
                    first_met += usize::from(at <= first_due);
                }
                None if first_due <= now => first_decided += 1,
                None => {}
            }
            match r.resolved_at.filter(|_| r.status == Status::Resolved) {
                Some(at) => {
                    resolution_decided += 1;
                    resolution_met += usize::from(at <= resolution_due);
                }
                None if resolution_due <= now => resolution_decided += 1,
                None => {}
            }
        }
        json!({
            "first_response_met": pct(first_met, first_decided),
            "resolution_met": pct(resolution_met, resolution_decided),
        })
    };
    let silent = counted.iter().filter(|r| r.kind != Kind::Complaint && r.rating.is_some_and(|r| r <= 2)).count();
    let recovered: Vec<i64> =
        complaints.iter().filter(|r| r.status == Status::Resolved).filter_map(|r| r.recovery).collect();
    let mut dimensions = BTreeMap::new();
    for name in ["tangibles", "reliability", "responsiveness", "assurance", "empathy"] {
        let values: Vec<i64> = counted
            .iter()
            .filter_map(|r| r.dimensions.as_ref())
            .filter_map(|d| serde_json::from_str::<Value>(d).unwrap()[name].as_i64())
            .collect();
        let average = if values.is_empty() {
            Value::Null
        } else {
            json!((100.0 * values.iter().sum::<i64>() as f64 / values.len() as f64).round() / 100.0)
        };
        dimensions.insert(name, json!({"responses": values.len(), "average": average}));
    }
    let mut trend = BTreeMap::new();
    for r in &counted {
        let point = trend.entry(day(r).to_string()).or_insert((0, 0));
        point.0 += 1;
        point.1 += i64::from(r.kind == Kind::Complaint);
    }
    let agents = promised.iter().filter(|r| r.assignee.is_some()).count();
    let agents_resolved = promised.iter().filter(|r| r.assignee.is_some() && r.status == Status::Resolved).count();
    json!({
        "submissions": counted.len(),
        "csat": {
            "score": pct(satisfied, rated.len()),
            "responses": rated.len(),
            "average": if rated.is_empty() { Value::Null } else { json!((100.0 * rated.iter().sum::<i64>() as f64 / rated.len() as f64).round() / 100.0) },
            "ci95": wilson(satisfied as i64, rated.len() as i64),
            "distribution": distribution,
            "by_stage": by_stage,
            "by_category": csat_by_category,
        },
        "dimensions": dimensions,
        "complaints": {
            "count": complaints.len(),
            "rate": pct(complaints.len(), counted.len()),
            "resolution_rate": pct(resolved, complaints.len()),
            "by_category": by_category,
        },
        "first_response": {"count": first_times.len(), "p50": nearest_rank(first_times.clone(), 50.0), "p90": nearest_rank(first_times, 90.0)},
        "resolution_time": {"count": resolution_times.len(), "p50": nearest_rank(resolution_times.clone(), 50.0), "p90": nearest_rank(resolution_times, 90.0)},
        "sla": sla(false),
        "sla_key": sla(true),
        "iceberg": {"silent": silent, "per_complaint": if complaints.is_empty() { Value::Null } else { json!((10.0 * silent as f64 / complaints.len() as f64).round() / 10.0) }},
        "recovery": {"responses": recovered.len(), "rate": pct(recovered.iter().filter(|r| **r >= 4).count(), recovered.len())},
        "agent": {"assigned": agents, "resolved": agents_resolved},
        "trend": trend,
    })
}

/// The API's answer in the shape of `expected`.
fn answered(metrics: &Value) -> Value {
    let by_key = |list: &Value, value: &str| -> BTreeMap<String, Value> {
        list.as_array().unwrap().iter().map(|c| (c["key"].as_str().unwrap().to_owned(), c[value].clone())).collect()
    };
    let dimensions: BTreeMap<String, Value> = metrics["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["dimension"].as_str().unwrap().to_owned(), json!({"responses": d["responses"], "average": d["average"]}))
        })
        .collect();
    let trend: BTreeMap<String, Value> = metrics["trend"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|p| p["submissions"].as_i64().unwrap() > 0)
        .map(|p| (p["start"].as_str().unwrap().to_owned(), json!([p["submissions"], p["complaints"]])))
        .collect();
    let agents = metrics["agents"].as_array().unwrap();
    let shares = |list: &Value| -> BTreeMap<String, Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["key"].as_str().unwrap().to_owned(), json!([s["responses"], s["score"]])))
            .collect()
    };
    let c = &metrics["csat"];
    json!({
        "submissions": metrics["submissions"],
        "csat": {
            "score": c["score"], "responses": c["responses"], "average": c["average"], "ci95": c["ci95"],
            "distribution": c["distribution"], "by_stage": shares(&c["by_stage"]), "by_category": shares(&c["by_category"]),
        },
        "dimensions": dimensions,
        "complaints": {
            "count": metrics["complaints"]["count"],
            "rate": metrics["complaints"]["rate"],
            "resolution_rate": metrics["complaints"]["resolution_rate"],
            "by_category": by_key(&metrics["complaints"]["by_category"], "count"),
        },
        "first_response": metrics["first_response"],
        "resolution_time": metrics["resolution_time"],
        "sla": {"first_response_met": metrics["sla"]["first_response_met"], "resolution_met": metrics["sla"]["resolution_met"]},
        "sla_key": {"first_response_met": metrics["sla"]["key"]["first_response_met"], "resolution_met": metrics["sla"]["key"]["resolution_met"]},
        "iceberg": {"silent": metrics["iceberg"]["silent"], "per_complaint": metrics["iceberg"]["per_complaint"]},
        "recovery": {"responses": metrics["recovery"]["responses"], "rate": metrics["recovery"]["rate"]},
        "agent": {
            "assigned": agents.iter().map(|a| a["assigned"].as_i64().unwrap()).sum::<i64>(),
            "resolved": agents.iter().map(|a| a["resolved"].as_i64().unwrap()).sum::<i64>(),
        },
        "trend": trend,
    })
}

/// `expected` with the trend's days as `[submissions, complaints]`, as `answered` has it.
fn comparable(mut expected: Value) -> Value {
    let trend: BTreeMap<String, Value> =
        expected["trend"].as_object().unwrap().iter().map(|(day, v)| (day.clone(), json!([v[0], v[1]]))).collect();
    expected["trend"] = json!(trend);
    expected
}

async fn metrics(app: &TestApp, query: &str) -> Value {
    let answer = app.call("GET", &format!("/api/v1/admin/metrics?{query}"), &app.token, None).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// Compares every figure of the periods the dashboard asks for.
async fn check(app: &TestApp, rows: &[PastSubmission], zone: &TimeZone, second_site: &str, label: &str) {
    let today = local_date(now(), zone);
    let tomorrow = today.tomorrow().unwrap();
    let sixty = tomorrow.checked_sub(jiff::Span::new().days(60)).unwrap();
    let cases = [
        (format!("from={sixty}&to={tomorrow}&interval=day"), sixty, tomorrow, None),
        (String::new(), tomorrow.checked_sub(jiff::Span::new().days(30)).unwrap(), tomorrow, None),
        (format!("from={sixty}&to={tomorrow}&site={second_site}"), sixty, tomorrow, Some(second_site)),
    ];
    for (query, from, to, site) in cases {
        let answer = metrics(app, &query).await;
        assert_eq!(answer["from"], from.to_string(), "{label} {query}");
        let want = comparable(expected(rows, zone, from, to, site));
        let mut got = answered(&answer);
        if answer["interval"] != "day" {
            got["trend"] = want["trend"].clone();
        }
        assert_eq!(got, want, "{label}: {query}");
        // The period before, of the same length.
        let before = from.checked_sub(to.since(from).unwrap()).unwrap();
        let mut want_before = comparable(expected(rows, zone, before, from, site));
        want_before["trend"] = json!({});
        let mut got_before = answered(&answer["previous"]);
        got_before["trend"] = json!({});
        assert_eq!(got_before, want_before, "{label}: previous of {query}");
    }
}

/// Updates `rows` with what the API says of each submission now.
async fn refresh(app: &TestApp, rows: &mut [PastSubmission], ids: &[String]) {
    for row in rows.iter_mut().filter(|r| ids.contains(&r.id)) {
        let detail = app.call("GET", &format!("/api/v1/admin/submissions/{}", row.id), &app.token, None).await.json();
        row.status = detail["status"].as_str().unwrap().parse().unwrap();
        row.first_response_at = millis(&detail["first_response_at"]);
        row.resolved_at = millis(&detail["resolved_at"]);
        row.assignee = detail["assignee"]["id"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn every_figure_matches_the_data_set_before_and_after_the_roll_ups_hold_it() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let answer =
            app.call("PATCH", "/api/v1/admin/org", &app.token, Some(json!({"time_zone": "Asia/Shanghai"}))).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let second = second_site(&app).await;
        let mut rng = StdRng::seed_from_u64(7);
        let mut rows = data_set(&app, &second.id, &mut rng, 400);
        rows.extend(edges(&app, &zone));
        let (counted, late) = rows.split_at(300);
        app.store.insert_past(counted).await.unwrap();
        app.store.index_everything().await.unwrap();
        // Arriving after the roll-ups were made, some of them for days long past.
        app.store.insert_past(late).await.unwrap();
        check(&app, &rows, &zone, &second.id, &format!("{label}, partly counted")).await;

        // Changed after the fact: to spam, resolved, reopened, answered.
        let pick = |pred: &dyn Fn(&PastSubmission) -> bool, n: usize| -> Vec<String> {
            rows[..300].iter().filter(|r| pred(r)).take(n).map(|r| r.id.clone()).collect()
        };
        let spam = pick(&|r| r.status != Status::Spam && r.kind == Kind::Complaint, 3);
        let resolve = pick(&|r| r.status == Status::Open, 3);
        let reopen = pick(&|r| r.status == Status::Resolved && r.kind == Kind::Complaint, 2);
        let answer = pick(&|r| r.due.is_some() && r.first_response_at.is_none() && r.status == Status::New, 2);
        for (ids, status) in [(&spam, "spam"), (&resolve, "resolved"), (&reopen, "open")] {
            for id in ids {
                let patched = app
                    .call(
                        "PATCH",
                        &format!("/api/v1/admin/submissions/{id}"),
                        &app.token,
                        Some(json!({"status": status})),
                    )
                    .await;
                assert_eq!(patched.status, 200, "{}", patched.text);
            }
        }
        for id in &answer {
            let replied = app
                .call(
                    "POST",
                    &format!("/api/v1/admin/submissions/{id}/replies"),
                    &app.token,
                    Some(json!({"body": "On its way."})),
                )
                .await;
            assert!(replied.status.is_success(), "{}", replied.text);
        }
        let changed: Vec<String> = [spam, resolve, reopen, answer].concat();
        assert!(changed.len() >= 8, "the data set has each kind of change: {changed:?}");
        refresh(&app, &mut rows, &changed).await;
        check(&app, &rows, &zone, &second.id, &format!("{label}, changed")).await;

        // Everything counted: the same figures from the roll-ups alone.
        app.store.index_everything().await.unwrap();
        check(&app, &rows, &zone, &second.id, &format!("{label}, all counted")).await;

        // The two sides of a local midnight fall on two days.
        let midnight = local_date(now() - 10 * DAY, &zone);
        let before = midnight.yesterday().unwrap();
        let edge = metrics(&app, &format!("from={before}&to={}", midnight.tomorrow().unwrap())).await;
        let days: BTreeMap<String, i64> = edge["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["start"].as_str().unwrap().to_owned(), p["submissions"].as_i64().unwrap()))
            .collect();
        let want = comparable(expected(&rows, &zone, before, midnight.tomorrow().unwrap(), None));
        assert_eq!(
            json!(days.iter().filter(|(_, n)| **n > 0).map(|(d, n)| (d.clone(), *n)).collect::<BTreeMap<_, _>>()),
            json!(want["trend"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(d, v)| (d.clone(), v[0].clone()))
                .collect::<BTreeMap<_, _>>())
        );

        // A single response: a score, and an interval as wide as it should be.
        let lone = local_date(now() - 200 * DAY, &zone);
        let single = metrics(&app, &format!("from={lone}&to={}", lone.tomorrow().unwrap())).await;
        assert_eq!(single["csat"]["responses"], 1, "{label}");
        assert_eq!(single["csat"]["score"], 100.0);
        assert_eq!(single["csat"]["ci95"], json!(wilson(1, 1)));

        // An empty period: nothing, and no figure made up.
        let empty = metrics(&app, "from=2001-01-01&to=2001-02-01").await;
        assert_eq!(empty["submissions"], 0);
        for figure in [
            &empty["csat"]["score"],
            &empty["csat"]["ci95"],
            &empty["complaints"]["rate"],
            &empty["first_response"]["p50"],
            &empty["sla"]["first_response_met"],
            &empty["recovery"]["rate"],
            &empty["iceberg"]["per_complaint"],
        ] {
            assert!(figure.is_null(), "{label}: {empty}");
        }

        // Another time zone: every submission counted again on its new day.
        let answer =
            app.call("PATCH", "/api/v1/admin/org", &app.token, Some(json!({"time_zone": "America/Los_Angeles"}))).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        // The recount runs in the background (stepped by hand, and each state checked:
        // the next test); once done, the roll-ups alone agree.
        let zone = TimeZone::get("America/Los_Angeles").unwrap();
        let waited = std::time::Instant::now();
        while metrics(&app, "").await["recounting"] == json!(true) {
            assert!(waited.elapsed().as_secs() < 60, "{label}: the recount never ended");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        check(&app, &rows, &zone, &second.id, &format!("{label}, Los Angeles, recounted")).await;
    }
}

/// The distinct keys the roll-ups are under (one an organisation, once the background
/// work is done).
async fn roll_up_keys(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    let mut keys = Vec::new();
    for table in ["metric_days", "metric_phrases"] {
        let rows = sqlx::query(&format!("SELECT DISTINCT org_id FROM {table}")).fetch_all(&mut conn).await.unwrap();
        keys.extend(rows.iter().map(|r| sqlx::Row::get::<String, _>(r, "org_id")));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// A second site of the organisation, for figures of one site among two.
async fn second_site(app: &TestApp) -> hark_core::store::Site {
    let site = hark_core::store::NewSite {
        name: "Second".into(),
        allowed_origins: vec!["https://second.example".into()],
        require_email: false,
    };
    app.store.add_site(&app.org, site).await.unwrap()
}

async fn set_zone(app: &TestApp, zone: &str) {
    let answer = app.call("PATCH", "/api/v1/admin/org", &app.token, Some(json!({"time_zone": zone}))).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn a_change_of_time_zone_is_counted_again_in_the_background_and_the_figures_stay_whole() {
    for db in backends().await {
        let label = db.label;
        // The recount is stepped by hand here, to see each state between the steps.
        let app =
            TestApp::start_with_config(db, hark_server::config::Config { recount: false, ..support::test_config() })
                .await;
        set_zone(&app, "Asia/Shanghai").await;
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        let los_angeles = TimeZone::get("America/Los_Angeles").unwrap();
        let second = second_site(&app).await;
        let mut rng = StdRng::seed_from_u64(11);
        let mut rows = data_set(&app, &second.id, &mut rng, 400);
        let (first, late) = rows.split_at(300);
        app.store.insert_past(first).await.unwrap();
        app.store.index_everything().await.unwrap();
        let late = late.to_vec();

        // Until the recount is done, the figures stay whole, by the days they were
        // counted by, and say so.
        set_zone(&app, "America/Los_Angeles").await;
        let answer = metrics(&app, "").await;
        assert_eq!((&answer["recounting"], &answer["time_zone"]), (&json!(true), &json!("Asia/Shanghai")), "{label}");
        check(&app, &rows[..300], &shanghai, &second.id, &format!("{label}, before the recount")).await;

        // Part way: changes to submissions on both sides of where it has got to, and
        // submissions indexed meanwhile, land in both counts.
        assert!(app.store.recount_step(100).await.unwrap());
        let changed: Vec<String> = rows[..300]
            .iter()
            .filter(|r| r.status != Status::Spam && r.kind == Kind::Complaint)
            .enumerate()
            .filter(|(i, _)| i % 12 == 0)
            .map(|(_, r)| r.id.clone())
            .collect();
        assert!(changed.len() >= 4, "{label}: {changed:?}");
        for id in &changed {
            let patched = app
                .call("PATCH", &format!("/api/v1/admin/submissions/{id}"), &app.token, Some(json!({"status": "spam"})))
                .await;
            assert_eq!(patched.status, 200, "{}", patched.text);
        }
        refresh(&app, &mut rows, &changed).await;
        app.store.insert_past(&late).await.unwrap();
        app.store.index_everything().await.unwrap();
        check(&app, &rows, &shanghai, &second.id, &format!("{label}, part way")).await;
        let mut steps = 1;
        while app.store.recount_step(100).await.unwrap() {
            steps += 1;
        }
        assert!(steps >= 4, "{label}: {steps} steps for 400 submissions, 100 a step");
        let answer = metrics(&app, "").await;
        assert_eq!(
            (&answer["recounting"], &answer["time_zone"]),
            (&json!(false), &json!("America/Los_Angeles")),
            "{label}"
        );
        check(&app, &rows, &los_angeles, &second.id, &format!("{label}, recounted")).await;
        let keys = roll_up_keys(&app).await;
        assert_eq!(keys.len(), 1, "{label}: the old roll-ups are gone: {keys:?}");
        assert_ne!(keys[0], app.org.id, "{label}: the recount's key took over");

        // Changed again and back before a recount ends: the one under way is dropped,
        // the figures never stopped being by the zone they are counted by.
        set_zone(&app, "Europe/London").await;
        assert!(app.store.recount_step(100).await.unwrap());
        set_zone(&app, "America/Los_Angeles").await;
        assert_eq!(metrics(&app, "").await["recounting"], json!(false), "{label}");
        while app.store.recount_step(100).await.unwrap() {}
        check(&app, &rows, &los_angeles, &second.id, &format!("{label}, back again")).await;
        assert_eq!(roll_up_keys(&app).await, keys, "{label}: the dropped recount's rows are gone");
    }
}

#[tokio::test]
async fn a_period_that_is_not_one_is_refused_clearly() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        for (query, status, field) in [
            ("from=2026-02-30", 422, "from"),
            ("from=2026-03-01&to=2026-03-01", 422, "from"),
            ("from=2020-01-01&to=2026-01-01", 422, "to"),
            ("from=2026-03-01T05:00:00Z", 422, "from"),
            ("interval=hour", 422, "interval"),
        ] {
            let answer = app.call("GET", &format!("/api/v1/admin/metrics?{query}"), &app.token, None).await;
            assert_eq!(answer.status, status, "{query}: {}", answer.text);
            assert!(answer.json()["error"]["fields"][field].is_array(), "{query}: {}", answer.text);
        }
        // Another organisation's site is not found, as a missing one.
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (_, stranger) = app.staff(&globex, "owner@globex.test", hark_core::model::Role::Owner).await;
        let foreign = app.call("GET", &format!("/api/v1/admin/metrics?site={}", app.site.id), &stranger, None).await;
        assert_eq!(foreign.status, 404, "{}", foreign.text);
        let answer = app.call("GET", "/api/v1/admin/metrics?colour=red", &app.token, None).await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        // Midnight in the organisation's zone (UTC here) is a day's start.
        let answer =
            app.call("GET", "/api/v1/admin/metrics?from=2026-03-01T00:00:00Z&to=2026-03-08", &app.token, None).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json()["from"], "2026-03-01");
    }
}

#[tokio::test]
async fn a_mark_compares_before_and_after_and_says_whether_it_is_more_than_chance() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let zone = TimeZone::UTC;
        let today = local_date(now(), &zone);
        let mark_day = today.checked_sub(jiff::Span::new().days(14)).unwrap();
        let mark_start = mark_day.to_zoned(zone.clone()).unwrap().timestamp().as_millisecond();
        // Before: 30 % satisfied of 200; after: 70 % of 200, all about deliveries.
        let mut rows = Vec::new();
        for i in 0..400 {
            let after = i >= 200;
            // Every hour and a half: 12.5 days on each side.
            let at = if after { mark_start + (i - 200) * 90 * MINUTE } else { mark_start - 1 - i * 90 * MINUTE };
            let satisfied = if after { i % 10 < 7 } else { i % 10 < 3 };
            let mut row = edges(&app, &zone).remove(0);
            row.id = uuid::Uuid::new_v4().to_string();
            row.received_at = at;
            row.rating = Some(if satisfied { 5 } else { 2 });
            row.category = Some("delivery_delay".into());
            rows.push(row);
        }
        app.store.insert_past(&rows).await.unwrap();
        let marks = format!("/api/v1/admin/sites/{}/marks", app.site.id);
        let made = app
            .call(
                "POST",
                &marks,
                &app.token,
                Some(json!({"category": "delivery_delay", "day": mark_day.to_string(), "title": "New courier"})),
            )
            .await;
        assert_eq!(made.status, 201, "{label}: {}", made.text);
        let answer = metrics(
            &app,
            &format!(
                "from={}&to={}",
                today.checked_sub(jiff::Span::new().days(60)).unwrap(),
                today.tomorrow().unwrap()
            ),
        )
        .await;
        let check = &answer["marks"][0];
        assert_eq!(check["mark"]["title"], "New courier", "{label}: {answer}");
        // The mark's day up to today, and as many before.
        assert_eq!(check["days"], 15);
        let side = |after: bool| {
            let window = 15 * DAY;
            let chosen: Vec<_> = rows
                .iter()
                .filter(|r| {
                    if after {
                        r.received_at >= mark_start && r.received_at < mark_start + window
                    } else {
                        r.received_at < mark_start && r.received_at >= mark_start - window
                    }
                })
                .collect();
            let good = chosen.iter().filter(|r| r.rating >= Some(4)).count();
            (good, chosen.len())
        };
        let (good_before, n_before) = side(false);
        let (good_after, n_after) = side(true);
        assert_eq!(check["before"]["responses"], n_before, "{label}");
        assert_eq!(check["after"]["responses"], n_after, "{label}");
        assert_eq!(check["before"]["score"], pct(good_before, n_before));
        assert_eq!(check["after"]["score"], pct(good_after, n_after));
        assert_eq!(check["significant"], true, "{label}: {check}");
        assert!(check["p_value"].as_f64().unwrap() < 0.05);
        // The API lists it, and an owner can take it away again.
        let listed = app.call("GET", &marks, &app.token, None).await.json();
        assert_eq!(listed[0]["id"], check["mark"]["id"]);
        let id = listed[0]["id"].as_str().unwrap();
        let bad = app
            .call("POST", &marks, &app.token, Some(json!({"category": "weather", "day": "1 March", "title": ""})))
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        for field in ["category", "day", "title"] {
            assert!(bad.json()["error"]["fields"][field].is_array(), "{field}: {}", bad.text);
        }
        assert_eq!(app.call("DELETE", &format!("{marks}/{id}"), &app.token, None).await.status, 204);
        assert_eq!(app.call("DELETE", &format!("{marks}/{id}"), &app.token, None).await.status, 404);
    }
}

#[tokio::test]
async fn the_figures_export_as_csv() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let rows = edges(&app, &TimeZone::UTC);
        app.store.insert_past(&rows[..2]).await.unwrap();
        let answer = app.call("GET", "/api/v1/admin/metrics.csv", &app.token, None).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert!(answer.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = answer.text.trim_start_matches('\u{feff}');
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("section,key,period,value"));
        let responses = text.lines().find(|l| l.starts_with("csat,responses,") && !l.contains("previous")).unwrap();
        assert!(responses.ends_with(",2"), "{responses}");
        assert!(text.contains("csat,score,"), "{text}");
    }
}

/// The phrases of unhappy shoppers against counts made here from the same texts: what
/// the period's complaints and low ratings say, spam and happy shoppers left out, the
/// period before for comparison, a word that only occurs inside a pair left out, and
/// the queue's search finding the submissions behind a phrase.
#[tokio::test]
async fn the_phrases_are_what_unhappy_shoppers_wrote_and_lead_to_their_submissions() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let zone = TimeZone::UTC;
        let today = local_date(now(), &zone);
        let start = today.checked_sub(jiff::Span::new().days(29)).unwrap();
        let start_millis = start.to_zoned(zone.clone()).unwrap().timestamp().as_millisecond();
        // (text, rating: None for a complaint, spam, how many in the period, how many before)
        let texts: [(&str, Option<i64>, bool, i64, i64); 6] = [
            ("The parcel arrived broken", None, false, 6, 1),
            ("快递太慢了，包装破了", Some(1), false, 4, 4),
            ("Charged twice for the order", Some(2), false, 3, 0),
            ("Great service, parcel arrived early", Some(5), false, 5, 0),
            ("Cheap watches cheap watches", None, true, 9, 0),
            ("Courier lost the parcel", None, false, 2, 0),
        ];
        let mut rows = Vec::new();
        for (text, rating, spam, now_count, before_count) in texts {
            for i in 0..now_count + before_count {
                let mut row = edges(&app, &zone).remove(0);
                row.id = uuid::Uuid::new_v4().to_string();
                let hours = 3 + 5 * i;
                row.received_at =
                    if i < now_count { start_millis + hours * 60 * MINUTE } else { start_millis - hours * 60 * MINUTE };
                row.kind = if rating.is_some() { Kind::Csat } else { Kind::Complaint };
                row.rating = rating;
                row.status = if spam { Status::Spam } else { Status::New };
                row.category = Some("delivery_delay".into());
                row.message = Some(text.into());
                rows.push(row);
            }
        }
        app.store.insert_past(&rows).await.unwrap();
        app.store.index_everything().await.unwrap();
        let answer = metrics(&app, &format!("from={start}&to={}", today.tomorrow().unwrap())).await;
        let in_period = |r: &&PastSubmission| r.received_at >= start_millis;
        let unhappy = |r: &&PastSubmission| r.status != Status::Spam && r.rating.is_none_or(|n| n <= 2);
        // How many of the unhappy texts in (or before) the period hold `phrase`.
        let holding = |phrase: &str, current: bool| {
            rows.iter()
                .filter(unhappy)
                .filter(|r| in_period(r) == current)
                .filter(|r| hark_core::phrases::phrases(r.message.as_deref().unwrap()).contains(phrase))
                .count() as i64
        };
        let listed = |list: &str| -> Vec<(String, i64, i64)> {
            answer["phrases"][list]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["phrase"].as_str().unwrap().to_owned(),
                        p["count"].as_i64().unwrap(),
                        p["previous"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        let top = listed("top");
        assert!(!top.is_empty(), "{label}: {answer}");
        for (phrase, count, previous) in &top {
            assert_eq!((*count, *previous), (holding(phrase, true), holding(phrase, false)), "{label}: {phrase}");
            assert!(*count >= 2, "{label}: {phrase}");
        }
        let phrases: Vec<&str> = top.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(phrases[0], "parcel", "{label}: the most frequent first: {phrases:?}");
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "{label}: {top:?}");
        assert!(phrases.iter().any(|p| p.contains("快递")), "{label}: Chinese is cut into words: {phrases:?}");
        assert!(phrases.contains(&"charged twice"), "{label}: {phrases:?}");
        // "parcel" also occurs without "arrived" (the lost parcel), so it stays; "arrived"
        // only ever inside "parcel arrived", as often, so it goes.
        assert!(phrases.contains(&"parcel"), "{label}: {phrases:?}");
        assert!(!phrases.contains(&"arrived"), "{label}: {phrases:?}");
        assert!(!phrases.iter().any(|p| p.contains("watches") || p.contains("great")), "{label}: {phrases:?}");
        let rising: Vec<String> = listed("rising").into_iter().map(|(p, _, _)| p).collect();
        assert!(rising.contains(&"parcel arrived".to_owned()), "{label}: {rising:?}");
        assert!(rising.contains(&"charged twice".to_owned()), "{label}: {rising:?}");
        assert!(!rising.iter().any(|p| p.contains("快递")), "{label}: as often as before: {rising:?}");

        // The dashboard's link: the queue searched for the phrase over the period.
        let (starts_at, ends_at) = (answer["starts_at"].as_str().unwrap(), answer["ends_at"].as_str().unwrap());
        assert_eq!(starts_at.parse::<Timestamp>().unwrap().as_millisecond(), start_millis, "{label}");
        let query = format!("q=parcel%20arrived&from={starts_at}&to={ends_at}");
        let found = app.call("GET", &format!("/api/v1/admin/submissions?{query}"), &app.token, None).await;
        assert_eq!(found.status, 200, "{}", found.text);
        let found = found.json();
        let ids: Vec<&str> = found["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        let broken: Vec<&str> = rows
            .iter()
            .filter(in_period)
            .filter(|r| r.message.as_deref().is_some_and(|m| m.contains("arrived broken")))
            .map(|r| r.id.as_str())
            .collect();
        for id in &broken {
            assert!(ids.contains(id), "{label}: {id} not found by the phrase's search");
        }
    }
}
