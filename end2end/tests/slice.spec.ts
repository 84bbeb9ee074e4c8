// The first shopper-to-admin slice, as a shopper and then an admin would do it.
import { test, expect } from "@playwright/test";
import { startHark, watchErrors, Hark } from "./hark";
import { join } from "node:path";

let hark: Hark;
test.beforeAll(async () => {
  hark = await startHark();
});
test.afterAll(async () => {
  await hark?.stop();
});

const screenshots = join(__dirname, "../../docs/screenshots");

test("a shopper rates the demo shop and an admin finds it at the top of the queue", async ({ browser }) => {
  // Each run starts on a fresh database, so this text appears once.
  const comment = "Parcel came a day early, well packed. Thank you!";

  const shopper = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  const shopperErrors = watchErrors(shopper);
  await shopper.goto(`${hark.url}/demo`);
  const launcher = shopper.getByRole("button", { name: "Feedback" });
  await launcher.click();
  const panel = shopper.getByRole("dialog", { name: "How satisfied are you?" });
  await expect(panel).toBeVisible();
  await panel.getByRole("radio", { name: "4 – Satisfied" }).check();
  await panel.getByLabel("Anything to add? (optional)").fill(comment);
  await shopper.screenshot({ path: join(screenshots, "widget.png") });
  // At a person's pace: a form sent within 1.5 s of appearing is kept as spam, which
  // the queue leaves out.
  await shopper.waitForTimeout(1600);
  await panel.getByRole("button", { name: "Send" }).click();
  await expect(shopper.getByRole("status")).toHaveText("Sent. Thank you!");
  await expect(shopper.getByRole("heading", { name: "Thank you!" })).toBeVisible();
  await expect(shopper.getByRole("heading", { name: "Thank you!" })).toBeFocused();
  await shopper.keyboard.press("Escape");
  await expect(shopper.getByRole("dialog")).toBeHidden();
  await expect(launcher).toBeFocused();
  expect(shopperErrors).toEqual([]);

  const admin = await browser.newPage({ viewport: { width: 1200, height: 640 } });
  const adminErrors = watchErrors(admin);
  await admin.goto(`${hark.url}/admin`);
  await expect(admin).toHaveURL(/\/admin\/login$/);
  await admin.getByLabel("Email").fill(hark.email);
  await admin.getByLabel("Password").fill(hark.password);
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  const firstRow = admin.locator("table.queue tbody tr").first();
  await expect(firstRow).toContainText(comment);
  await expect(firstRow).toContainText("4 / 5");
  await expect(firstRow).toContainText("Demo shop");
  await admin.screenshot({ path: join(screenshots, "admin.png") });
  expect(adminErrors).toEqual([]);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto(`${hark.url}/admin/login`);
  await page.getByLabel("Email").fill(hark.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test("without JavaScript a wrong password comes back to the sign-in page with the same message", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${hark.url}/admin/login`);
  await page.getByLabel("Email").fill(hark.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page.getByRole("heading", { name: "Sign in to Hark" })).toBeVisible();
  await expect(page.locator("body")).not.toContainText("ServerError");
  await page.getByLabel("Email").fill(hark.email);
  await page.getByLabel("Password").fill(hark.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await context.close();
});
