// The widget on a merchant's page: what the page pays at load, a strict CSP, hostile CSS.
import { test, expect, Page } from "@playwright/test";
import { startHark, watchErrors, axeViolations, Hark } from "./hark";
import { createServer, get as httpGet, Server } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";

/** What a merchant's server computes: HMAC-SHA256 of `id|tier` with the site's secret. */
function sign(text: string): string {
  return createHmac("sha256", siteSecret).update(text).digest("hex");
}

let hark: Hark;
let shop: Server;
let shopUrl: string;
let siteKey: string;
let siteSecret: string;
let emailSiteKey: string;
let busySiteKey: string;

/** Shop pages by path: what each adds to its <head>, and its policy if any. */
const pages: Record<
  string,
  { head: string; policy?: () => string; tag?: () => string; locale?: string; site?: () => string }
> = {
  "/plain": { head: "" },
  // A merchant who wants the panel fetched only when the shopper reaches for it.
  "/on-reach": { head: "", tag: () => `data-preload="interaction"` },
  // The README's policy for merchants, to the letter: Hark's host for scripts (and wasm)
  // and for connections, nothing else (no styles from anywhere, nothing inline).
  "/strict": {
    head: "",
    policy: () => `default-src 'none'; script-src ${hark.url} 'wasm-unsafe-eval'; connect-src ${hark.url}`,
  },
  // The same policy without 'wasm-unsafe-eval': the panel cannot start.
  "/no-wasm": {
    head: "",
    policy: () => `default-src 'none'; script-src ${hark.url}; connect-src ${hark.url}`,
  },
  // A merchant's page naming a signed key customer.
  "/identified": {
    head: "",
    tag: () => `data-customer-id="c_42" data-customer-tier="key" data-customer-sig="${sign("c_42|key")}"`,
  },
  "/zh": { head: "", locale: "zh-CN" },
  // A merchant's own colour (a light one) and corner.
  "/branded": { head: "", tag: () => `data-color="#ffd400" data-position="bottom-left"` },
  "/badly-branded": { head: "", tag: () => `data-color="red; background: url(x)"` },
  // A shop whose complaints must give an email address for the answer.
  "/email-required": { head: "", site: () => emailSiteKey },
  // A shop whose collector is being flooded from the shopper's own address.
  "/busy": { head: "", site: () => busySiteKey },
  // A page that notes the globals it had before the widget's tag ran.
  "/counted": { head: `<script>window.namesBefore = Object.getOwnPropertyNames(window);</script>` },
  // The README's queue, filled by the shop's own script before the tag has run.
  "/queued": {
    head: `<script src="/queue.js"></script>`,
  },
  "/hostile": {
    head: `<style>
      * { all: unset !important; }
      button { display: none !important; }
      html { font-size: 40px !important; }
      div { visibility: hidden !important; opacity: 0 !important; }
    </style>`,
  },
};

test.beforeAll(async () => {
  hark = await startHark();
  // The shop is another origin on this machine (another port), as a merchant's site is.
  shop = createServer((request, response) => {
    if (request.url === "/queue.js") {
      response.writeHead(200, { "Content-Type": "text/javascript" });
      return response.end(`window.Hark = window.Hark || {q: []}; Hark.q.push(["csat", [{order_ref: "NW-7"}]]);`);
    }
    // A shop has an icon (Chromium asks for it; a 404 would count as an error here).
    if (request.url === "/favicon.ico") return response.writeHead(204).end();
    const page = pages[request.url ?? ""];
    if (!page) return response.writeHead(404).end();
    response.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      ...(page.policy ? { "Content-Security-Policy": page.policy() } : {}),
    });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>${page.head}
<script src="${hark.url}/widget.js" data-site="${page.site?.() ?? siteKey}" data-locale="${page.locale ?? "en"}" ${page.tag?.() ?? ""} defer></script></head>
<body><h1>Order confirmed</h1><p>Thank you for shopping with us.</p><button id="own">The shop's own button</button></body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  ({ key: siteKey, secret: siteSecret } = hark.addSite("Test shop", shopUrl));
  emailSiteKey = hark.addSite("Careful shop", shopUrl, { requireEmail: true }).key;
  busySiteKey = hark.addSite("Busy shop", shopUrl).key;
});
test.afterAll(async () => {
  await hark?.stop();
  shop?.close();
});

/** axe-core's violations over the widget, its shadow root included. */
function accessibilityViolations(page: Page): Promise<string[]> {
  return axeViolations(page, "[data-hark]");
}

/** The POST of the next submission `page` sends. */
function nextSubmission(page: Page) {
  return page.waitForRequest((request) => request.method() === "POST" && request.url().includes("/submissions"));
}

async function rateAndSend(page: Page, comment: string) {
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog", { name: "How satisfied are you?" });
  await expect(panel).toBeVisible();
  await panel.getByRole("radio", { name: "5 – Very satisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill(comment);
  // A shopper takes longer than this; a faster send is stored as spam.
  await page.waitForTimeout(1600);
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
}

/** The paths of what `page` asks Hark for, in order. */
function requestsToHark(page: Page): string[] {
  const paths: string[] = [];
  page.on("request", (request) => request.url().startsWith(hark.url) && paths.push(new URL(request.url()).pathname));
  return paths;
}

test("the page pays for the loader alone until the shopper reaches for the widget", async ({ page }) => {
  const fromHark = requestsToHark(page);
  await page.goto(`${shopUrl}/on-reach`);
  await page.waitForLoadState("load");
  const launcher = page.getByRole("button", { name: "Feedback" });
  await expect(launcher).toBeVisible();
  await page.waitForTimeout(1000);
  expect(fromHark).toEqual(["/widget.js"]);

  await launcher.hover();
  await expect.poll(() => fromHark.filter((path) => path.startsWith("/pkg/")).length).toBe(3);
  expect(fromHark.some((path) => path.endsWith(".wasm"))).toBe(true);
  expect(fromHark.some((path) => path.endsWith(".css"))).toBe(true);
  expect(fromHark).toContain(`/api/v1/sites/${siteKey}/config`);
});

test("once the page has loaded and the browser is idle, the panel is fetched without a reach", async ({ page }) => {
  const fromHark = requestsToHark(page);
  await page.goto(`${shopUrl}/plain`);
  await page.waitForLoadState("load");
  expect(fromHark).toEqual(["/widget.js"]);
  // No pointer moves, nothing is focused: the idle browser fetches the panel after load.
  await expect.poll(() => fromHark.filter((path) => path.startsWith("/pkg/")).length, { timeout: 15_000 }).toBe(3);
  const fetched = fromHark.length;
  await page.evaluate(() => (window as any).Hark.open());
  await expect(page.getByRole("dialog", { name: "How satisfied are you?" })).toBeVisible();
  // Opening it then costs no further request.
  expect(fromHark.length).toBe(fetched);
});

/** `path` from Hark as sent over the wire for `acceptEncoding`: body bytes and encoding. */
function fetchRaw(path: string, acceptEncoding: string): Promise<{ body: Buffer; encoding?: string; vary?: string }> {
  return new Promise((resolve, reject) => {
    httpGet(`${hark.url}${path}`, { headers: { "Accept-Encoding": acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          body: Buffer.concat(chunks),
          encoding: response.headers["content-encoding"],
          vary: response.headers["vary"],
        }),
      );
    }).on("error", reject);
  });
}

test("the loader and everything the panel fetches travel brotli- or gzip-compressed, as the browser accepts", async () => {
  const loader = (await fetchRaw("/widget.js", "identity")).body.toString();
  const panelFiles = [...loader.matchAll(/\/pkg\/[\w.]+/g)].map((match) => match[0]);
  expect(panelFiles).toHaveLength(3);
  for (const path of ["/widget.js", ...panelFiles]) {
    const plain = await fetchRaw(path, "identity");
    expect(plain.encoding, path).toBeUndefined();
    const br = await fetchRaw(path, "gzip, deflate, br");
    expect(br.encoding, path).toBe("br");
    expect(br.vary, path).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.body).equals(plain.body), path).toBe(true);
    const gz = await fetchRaw(path, "gzip");
    expect(gz.encoding, path).toBe("gzip");
    expect(gunzipSync(gz.body).equals(plain.body), path).toBe(true);
    expect(br.body.length, path).toBeLessThan(plain.body.length);
  }
});

test("under a strict Content Security Policy the widget works and breaks nothing", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${shopUrl}/strict`);
  await rateAndSend(page, "Strict policy, still heard.");
  // The panel's CSS applied although the policy allows no stylesheet from anywhere.
  const panel = page.getByRole("dialog");
  expect(await panel.evaluate((el) => getComputedStyle(el).position)).toBe("fixed");
  expect(errors).toEqual([]);
});

test("the shop's hostile CSS cannot hide or restyle the widget", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${shopUrl}/hostile`);
  const launcher = page.getByRole("button", { name: "Feedback" });
  await expect(launcher).toBeVisible();
  expect(await launcher.evaluate((el) => getComputedStyle(el).fontSize)).toBe("16px");
  expect(await launcher.evaluate((el) => getComputedStyle(el).position)).toBe("fixed");
  // The widget's CSS stays in its shadow root: the shop's own button is as the shop made it.
  await expect(page.locator("#own")).toBeHidden();
  await rateAndSend(page, "Hostile page, still heard.");
  expect(errors).toEqual([]);
});

test("the shop's colour and corner: text stays readable on it, and a bad colour is ignored", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${shopUrl}/branded`);
  // (Once the panel is open, its "Feedback" kind shares the launcher's name.)
  const launcher = page.locator(".launcher");
  const look = (el: Element) => {
    const css = getComputedStyle(el);
    return { background: css.backgroundColor, color: css.color };
  };
  // Yellow is light: the words on it are black (CIE lightness 0).
  expect(await launcher.evaluate(look)).toEqual({ background: "rgb(255, 212, 0)", color: "lch(0 0 0)" });
  await launcher.click();
  const panel = page.getByRole("dialog");
  expect(await panel.getByRole("button", { name: "Send" }).evaluate(look)).toEqual({
    background: "rgb(255, 212, 0)",
    color: "lch(0 0 0)",
  });
  // Bottom left, both of them.
  expect((await launcher.boundingBox())!.x).toBeLessThan(100);
  expect((await panel.boundingBox())!.x).toBeLessThan(100);
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.goto(`${shopUrl}/badly-branded`);
  // Hark's own colour, with white words on it.
  expect(await launcher.evaluate(look)).toEqual({ background: "rgb(61, 43, 209)", color: "lch(100 0 0)" });
  expect(errors).toEqual([]);
});

test("where WebAssembly is refused, the launcher opens Hark's plain form and the shopper is heard", async ({ page }) => {
  await page.goto(`${shopUrl}/no-wasm`);
  const popupOpened = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Feedback" }).click();
  const form = await popupOpened;
  await expect(form).toHaveURL(`${hark.url}/f/${siteKey}?lang=en`);
  await expect(form.getByRole("heading", { name: "Feedback for Test shop" })).toBeVisible();
  // Too fast to be human is stored as spam; a shopper takes longer than this.
  await form.waitForTimeout(1600);
  await form.getByRole("radio", { name: "2 – Dissatisfied" }).check();
  const message = "The parcel was late, no wasm needed to say so.";
  await form.getByLabel("Anything to add? (optional)").fill(message);
  const id = await form.locator('input[name="id"]').inputValue();
  await form.getByRole("button", { name: "Send" }).click();
  await expect(form.getByRole("heading", { name: "Thank you!" })).toBeVisible();
  const track = form.getByRole("link", { name: /\/track\// });
  const trackUrl = await track.getAttribute("href");
  await track.click();
  await expect(form.locator(".steps .current")).toHaveText("new");

  // The same form sent again (a double click, a resend) stores nothing twice.
  const again = await form.request.post(`${hark.url}/f/${siteKey}`, {
    form: { id, kind: "csat", rating: "2", message, shown_at: "0", website: "" },
  });
  expect(again.status()).toBe(200);
  expect(await again.text()).toContain(trackUrl!);

  // The shop's code asks for a complaint: the plain form opens on it.
  const complaintOpened = page.waitForEvent("popup");
  await page.evaluate(() => (window as any).Hark.open("complaint"));
  const complaint = await complaintOpened;
  await expect(complaint).toHaveURL(`${hark.url}/f/${siteKey}?lang=en&kind=complaint`);
  await expect(complaint.getByRole("heading", { name: "Make a complaint" })).toBeVisible();
  await expect(complaint.getByRole("link", { name: "Complaint" })).toHaveAttribute("aria-current", "page");
});

test("a panel that fails as it starts or opens gives way to the plain form, every time after", async ({ page }) => {
  for (const call of ["mount", "open"]) {
    // The panel's module, its `call` throwing as the wasm's panic would: the function
    // the glue exports under that name is replaced (a module's exports are live).
    await page.unrouteAll();
    await page.route(/\/pkg\/widget\.[0-9a-f]+\.js$/, async (route) => {
      const response = await route.fetch();
      const glue = await response.text();
      const exported = new RegExp(`([\\w$]+) as ${call}\\b`).exec(glue);
      expect(exported, `the glue exports ${call}`).not.toBeNull();
      const throwing = `;${exported![1]}=function(){throw new Error("unreachable")};`;
      await route.fulfill({ response, body: glue + throwing });
    });
    await page.goto(`${shopUrl}/plain`);
    for (const attempt of [1, 2]) {
      const opened = page.waitForEvent("popup");
      await page.getByRole("button", { name: "Feedback" }).click();
      const form = await opened;
      await expect(form, `${call}, attempt ${attempt}`).toHaveURL(`${hark.url}/f/${siteKey}?lang=en`);
      await expect(form.getByRole("radio", { name: "5 – Very satisfied" })).toBeVisible();
      await form.close();
    }
    await expect(page.getByRole("dialog")).toBeHidden();
  }
});

test("the plain form says what to fix and keeps what was typed", async ({ page }) => {
  await page.goto(`${hark.url}/f/${siteKey}`);
  // Each kind is a page of its own: the same form as the widget's panel.
  await page.getByRole("link", { name: "Complaint" }).click();
  await page.getByLabel("Order number (optional)").fill("NW-1042");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toContainText("message");
  await expect(page.getByLabel("Order number (optional)")).toHaveValue("NW-1042");
  await expect(page.getByRole("heading", { name: "Make a complaint" })).toBeVisible();
});

test("the plain form speaks the shopper's language: Simplified Chinese throughout", async ({ browser }) => {
  // The browser's own language (Accept-Language) chooses it; the launcher also says ?lang=.
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${hark.url}/f/${siteKey}`);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  // Every word but the shop's own name and the tracking address.
  const words = () =>
    page.evaluate(() => {
      const body = document.body.cloneNode(true) as HTMLElement;
      body.querySelectorAll("a").forEach((link) => link.remove());
      body.querySelectorAll("[hidden]").forEach((hidden) => hidden.remove());
      return body.textContent!.replaceAll("Test shop", "");
    });
  expect(await words()).not.toMatch(/[A-Za-z]/);
  await page.getByRole("link", { name: "投诉" }).click();
  expect(await words()).not.toMatch(/[A-Za-z]/);
  await page.getByRole("button", { name: "发送" }).click();
  await expect(page.getByRole("alert")).toContainText("请填写留言");
  expect(await words()).not.toMatch(/[A-Za-z]/);
  await page.getByLabel("发生了什么？").fill("包裹破损，需要换货。");
  await page.getByRole("button", { name: "发送" }).click();
  await expect(page.getByRole("heading", { name: "谢谢！" })).toBeVisible();
  expect(await words()).not.toMatch(/[A-Za-z]/);
  const [stored] = await hark.queue();
  expect(stored).toMatchObject({ kind: "complaint", message: "包裹破损，需要换货。" });
  await context.close();
});

test("a signed key customer's rating carries the tier; a badly signed one does not", async ({ page }) => {
  await page.goto(`${shopUrl}/identified`);
  await rateAndSend(page, "Signed by the shop.");
  // The receipt links to the shopper's tracking page, which knows this submission.
  const track = page.getByRole("link", { name: "Follow it and read the shop's answer" });
  const href = (await track.getAttribute("href"))!;
  expect(href).toMatch(new RegExp(`^${hark.url}/track/[0-9a-f]{44}$`));
  expect(await (await page.request.get(href)).text()).toContain("class=\"current\">new</li>");
  const [signed] = await hark.queue();
  expect(signed.message).toBe("Signed by the shop.");
  expect(signed.customer_tier).toBe("key");
  expect(signed.status).toBe("new");

  // Said through the API before the panel has loaded, and with a wrong signature.
  await page.goto(`${shopUrl}/plain`);
  await page.evaluate(() => (window as any).Hark.identify({ id: "c_43", tier: "key", sig: "00" }));
  await rateAndSend(page, "Signed badly.");
  const [unsigned] = await hark.queue();
  expect(unsigned.message).toBe("Signed badly.");
  expect(unsigned.customer_tier).toBeNull();
});

test("Hark.csat asks for a rating now, about the order the merchant names", async ({ page, context }) => {
  await page.goto(`${shopUrl}/counted`);
  await page.waitForFunction(() => (window as any).Hark?.version === 1);
  const sent = nextSubmission(page);
  await page.evaluate(() => (window as any).Hark.csat({ order_ref: "NW-1042" }));
  const panel = page.getByRole("dialog", { name: "How satisfied are you?" });
  await expect(panel).toBeVisible();
  await panel.getByRole("radio", { name: "4 – Satisfied" }).check();
  // Loaded and open, the widget has added no global but window.Hark, set no cookie and
  // written nothing to the browser's storage.
  const added = await page.evaluate(() =>
    Object.getOwnPropertyNames(window).filter((name) => !(window as any).namesBefore.includes(name)),
  );
  expect(added.filter((name) => name !== "namesBefore")).toEqual(["Hark"]);
  expect(await context.cookies()).toEqual([]);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
  await panel.getByRole("button", { name: "Send" }).click();
  const body = (await sent).postDataJSON();
  expect(body.order_ref).toBe("NW-1042");
  // Ids grow with time (UUIDv7), and the time taken to fill the form goes along.
  expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(parseInt(body.id.replace(/-/g, "").slice(0, 12), 16)).toBeGreaterThan(Date.now() - 60_000);
  expect(body.fill_ms).toBeGreaterThanOrEqual(0);
  expect(body.fill_ms).toBeLessThan(60_000);
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
});

test("a feedback card with its topic, stage and five aspects reaches the admin", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await panel.getByRole("button", { name: "Feedback", exact: true }).click();
  await expect(panel).toHaveAccessibleName("Share your feedback");
  await expect(panel.getByRole("button", { name: "Feedback", exact: true })).toHaveAttribute("aria-pressed", "true");
  await panel.getByLabel("Topic").selectOption({ label: "Late delivery" });
  await panel.getByLabel("When was it?").selectOption({ label: "After buying" });
  const message = "Two days late, but very well packed.";
  await panel.getByLabel("Your feedback").fill(message);
  await panel.getByText("Rate five aspects (optional)").click();
  await panel.getByLabel("Quick and willing help").selectOption({ label: "2 – Poor" });
  await panel.getByLabel("How the shop, products and packaging look").selectOption({ label: "5 – Excellent" });
  await page.waitForTimeout(1600);
  const sent = nextSubmission(page);
  await panel.getByRole("button", { name: "Send" }).click();
  const body = (await sent).postDataJSON();
  expect(body.kind).toBe("feedback");
  expect(body.dimensions).toEqual({ tangibles: 5, responsiveness: 2 });
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
  const [stored] = await hark.queue();
  expect(stored).toMatchObject({ kind: "feedback", category: "delivery_delay", stage: "after_sale", message, status: "new" });
});

test("a rating of 1 or 2 becomes a complaint in one tap, with what was written, and gets a receipt", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  const offer = panel.getByRole("button", { name: "Make it a complaint" });
  await panel.getByRole("radio", { name: "4 – Satisfied" }).check();
  await expect(offer).toBeHidden();
  await panel.getByRole("radio", { name: "2 – Dissatisfied" }).check();
  const message = "The blender arrived with a cracked jug.";
  await panel.getByLabel("Anything to add? (optional)").fill(message);
  await offer.click();
  await expect(panel).toHaveAccessibleName("Make a complaint");
  await expect(panel.getByLabel("What happened?")).toHaveValue(message);
  await expect(panel.getByText("Your email is used only to answer this complaint.")).toBeVisible();
  await panel.getByLabel("Topic").selectOption({ label: "Product quality" });
  await panel.getByLabel("Order number (optional)").fill("NW-2077");
  await panel.getByLabel("Email for the answer (optional)").fill("not an address");
  await page.waitForTimeout(1600);
  await panel.getByRole("button", { name: "Send" }).click();
  // A slip in the address is caught before sending, on the field, and said aloud.
  await expect(page.getByRole("status")).toHaveText("Check the email address: it should look like name@example.com.");
  await expect(panel.getByLabel("Email for the answer (optional)")).toHaveAttribute("aria-invalid", "true");
  await expect(panel.getByLabel("Email for the answer (optional)")).toBeFocused();
  await panel.getByLabel("Email for the answer (optional)").fill("ana@example.com");
  const sent = nextSubmission(page);
  await panel.getByRole("button", { name: "Send" }).click();
  const body = (await sent).postDataJSON();
  expect(body).toMatchObject({ kind: "complaint", rating: 2, order_ref: "NW-2077", email: "ana@example.com" });
  await expect(panel).toHaveAccessibleName("Complaint received");
  await expect(page.getByRole("heading", { name: "Complaint received" })).toBeFocused();
  const track = panel.getByRole("link", { name: "Follow it and read the shop's answer" });
  expect(await (await page.request.get((await track.getAttribute("href"))!)).text()).toContain("class=\"current\">new</li>");
  const [stored] = await hark.queue();
  expect(stored).toMatchObject({ kind: "complaint", rating: 2, category: "product_quality", message, email: "ana@example.com" });

  // The merchant's code opens a kind by name; after a receipt the form starts afresh.
  await page.evaluate(() => (window as any).Hark.open("feedback"));
  await expect(panel).toHaveAccessibleName("Share your feedback");
  await expect(panel.getByLabel("Your feedback")).toHaveValue("");
});

test("keyboard only: a complaint to a shop that needs an email for the answer", async ({ page }) => {
  await page.goto(`${shopUrl}/email-required`);
  const launcher = page.getByRole("button", { name: "Feedback" });
  await launcher.focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("dialog");
  await expect(panel.getByRole("radio", { name: "1 – Very dissatisfied" })).toBeFocused();
  // Back from the first choice to the kinds, and pick the complaint.
  await page.keyboard.press("Shift+Tab");
  await expect(panel.getByRole("button", { name: "Complaint", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(panel).toHaveAccessibleName("Make a complaint");
  await page.keyboard.press("Tab");
  await expect(panel.getByLabel("Topic")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(panel.getByLabel("Order number (optional)")).toBeFocused();
  await page.keyboard.type("NW-3141");
  await page.keyboard.press("Tab");
  const message = "Charged for express delivery, got standard.";
  await page.keyboard.type(message);
  await page.keyboard.press("Tab");
  const email = panel.getByLabel("Email for the answer", { exact: true });
  await expect(email).toBeFocused();
  await expect(email).toHaveAttribute("aria-required", "true");
  await page.keyboard.press("Tab");
  await expect(panel.getByRole("button", { name: "Send" })).toBeFocused();
  await page.waitForTimeout(1600);
  await page.keyboard.press("Enter");
  // Not sent without the email this shop asks for; focus is taken to it.
  await expect(page.getByRole("status")).toHaveText("Enter your email so the shop can answer you.");
  await expect(email).toBeFocused();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.keyboard.type("li@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Complaint received" })).toBeFocused();
  expect(await accessibilityViolations(page)).toEqual([]);
  const [stored] = await hark.queue();
  expect(stored).toMatchObject({ kind: "complaint", message, email: "li@example.com", status: "new" });
  await page.keyboard.press("Escape");
  await expect(launcher).toBeFocused();
});

test("offline, a rating is saved, not called sent, and delivered once when back online", async ({ page, context }) => {
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await expect(panel).toBeVisible();
  await context.setOffline(true);
  const message = "Written on a train, no signal.";
  await panel.getByRole("radio", { name: "3 – Neutral" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill(message);
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved — we'll send it when you're back online.");
  await expect(page.getByRole("heading", { name: "Saved, not sent yet" })).toBeVisible();
  expect((await hark.queue()).filter((item) => item.message === message)).toHaveLength(0);

  await context.setOffline(false);
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
  await expect(page.getByRole("heading", { name: "Thank you!" })).toBeVisible();
  expect((await hark.queue()).filter((item) => item.message === message)).toHaveLength(1);
});

test("a refusal is said plainly, kept out of the outbox, and can be fixed and sent", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await panel.getByRole("button", { name: "Complaint", exact: true }).click();
  const message = "The courier left the parcel in the rain.";
  await panel.getByLabel("What happened?").fill(message);
  // Looks like an address to the widget; the collector knows better (422).
  await panel.getByLabel("Email for the answer (optional)").fill("ana@example..com");
  await page.waitForTimeout(1600);
  const refused = page.waitForResponse(
    (response) => response.request().method() === "POST" && response.url().includes("/submissions"),
  );
  await panel.getByRole("button", { name: "Send" }).click();
  expect((await refused).status()).toBe(422);
  await expect(page.getByRole("status")).toHaveText("Some of what you entered was not accepted. Check it and send it again.");
  // Nothing kept to be resent forever; what was typed is still there to fix.
  expect(await page.evaluate((key) => localStorage.getItem(`hark-outbox:${key}`), siteKey)).toBeNull();
  await expect(panel.getByLabel("What happened?")).toHaveValue(message);
  await panel.getByLabel("Email for the answer (optional)").fill("ana@example.com");
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(panel).toHaveAccessibleName("Complaint received");
  expect((await hark.queue()).filter((item) => item.message === message)).toHaveLength(1);
});

test("told to slow down (429), the widget waits as long as Retry-After says, then delivers once", async ({ page }) => {
  await page.goto(`${shopUrl}/busy`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  const message = "Sent while the shop was flooded.";
  await panel.getByRole("radio", { name: "3 – Neutral" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill(message);
  await page.waitForTimeout(1600);
  // Flood the site from this machine (the shopper's address too) until the shopper's
  // own send has been told to wait.
  const url = `${hark.url}/api/v1/sites/${busySiteKey}/submissions`;
  const post = () => fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  let tries = 0;
  while ((await post()).status !== 429 && tries++ < 500);
  // The shop's page can read how long to wait (the header is exposed to it by CORS).
  const retryAfter = await page.evaluate(
    async (url) =>
      (await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).headers.get(
        "Retry-After",
      ),
    url,
  );
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  const statuses: number[] = [];
  page.on(
    "response",
    (response) =>
      response.request().method() === "POST" && response.url().includes("/submissions") && statuses.push(response.status()),
  );
  let flooding = true;
  const flood = (async () => {
    while (flooding && !statuses.includes(429)) await post();
  })();
  await panel.getByRole("button", { name: "Send" }).click();
  await expect.poll(() => statuses[0]).toBe(429);
  flooding = false;
  await flood;
  await expect(page.getByRole("status")).toHaveText("Saved — we'll send it when you're back online.");
  // Retry-After is one second here: the outbox tries again then, and it goes through.
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!", { timeout: 15_000 });
  expect(statuses.filter((status) => status < 300)).toHaveLength(1);
  expect((await hark.queue()).filter((item) => item.message === message)).toHaveLength(1);
});

test("what a page could not send is delivered when the shop's page is loaded again", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  // The collector cannot be reached from this page for now.
  await page.route("**/api/v1/sites/*/submissions", (route) => route.abort("internetdisconnected"));
  const message = "Sent just as the connection dropped.";
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await panel.getByRole("radio", { name: "1 – Very dissatisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill(message);
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved — we'll send it when you're back online.");
  await page.unrouteAll();

  await page.reload();
  await expect.poll(async () => (await hark.queue()).filter((item) => item.message === message).length).toBe(1);
  // Nothing left to send, and nothing sent twice.
  expect(await page.evaluate((key) => localStorage.getItem(`hark-outbox:${key}`), siteKey)).toBeNull();
  await page.reload();
  await page.waitForTimeout(500);
  expect((await hark.queue()).filter((item) => item.message === message)).toHaveLength(1);
});

test("a card number typed into the message never leaves the browser", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  const sent = nextSubmission(page);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await panel.getByRole("radio", { name: "2 – Dissatisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill("Charged twice on 4111 1111 1111 1111, order NW-1042");
  await panel.getByRole("button", { name: "Send" }).click();
  expect((await sent).postDataJSON().message).toBe("Charged twice on •••• •••• •••• 1111, order NW-1042");
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
});

test("in Simplified Chinese every word of the widget is Chinese", async ({ page }) => {
  await page.goto(`${shopUrl}/zh`);
  const launcher = page.getByRole("button", { name: "反馈" });
  await launcher.click();
  const panel = page.getByRole("dialog");
  await expect(panel).toHaveAccessibleName("您对本次体验满意吗？");
  await expect(panel).toHaveAttribute("lang", "zh-CN");
  // No Latin letter anywhere a shopper reads or hears: text, labels, names, list choices.
  const words = () =>
    panel.evaluate((el) => {
      el.querySelectorAll("details").forEach((details) => (details.open = true));
      const seen = [el.innerText];
      el.querySelectorAll("option").forEach((option) => seen.push(option.text));
      el.querySelectorAll("[aria-label], [placeholder], [title]").forEach((node) =>
        ["aria-label", "placeholder", "title"].forEach((name) => seen.push(node.getAttribute(name) ?? "")),
      );
      return seen.join(" ");
    });
  expect(await words()).not.toMatch(/[A-Za-z]/);
  await panel.getByRole("radio", { name: "2 – 不满意" }).check();
  await expect(panel.getByRole("button", { name: "转为投诉" })).toBeVisible();
  expect(await words()).not.toMatch(/[A-Za-z]/);
  for (const [kind, title] of [
    ["意见建议", "分享您的意见"],
    ["投诉", "提交投诉"],
  ]) {
    await panel.getByRole("button", { name: kind, exact: true }).click();
    await expect(panel).toHaveAccessibleName(title);
    expect(await words()).not.toMatch(/[A-Za-z]/);
  }
  await panel.getByRole("button", { name: "投诉", exact: true }).click();
  await panel.getByLabel("发生了什么？").fill("包裹破损");
  await panel.getByRole("button", { name: "发送" }).click();
  await expect(page.getByRole("status")).toHaveText("已发送，谢谢！");
  await expect(panel).toHaveAccessibleName("投诉已收到");
  expect(await words()).not.toMatch(/[A-Za-z]/);
});

test("a send faster than a human could is stored, as spam", async ({ page }) => {
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).click();
  const panel = page.getByRole("dialog");
  await panel.getByRole("radio", { name: "5 – Very satisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill("Buy cheap watches");
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
  const [stored] = await hark.queue();
  expect(stored.message).toBe("Buy cheap watches");
  expect(stored.status).toBe("spam");

  // A robot patient enough still fills in the field no person sees.
  await page.reload();
  await page.getByRole("button", { name: "Feedback" }).click();
  await panel.getByRole("radio", { name: "5 – Very satisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill("Cheap watches, slowly");
  await panel.evaluate((el) => ((el.querySelector("[name=website]") as HTMLInputElement).value = "http://spam.example"));
  await page.waitForTimeout(1600);
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
  const [patient] = await hark.queue();
  expect(patient).toMatchObject({ message: "Cheap watches, slowly", status: "spam" });
});

test("keyboard only: the panel opens, keeps focus inside, and an automated check finds no accessibility violation", async ({
  page,
}) => {
  await page.goto(`${shopUrl}/plain`);
  const launcher = page.getByRole("button", { name: "Feedback" });
  await launcher.focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("dialog", { name: "How satisfied are you?" });
  await expect(panel.getByRole("radio", { name: "1 – Very dissatisfied" })).toBeFocused();

  // axe-core over the widget (its shadow root included), open and closed.
  const violations = () => accessibilityViolations(page);
  expect(await violations()).toEqual([]);

  // Choose with the arrow keys, write, and Tab round: focus never leaves the panel.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(panel.getByRole("radio", { name: "3 – Neutral" })).toBeChecked();
  await page.keyboard.press("Tab");
  await expect(panel.getByLabel("Anything to add? (optional)")).toBeFocused();
  await page.keyboard.type("Typed without a mouse.");
  await page.keyboard.press("Tab");
  await expect(panel.getByRole("button", { name: "Send" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(panel.getByRole("button", { name: "Close" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(panel.getByRole("button", { name: "Send" })).toBeFocused();
  await page.waitForTimeout(1600);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Sent. Thank you!");
  await expect(page.getByRole("heading", { name: "Thank you!" })).toBeFocused();
  // The receipt's link is the last stop; Tab from it wraps to the close button.
  const receipt = page.getByRole("dialog", { name: "Thank you!" });
  await page.keyboard.press("Tab");
  await expect(receipt.getByRole("link", { name: "Follow it and read the shop's answer" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(receipt.getByRole("button", { name: "Close" })).toBeFocused();
  expect(await violations()).toEqual([]);
  await page.keyboard.press("Escape");
  await expect(launcher).toBeFocused();
  expect(await violations()).toEqual([]);
  // Closing what is closed takes focus from nowhere.
  await page.locator("#own").focus();
  await page.evaluate(() => (window as any).Hark.close());
  await expect(page.locator("#own")).toBeFocused();
});

test("at 320 px, in the dark and without motion the panel fits, follows the scheme and stays still", async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 320, height: 568 },
    hasTouch: true,
    colorScheme: "dark",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  await page.goto(`${shopUrl}/plain`);
  await page.getByRole("button", { name: "Feedback" }).tap();
  const panel = page.getByRole("dialog");
  await expect(panel).toBeVisible();
  const box = (await panel.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(320);
  const style = await panel.evaluate((el) => {
    const css = getComputedStyle(el);
    return { background: css.backgroundColor, animation: css.animationName };
  });
  expect(style.background).toBe("rgb(31, 29, 36)");
  expect(style.animation).toBe("none");
  await panel.getByRole("radio", { name: "4 – Satisfied" }).tap();
  await expect(panel.getByRole("radio", { name: "4 – Satisfied" })).toBeChecked();
  // Every kind, in the dark: contrast and all the rest checked by axe-core.
  expect(await accessibilityViolations(page)).toEqual([]);
  for (const kind of ["Feedback", "Complaint"]) {
    await panel.getByRole("button", { name: kind, exact: true }).tap();
    await expect(panel.getByRole("button", { name: kind, exact: true })).toHaveAttribute("aria-pressed", "true");
    await panel.evaluate((el) => el.querySelectorAll("details").forEach((details) => (details.open = true)));
    const wide = await panel.evaluate((el) => el.scrollWidth);
    expect(wide).toBeLessThanOrEqual(320);
    expect(await accessibilityViolations(page)).toEqual([]);
  }
  await context.close();
});

test("calls queued before widget.js ran are carried out", async ({ page }) => {
  await page.goto(`${shopUrl}/queued`);
  await expect(page.getByRole("dialog", { name: "How satisfied are you?" })).toBeVisible();
});
