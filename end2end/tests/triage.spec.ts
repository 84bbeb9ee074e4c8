// Triage as staff and shoppers do it: an admin finds a complaint, takes it, answers and
// resolves it; the shopper reads the answer on their tracking page, answers back and
// rates how it was handled. And shopper-written markup never runs anywhere.
import { test, expect, Page } from "@playwright/test";
import { startHark, watchErrors, axeViolations, signIn, submitAndWait, Hark } from "./hark";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

let hark: Hark;
let siteKey: string;
test.beforeAll(async () => {
  hark = await startHark();
  siteKey = hark.addSite("Northwind", "https://northwind.example").key;
});
test.afterAll(async () => {
  await hark?.stop();
});

const screenshots = join(__dirname, "../../docs/screenshots");

/** Sends a submission as a merchant's server would (no Origin); its tracking path. */
async function submit(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${hark.url}/api/v1/sites/${siteKey}/submissions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: randomUUID(), ...body }),
  });
  expect(response.status).toBe(201);
  return new URL((await response.json()).track_url).pathname;
}

test("an admin takes a complaint, answers and resolves it; the shopper answers back and rates it", async ({ browser }) => {
  const track = await submit({ kind: "complaint", message: "My linen throw arrived torn", email: "ana@example.com", order_ref: "NW-2001" });
  await submit({ kind: "csat", rating: 5, message: "Lovely shop" });
  await submit({ kind: "complaint", message: "快递太慢了，等了一个星期", locale: "zh-CN", email: "mei@example.cn" });

  const admin = await signIn(browser, hark);
  const errors = watchErrors(admin);
  // Filter: complaints only; then search.
  await admin.getByLabel("Kind").selectOption("complaint");
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin).toHaveURL(/kind=complaint/);
  await expect(admin.locator("table.queue tbody tr")).toHaveCount(2);
  await expect(admin.locator("table.queue")).not.toContainText("Lovely shop");
  await admin.getByLabel("Search").fill("快递");
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin.locator("table.queue tbody tr")).toHaveCount(1);
  await expect(admin.locator("table.queue")).toContainText("快递太慢了");
  await admin.getByLabel("Search").fill("torn");
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin.locator("table.queue tbody tr")).toHaveCount(1);
  await admin.screenshot({ path: join(screenshots, "queue.png") });

  // Open it, take it, answer and resolve it.
  await admin.getByRole("link", { name: "My linen throw arrived torn" }).click();
  await expect(admin).toHaveURL(/\/admin\/submissions\//);
  await expect(admin.getByRole("heading", { level: 1 })).toContainText("Complaint · Northwind");
  await expect(admin.getByText("NW-2001")).toBeVisible();
  await admin.getByLabel("Assignee").selectOption({ label: hark.email });
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(admin.locator(".timeline")).toContainText("Assignee");
  await admin.getByRole("textbox", { name: "Internal note" }).fill("Courier photo shows the tear");
  await admin.getByRole("button", { name: "Add note" }).click();
  await expect(admin.locator(".timeline")).toContainText("Courier photo shows the tear");
  await expect(admin.getByRole("textbox", { name: "Internal note" })).toHaveValue("");
  await admin.getByRole("textbox", { name: "Reply to the shopper" }).fill("Sorry! A new throw ships today.");
  await admin.getByLabel("Then set status").selectOption("resolved");
  await admin.getByRole("button", { name: "Send reply" }).click();
  await expect(admin.locator(".timeline")).toContainText("Sorry! A new throw ships today.");
  await expect(admin.getByRole("textbox", { name: "Reply to the shopper" })).toHaveValue("");
  await expect(admin.getByRole("heading", { level: 1 })).toContainText("Resolved");
  await admin.screenshot({ path: join(screenshots, "submission.png"), fullPage: true });
  expect(errors).toEqual([]);

  // The shopper, without any script: reads, rates, answers back.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const shopper = await context.newPage();
  await shopper.goto(`${hark.url}${track}`);
  await expect(shopper.locator("time .exact").first()).toContainText("UTC");
  await expect(shopper.locator(".conversation")).toContainText("Sorry! A new throw ships today.");
  await expect(shopper.locator(".conversation")).not.toContainText("Courier photo");
  await shopper.getByText("4 · Satisfied").click();
  await shopper.getByRole("button", { name: "Send rating" }).click();
  await expect(shopper.getByRole("status")).toContainText("Thank you for rating");
  await shopper.getByLabel("Not sorted yet?").fill("The new one is torn too");
  await shopper.getByRole("button", { name: "Send", exact: true }).click();
  await expect(shopper.getByRole("status")).toContainText("Your message was sent");
  await expect(shopper.locator(".conversation")).toContainText("The new one is torn too");
  await expect(shopper.locator(".steps .current")).toHaveText("open");
  await context.close();

  // Back in the admin: reopened, with the shopper's words and rating on the timeline.
  await admin.reload();
  await expect(admin.getByRole("heading", { level: 1 })).toContainText("Open");
  await expect(admin.locator(".timeline")).toContainText("The new one is torn too");
  await expect(admin.locator(".timeline")).toContainText("Recovery rating");
});

test("shopper-written markup is shown as text in the queue, the detail and the tracking page", async ({ browser }) => {
  const payloads = [`<img src=x onerror="window.__pwned=1">`, `<script>window.__pwned=2</script>`, `javascript:window.__pwned=3`];
  const track = await submit({
    kind: "complaint",
    message: payloads.join(" "),
    name: payloads[0],
    order_ref: payloads[1].slice(0, 60),
    email: "x@example.com",
    page_url: payloads[2],
    metadata: { note: payloads[0] },
  });
  const admin = await signIn(browser, hark);
  const errors = watchErrors(admin);
  await expect(admin.locator("table.queue")).toContainText(payloads[0]);
  expect(await admin.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await admin.getByRole("link", { name: payloads[0], exact: false }).first().click();
  await expect(admin.locator("blockquote.message")).toContainText(payloads[1]);
  await admin.getByRole("textbox", { name: "Reply to the shopper" }).fill(payloads.join(" "));
  await admin.getByRole("button", { name: "Send reply" }).click();
  await expect(admin.locator(".timeline")).toContainText(payloads[1]);
  expect(await admin.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await admin.locator("a[href^='javascript:']").count()).toBe(0);
  expect(errors).toEqual([]);

  const shopper = await browser.newPage();
  await shopper.goto(`${hark.url}${track}`);
  await expect(shopper.locator(".conversation")).toContainText(payloads[0]);
  expect(await shopper.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await shopper.locator(".conversation img, .conversation script").count()).toBe(0);
});

/** Hark's own words on the page that are still in Latin letters: text and the labels
 * read aloud, outside what is marked as data (`translate="no"`: shoppers' words,
 * emails, the brand). */
async function englishLeft(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const latin = /[A-Za-z]{2,}/;
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (parent.closest("[translate=no], script, style")) continue;
      if (latin.test(node.textContent!)) found.push(node.textContent!.trim());
    }
    for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], input[type=submit]")) {
      if (el.closest("[translate=no]")) continue;
      for (const name of ["aria-label", "placeholder", "title", "value"]) {
        const value = name === "value" ? (el as HTMLInputElement).value : el.getAttribute(name);
        if (value && latin.test(value) && (name !== "value" || el.matches("input[type=submit]"))) found.push(`${name}=${value}`);
      }
    }
    return found;
  });
}

test("the admin speaks Simplified Chinese to a browser that asks for it, with no English left", async ({ browser }) => {
  const track = await submit({ kind: "complaint", message: "包装破了", locale: "zh-CN", email: "li@example.cn", order_ref: "NW-88" });
  const login = await browser.newPage({ locale: "zh-CN" });
  await login.goto(`${hark.url}/admin/login`);
  await expect(login.getByRole("heading", { level: 1 })).toHaveText("登录 Hark");
  expect(await englishLeft(login)).toEqual([]);
  await login.getByLabel("邮箱").fill(hark.email);
  await login.getByLabel("密码").fill("wrong password");
  await login.getByRole("button", { name: "登录" }).click();
  await expect(login.getByRole("alert")).toHaveText("邮箱或密码错误。");
  await login.close();

  const admin = await signIn(browser, hark, { locale: "zh-CN" });
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("待处理");
  await expect(admin.getByRole("link", { name: "未分配的投诉" })).toBeVisible();
  expect(await englishLeft(admin)).toEqual([]);
  await admin.getByRole("link", { name: "包装破了" }).click();
  await expect(admin.getByRole("heading", { name: "时间线" })).toBeVisible();
  await expect(admin.getByRole("button", { name: "发送回复" })).toBeVisible();
  expect(await englishLeft(admin)).toEqual([]);
  await admin.getByRole("link", { name: "设置" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("设置");
  expect(await englishLeft(admin)).toEqual([]);

  // The shopper's page, in their language; with script, times in their own time zone.
  const shopperContext = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const shopper = await shopperContext.newPage();
  const shopperErrors = watchErrors(shopper);
  await shopper.goto(`${hark.url}${track}`);
  await expect(shopper.locator("h1")).toContainText("投诉");
  await expect(shopper.locator("time .exact").first()).not.toContainText("UTC");
  expect(await englishLeft(shopper)).toEqual([]);
  expect(shopperErrors).toEqual([]);
  await shopperContext.close();
});

test("settings: a person's language, the organisation's time zone and saved replies", async ({ browser }) => {
  await submit({ kind: "complaint", message: "Settings check", email: "s@example.com" });
  const admin = await signIn(browser, hark);
  const errors = watchErrors(admin);
  const received = admin.locator("table.queue tbody tr", { hasText: "Settings check" }).locator("time").first();
  const utc = await received.getAttribute("datetime");
  await admin.getByRole("link", { name: "Settings", exact: true }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Settings");
  // The organisation's time zone: every date moves with it.
  await admin.locator("#time_zone").fill("Asia/Shanghai");
  await submitAndWait(admin, admin.getByRole("button", { name: "Save" }).nth(1), "time-zone", "settings");
  await expect(admin.locator("#time_zone")).toHaveValue("Asia/Shanghai");
  await admin.locator("#time_zone").fill("Nowhere/Special");
  await submitAndWait(admin, admin.getByRole("button", { name: "Save" }).nth(1), "time-zone");
  await expect(admin.getByRole("alert").filter({ hasText: "time_zone" })).toBeVisible();
  // A saved reply, then it is offered in the reply box.
  await admin.getByLabel("Title").last().fill("Courier delay");
  await admin.getByLabel("Text").last().fill("Sorry for the wait: the courier is running late this week.");
  await admin.getByRole("button", { name: "Save" }).last().click();
  await expect(admin.getByLabel("Title").first()).toHaveValue("Courier delay");
  await admin.goto(`${hark.url}/admin`);
  const shanghai = new Date(new Date(utc!).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
  await expect(received).toHaveText(shanghai);
  await admin.getByRole("link", { name: "Settings check" }).click();
  await admin.getByLabel("Saved replies").selectOption({ label: "Courier delay" });
  await expect(admin.getByRole("textbox", { name: "Reply to the shopper" })).toHaveValue(/courier is running late/);
  // One's own language, whatever the browser says.
  await admin.getByRole("link", { name: "Settings", exact: true }).click();
  await admin.locator("#locale").selectOption("zh-CN");
  await admin.getByRole("button", { name: "Save" }).first().click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("设置");
  await admin.locator("#locale").selectOption("");
  await admin.locator("#time_zone").fill("UTC");
  await admin.getByRole("button", { name: "保存" }).nth(1).click();
  await admin.getByRole("button", { name: "保存" }).first().click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await expect(admin.locator("#time_zone")).toHaveValue("UTC");
  expect(errors.filter((e) => !e.includes("422"))).toEqual([]);
});

test("keyboard-only triage: move, select, assign to me, resolve, open", async ({ browser }) => {
  await submit({ kind: "complaint", message: "Keyboard one", email: "k1@example.com" });
  await submit({ kind: "complaint", message: "Keyboard two", email: "k2@example.com" });
  const admin = await signIn(browser, hark);
  const errors = watchErrors(admin);
  await admin.goto(`${hark.url}/admin?kind=complaint&q=keyboard`);
  const rows = admin.locator("table.queue tbody tr");
  await expect(rows).toHaveCount(2);
  await admin.locator("body").press("?");
  await expect(admin.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await admin.keyboard.press("Escape");
  await expect(admin.getByRole("dialog")).toBeHidden();
  // The first row is under the cursor: assign it to me.
  await admin.keyboard.press("a");
  await expect(rows.first()).toContainText(hark.email);
  // Down to the second, select it with x, resolve it with e.
  await admin.keyboard.press("j");
  await expect(rows.nth(1)).toHaveClass(/selected/);
  await admin.keyboard.press("x");
  await expect(admin.locator(".bulk")).toContainText("1 selected");
  await admin.keyboard.press("e");
  await expect(rows.nth(1)).toContainText("Resolved");
  // / goes to the search box; Enter opens the row under the cursor.
  await admin.keyboard.press("/");
  await expect(admin.getByLabel("Search")).toBeFocused();
  await admin.getByLabel("Search").press("Tab");
  await admin.locator("body").click({ position: { x: 5, y: 300 } });
  await admin.keyboard.press("k");
  await admin.keyboard.press("Enter");
  await expect(admin).toHaveURL(/\/admin\/submissions\//);
  await expect(admin.getByRole("heading", { level: 1 })).toContainText("Complaint");
  expect(errors).toEqual([]);
});

test("new and changed submissions appear in the open queue without a reload, and what is typed stays", async ({ browser }) => {
  const admin = await signIn(browser, hark);
  const errors = watchErrors(admin);
  await admin.goto(`${hark.url}/admin?kind=complaint`);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Queue");
  // Hydrated, and listening.
  await expect(admin.locator(".live-note")).toHaveAttribute("data-live", "on");
  const search = admin.getByLabel("Search");
  await search.fill("half-typed");
  await submit({ kind: "complaint", message: "Arrived while you watched", email: "live@example.com" });
  const fresh = admin.locator("table.queue tbody tr.fresh");
  await expect(fresh).toHaveCount(1);
  await expect(fresh).toContainText("Arrived while you watched");
  await expect(admin.locator(".live-note")).toHaveText("1 just arrived");
  await expect(search).toHaveValue("half-typed");
  // A change made elsewhere (here: the API) shows too.
  const id = await fresh.getAttribute("data-id");
  const changed = await admin.request.patch(`${hark.url}/api/v1/admin/submissions/${id}`, {
    headers: { "Sec-Fetch-Site": "same-origin" },
    data: { priority: "urgent" },
  });
  expect(changed.status()).toBe(200);
  await expect(fresh).toContainText("Urgent");
  expect(errors).toEqual([]);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe-core finds nothing wrong with the sign-in, queue, detail, settings and tracking page (${colorScheme})`, async ({ browser }) => {
    const track = await submit({ kind: "complaint", message: `Checked in ${colorScheme}`, email: "a11y@example.com", order_ref: "A-11" });
    const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    await page.goto(`${hark.url}/admin/login`);
    found.login = await axeViolations(page);
    await page.locator("#email").fill(hark.email);
    await page.locator("#password").fill(hark.password);
    await page.locator("form button[type=submit]").click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.locator(".live-note")).toHaveAttribute("data-live", "on");
    found.queue = await axeViolations(page);
    await page.getByRole("link", { name: `Checked in ${colorScheme}` }).click();
    await expect(page.getByRole("heading", { name: "Timeline" })).toBeVisible();
    found.detail = await axeViolations(page);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
    found.settings = await axeViolations(page);
    await page.goto(`${hark.url}${track}`);
    found.tracking = await axeViolations(page);
    expect(found).toEqual({ login: [], queue: [], detail: [], settings: [], tracking: [] });
    await context.close();
  });
}
