// A new owner sets up a second site in the browser: a typo in the origin explained, the
// tag copied, the demo shop opened with it and "Seen on …" appearing; a refused origin
// added in one click; the colour previewed and served; the audit log; axe on every new
// page, light and dark; the pages in Chinese.
import { test, expect } from "@playwright/test";
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { startHark, watchErrors, axeViolations, signIn, Hark } from "./hark";

let hark: Hark;
test.beforeAll(async () => {
  hark = await startHark();
});
test.afterAll(async () => {
  await hark?.stop();
});

test("a new owner adds a site, copies its tag, opens the demo shop with it and sees it installed", async ({ browser }) => {
  const owner = await signIn(browser, hark);
  await owner.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: hark.url });
  const errors = watchErrors(owner);
  await owner.getByRole("link", { name: "Sites", exact: true }).click();
  await expect(owner.getByRole("heading", { level: 1 })).toHaveText("Sites");

  // The most common typo is explained, with the origin to use; nothing is added.
  await owner.getByLabel("Name").fill("Northwind outlet");
  await owner.getByLabel("Shop origins").fill(`${hark.url}/`);
  await owner.getByRole("button", { name: "Add site" }).click();
  await expect(owner.getByRole("alert")).toContainText(`no trailing slash; use ${hark.url}`);
  await expect(owner.locator(".sites li", { hasText: "Northwind outlet" })).toHaveCount(0);
  errors.length = 0; // that refusal (422) was the point
  await owner.getByLabel("Shop origins").fill(hark.url);
  await owner.getByRole("button", { name: "Add site" }).click();
  await expect(owner).toHaveURL(/\/admin\/sites\/[0-9a-f-]{36}$/);
  await expect(owner.getByRole("heading", { level: 1 })).toHaveText("Northwind outlet");
  await expect(owner.locator("ul.install")).toHaveText("Not seen yet: paste the tag, then open your shop.");

  // The tag, copied as it is shown.
  const snippet = (await owner.locator("#snippet").textContent())!;
  const key = snippet.match(/data-site="(pk_[0-9a-f]{24})"/)![1];
  await owner.getByRole("button", { name: "Copy" }).first().click();
  await expect(owner.getByRole("status").first()).toHaveText("Copied.");
  expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(snippet);
  await expect(owner.locator("#csp")).toHaveText(`script-src ${hark.url} 'wasm-unsafe-eval'; connect-src ${hark.url}`);

  // The shop opens with the tag: the widget asks for its settings, and the site is seen.
  const shop = await owner.context().newPage();
  const settings = shop.waitForResponse((r) => r.url().includes(`/api/v1/sites/${key}/config`));
  await shop.goto(`${hark.url}/demo?site=${key}`);
  expect((await settings).status()).toBe(200);
  await owner.getByRole("link", { name: "Check again" }).click();
  await expect(owner.locator("ul.install .seen")).toHaveText(`Seen on ${hark.url} · just now`);

  // The merchant pastes the copied tag into their own shop, on an origin not added yet:
  // refused, said so, and added in one click.
  const ownShop = createServer((request, response) => {
    if (request.url !== "/") return response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html lang="en"><head><title>Shop</title>${snippet}</head><body><h1>Shop</h1></body></html>`);
  });
  await new Promise<void>((resolve) => ownShop.listen(0, "127.0.0.1", resolve));
  const otherHost = `http://127.0.0.1:${(ownShop.address() as AddressInfo).port}`;
  const refused = await owner.context().newPage();
  // The browser refuses the answer (no CORS grant for that origin), once it has asked.
  const refusedSettings = refused.waitForEvent("requestfailed", (r) => r.url().includes(`/api/v1/sites/${key}/config`));
  await refused.goto(`${otherHost}/`);
  await refusedSettings;
  ownShop.close();
  await owner.getByRole("link", { name: "Check again" }).click();
  await expect(owner.locator("ul.install .refused")).toContainText(`Refused from ${otherHost}`);
  await owner.getByRole("button", { name: `Add it ${otherHost}` }).click();
  await expect(owner.getByLabel("Shop origins")).toHaveValue(`${hark.url}\n${otherHost}`);
  await expect(owner.locator("ul.install .seen")).toHaveCount(2);
  await owner.screenshot({ path: "../docs/screenshots/site.png" });

  // The colour: previewed as it is typed, then saved, in the tag and the widget's settings.
  await owner.getByLabel("Colour").fill("#0a7c66");
  await expect(owner.locator(".preview svg rect[fill]").first()).toHaveAttribute("fill", "#0a7c66");
  await owner.getByLabel("Topics").fill("delivery_delay\nGift wrapping");
  await owner.getByRole("button", { name: "Save" }).click();
  await expect(owner.locator("#snippet")).toContainText('data-color="#0a7c66"');
  await expect(owner.locator(".category-names")).toContainText("Late delivery · 配送延迟");
  const config = await (await fetch(`${hark.url}/api/v1/sites/${key}/config`)).json();
  expect(config.theme.color).toBe("#0a7c66");
  expect(config.categories).toEqual(["delivery_delay", "Gift wrapping"]);
  // A tag pasted before the colour was chosen gets it from the site's settings.
  const recoloured = await owner.context().newPage();
  const loaded = recoloured.waitForResponse((r) => r.url().includes(`/api/v1/sites/${key}/config`));
  await recoloured.goto(`${hark.url}/demo?site=${key}`);
  await loaded;
  const accent = () => recoloured.locator("[data-hark]").evaluate((host) => (host as HTMLElement).style.getPropertyValue("--hark-accent"));
  await expect.poll(accent).toBe("#0a7c66");

  // The secret, replaced with a day's grace.
  await owner.getByText("Show the secret").click();
  const before = await owner.locator("code.secret").textContent();
  await owner.getByRole("button", { name: "Replace the secret" }).click();
  await expect(owner.getByText("The previous secret works until")).toBeVisible();
  expect(await owner.locator("code.secret").textContent()).not.toBe(before);

  // All of it in the audit log, newest first.
  await owner.getByRole("link", { name: "Audit log" }).click();
  const rows = owner.locator("table.audit tbody tr");
  await expect(rows.nth(0)).toContainText("replaced the signing secret of Northwind outlet");
  await expect(rows.nth(1)).toContainText("changed the site Northwind outlet");
  await expect(owner.locator("table.audit")).toContainText("added the site Northwind outlet");
  await expect(owner.locator("table.audit")).toContainText(`signed in as ${hark.email}`);
  expect(errors).toEqual([]);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe-core finds nothing wrong with the sites, site and audit pages (${colorScheme})`, async ({ browser }) => {
    const page = await signIn(browser, hark, { colorScheme });
    await page.goto(`${hark.url}/admin/sites`);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator(".sites a.site-name").first().click();
    await expect(page.getByRole("heading", { level: 2, name: "The tag to paste" })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${hark.url}/admin/audit`);
    expect(await axeViolations(page)).toEqual([]);
  });
}

test("the sites, site and audit pages speak Chinese to a Chinese browser", async ({ browser }) => {
  const page = await signIn(browser, hark, { locale: "zh-CN" });
  const english = ["Sites", "Add site", "Name", "Shop origins", "Not seen yet", "Seen on", "The tag to paste", "Copy",
    "Signing secret", "Replace the secret", "Colour", "Topics", "Save", "Audit log", "signed in as", "Disabled"];
  const leftovers = async () => {
    const text = await page.locator("main").innerText();
    return english.filter((word) => text.includes(word));
  };
  await page.goto(`${hark.url}/admin/sites`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("站点");
  expect(await leftovers()).toEqual([]);
  await page.locator(".sites a.site-name").first().click();
  await expect(page.getByRole("heading", { level: 2, name: "要粘贴的代码" })).toBeVisible();
  expect(await leftovers()).toEqual([]);
  await page.goto(`${hark.url}/admin/audit`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("审计日志");
  expect(await leftovers()).toEqual([]);
});
