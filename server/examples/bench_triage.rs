//! The triage benchmark's client (run by `scripts/bench-triage.sh`): asks a running Hark
//! for every filter and saved view of the queue and their counts by status (the queue
//! page asks for both), searches, single submissions and the whole export, one request
//! at a time, and prints each one's p50 and p95; then the insights' figures for a year
//! (all sites, one site) and, signed in as EMAIL, the insights page; last, how long a
//! change of time zone takes to answer and to have the figures counted again.
//!   bench_triage BASE_URL TOKEN [ROUNDS] [EMAIL PASSWORD]

use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args.next().ok_or("BASE_URL")?;
    let token = args.next().ok_or("TOKEN")?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let sign_in = args.next().zip(args.next());
    let client = reqwest::Client::new();
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let started = Instant::now();
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            if !status.is_success() {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&body)).into());
            }
            Ok::<_, Box<dyn std::error::Error>>((started.elapsed(), body))
        }
    };
    let first: serde_json::Value = serde_json::from_slice(&get("/api/v1/admin/submissions?limit=100".into()).await?.1)?;
    let site = first["items"][0]["site_id"].as_str().ok_or("no submissions: seed first")?.to_owned();
    let ids: Vec<String> =
        first["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    let me: serde_json::Value = serde_json::from_slice(&get("/api/v1/auth/me".into()).await?.1)?;
    let user = me["user_id"].as_str().unwrap_or_default().to_owned();
    let page_two = format!("cursor={}", first["next_cursor"].as_str().ok_or("one page only: seed more")?);

    let queries: Vec<(&str, String)> = vec![
        ("queue, newest", String::new()),
        ("queue, second page", page_two),
        ("status=new", "status=new".into()),
        ("status=open", "status=open".into()),
        ("status=pending", "status=pending".into()),
        ("status=resolved", "status=resolved".into()),
        ("kind=complaint", "kind=complaint".into()),
        ("kind=feedback", "kind=feedback".into()),
        ("site", format!("site={site}")),
        ("category=billing", "category=billing".into()),
        ("stage=pre_sale", "stage=pre_sale".into()),
        ("priority=urgent", "priority=urgent".into()),
        ("assignee (a person)", format!("assignee={user}")),
        ("rating_max=2", "rating_max=2".into()),
        ("from (last 7 days)", format!("from={}", days_ago(7))),
        ("to (older than 300 days)", format!("to={}", days_ago(300))),
        ("sort=due", "sort=due".into()),
        ("view: Mine", "assignee=me".into()),
        ("view: Unassigned complaints", "kind=complaint&assignee=none&status=new,open,pending".into()),
        ("view: Due soon / overdue", "due=soon&sort=due".into()),
        ("view: Low ratings", "rating_max=2".into()),
        ("view: Spam", "status=spam".into()),
        ("search: delivery", "q=delivery".into()),
        ("search: 快递", "q=%E5%BF%AB%E9%80%92".into()),
        ("search: nw order", "q=refund".into()),
        ("search: 质量 + kind", "q=%E8%B4%A8%E9%87%8F&kind=csat".into()),
    ];
    println!(
        "{:<34} {:>9} {:>9} {:>7} {:>11} {:>11}",
        "request (list, limit 50; counts)", "p50 ms", "p95 ms", "rows", "counts p50", "counts p95"
    );
    for (name, query) in &queries {
        let mut times = Vec::with_capacity(rounds);
        let mut count_times = Vec::with_capacity(rounds);
        let mut rows = 0;
        for _ in 0..rounds {
            let (took, body) = get(format!("/api/v1/admin/submissions?limit=50&{query}")).await?;
            times.push(took);
            let value: serde_json::Value = serde_json::from_slice(&body)?;
            rows = value["items"].as_array().map_or(0, |a| a.len());
            let counts = query.split('&').filter(|p| !p.starts_with("cursor=")).collect::<Vec<_>>().join("&");
            count_times.push(get(format!("/api/v1/admin/submissions/counts?{counts}")).await?.0);
        }
        times.sort();
        count_times.sort();
        println!(
            "{name:<34} {:>9.1} {:>9.1} {rows:>7} {:>11.1} {:>11.1}",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&count_times, 0.5),
            percentile(&count_times, 0.95)
        );
    }
    let mut times = Vec::new();
    for i in 0..rounds * 5 {
        times.push(get(format!("/api/v1/admin/submissions/{}", ids[i % ids.len()])).await?.0);
    }
    times.sort();
    println!("{:<34} {:>9.1} {:>9.1} {:>7}", "one submission", percentile(&times, 0.5), percentile(&times, 0.95), 1);
    let (took, body) = get("/api/v1/admin/export.csv".into()).await?;
    let lines = body.iter().filter(|b| **b == b'\n').count().saturating_sub(1);
    println!(
        "export.csv: {lines} rows, {:.1} MB in {:.2} s = {:.0} rows/s",
        body.len() as f64 / 1e6,
        took.as_secs_f64(),
        lines as f64 / took.as_secs_f64()
    );
    let year = format!("from={}&to={}", &days_ago(364)[..10], &days_ago(-1)[..10]);
    println!("{:<34} {:>9} {:>9}", "insights (a year)", "p50 ms", "p95 ms");
    for (name, query) in [
        ("metrics, all sites", year.clone()),
        ("metrics, one site", format!("{year}&site={site}")),
        ("metrics, 30 days", String::new()),
    ] {
        let mut times = Vec::new();
        for _ in 0..rounds {
            times.push(get(format!("/api/v1/admin/metrics?{query}")).await?.0);
        }
        times.sort();
        println!("{name:<34} {:>9.1} {:>9.1}", percentile(&times, 0.5), percentile(&times, 0.95));
    }
    if let Some((email, password)) = sign_in {
        let login = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await?;
        let cookie = login.headers().get("set-cookie").and_then(|c| c.to_str().ok()).ok_or("no session cookie")?;
        let cookie = cookie.split(';').next().unwrap_or_default().to_owned();
        let mut times = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let page = client.get(format!("{base}/admin/insights?{year}")).header("cookie", &cookie).send().await?;
            let status = page.status();
            let body = page.text().await?;
            if !status.is_success() || !body.contains("data-figure") {
                return Err(format!("insights page: {status}").into());
            }
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{:<34} {:>9.1} {:>9.1}",
            "page /admin/insights (a year)",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    // Last, as it changes every day's figures: a new time zone has the organisation
    // counted again, in the background; the figures stay whole meanwhile, slower.
    let started = Instant::now();
    let changed = client
        .patch(format!("{base}/api/v1/admin/org"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"time_zone": "America/Los_Angeles"}))
        .send()
        .await?;
    if !changed.status().is_success() {
        return Err(format!("time zone: {}", changed.status()).into());
    }
    println!("time zone changed: answered in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    // Meanwhile the figures answer, and a staff change (which needs SQLite's write lock,
    // as the collector does) gets through.
    let (mut during, mut writes) = (Vec::new(), Vec::new());
    for round in 0.. {
        let (took, body) = get(format!("/api/v1/admin/metrics?{year}")).await?;
        let metrics: serde_json::Value = serde_json::from_slice(&body)?;
        if metrics["recounting"] != serde_json::Value::Bool(true) {
            break;
        }
        during.push(took);
        let priority = if round % 2 == 0 { "high" } else { "low" };
        let wrote = Instant::now();
        let patched = client
            .patch(format!("{base}/api/v1/admin/submissions/{}", ids[round % ids.len()]))
            .bearer_auth(&token)
            .json(&serde_json::json!({"priority": priority}))
            .send()
            .await?;
        if !patched.status().is_success() {
            return Err(format!("a change while recounting: {}", patched.status()).into());
        }
        writes.push(wrote.elapsed());
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    during.sort();
    writes.sort();
    let p =
        |times: &[Duration], q: f64| if times.is_empty() { "-".into() } else { format!("{:.0}", percentile(times, q)) };
    println!(
        "figures recounted in {:.0} s; meanwhile ({} rounds) a year of all sites p50 {} / p95 {} ms, \
         a change of priority p50 {} / p95 {} ms",
        started.elapsed().as_secs_f64(),
        during.len(),
        p(&during, 0.5),
        p(&during, 0.95),
        p(&writes, 0.5),
        p(&writes, 0.95)
    );
    Ok(())
}

fn days_ago(days: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let secs = now - days * 86_400;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}
