// The insights dashboard on seeded data: what it shows is what the API says, the
// charts have their numbers one click away, a mark shows on the trend, axe-core finds
// nothing wrong, in English and in Chinese; and a screenshot for the README.
import { test, expect } from "@playwright/test";
import { join } from "node:path";
import { startHark, watchErrors, axeViolations, signIn, Hark } from "./hark";

const screenshots = join(__dirname, "../../docs/screenshots");
let hark: Hark;

test.beforeAll(async () => {
  hark = await startHark();
  hark.seed(3000, 2, 60);
});
test.afterAll(async () => hark?.stop());

const percent = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)}%`);

test("the dashboard shows the API's figures, and a mark on the trend", async ({ browser }) => {
  const page = await signIn(browser, hark);
  const errors = watchErrors(page);
  await page.getByRole("link", { name: "Insights" }).click();
  await expect(page).toHaveURL(/\/admin\/insights$/);
  const metrics = await hark.api("/api/v1/admin/metrics");
  expect(metrics.submissions).toBeGreaterThan(1000);
  const tile = (name: string) => page.locator(`[data-figure=${name}] .value`);
  await expect(tile("csat")).toHaveText(percent(metrics.csat.score));
  await expect(tile("submissions")).toHaveText(String(metrics.submissions));
  await expect(tile("complaints")).toHaveText(String(metrics.complaints.count));
  await expect(tile("first-response")).toHaveText(`${metrics.first_response.p50} min`);
  await expect(page.locator("[data-figure=csat] .detail")).toContainText(`${metrics.csat.responses} answers`);
  await expect(page.locator("[data-figure=sla-first]")).toHaveText(percent(metrics.sla.first_response_met));

  // The trend's numbers are one click away, a row per day.
  await page.locator("details:has(#trend-table) summary").click();
  await expect(page.locator("#trend-table tbody tr")).toHaveCount(metrics.trend.length);
  // The Pareto's first cause is the API's.
  const top = metrics.complaints.by_category[0];
  await page.locator("details:has(#pareto-table) summary").click();
  await expect(page.locator("#pareto-table tbody tr").first()).toContainText(`${top.count} · Σ ${top.cumulative.toFixed(1)}%`);

  // One site: an owner marks a change, and it shows on the trend and in the checks.
  const sites = await hark.api("/api/v1/admin/sites");
  const site = sites.find((s: any) => s.name.startsWith("Shop"));
  await page.locator("form.filters select[name=site]").selectOption(site.id);
  await page.locator("form.filters button[type=submit]").click();
  await expect(page).toHaveURL(new RegExp(`site=${site.id}`));
  const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
  await page.locator(".mark-form input[name=title]").fill("New courier");
  await page.locator(".mark-form input[name=day]").fill(day);
  await page.locator(".mark-form button[type=submit]").click();
  await expect(page.locator("#marks-table")).toContainText("New courier");
  await expect(page.locator("svg.trend .mark text")).toHaveText("New courier");
  const one = await hark.api(`/api/v1/admin/metrics?site=${site.id}`);
  expect(one.marks[0].mark.title).toBe("New courier");
  await expect(tile("csat")).toHaveText(percent(one.csat.score));

  // A phrase opens the queue on the submissions that hold it.
  const phrase = page.locator("#phrases-top a").first();
  expect(one.phrases.top.length).toBeGreaterThan(0);
  {
    await expect(phrase).toHaveText(one.phrases.top[0].phrase);
    await phrase.click();
    await expect(page).toHaveURL(new RegExp(`/admin\\?.*q=${encodeURIComponent(one.phrases.top[0].phrase)}`));
    // The queue lists them over the same period: at least as many as the phrase counts
    // (happy shoppers may say it too), a page at most.
    const rows = page.locator("table.queue tbody tr");
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThanOrEqual(Math.min(one.phrases.top[0].count, 20));
  }
  await page.goto(`${hark.url}/admin/insights`);
  await page.screenshot({ path: join(screenshots, "insights.png"), fullPage: true });
  expect(errors).toEqual([]);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe-core finds nothing wrong with the dashboard (${colorScheme}, English and Chinese)`, async ({ browser }) => {
    for (const locale of ["en-GB", "zh-CN"]) {
      const page = await signIn(browser, hark, { locale, colorScheme });
      await page.goto(`${hark.url}/admin/insights`);
      await expect(page.locator("h1")).toHaveText(locale === "en-GB" ? "Insights" : "洞察");
      expect(await axeViolations(page)).toEqual([]);
      await page.context().close();
    }
  });
}
