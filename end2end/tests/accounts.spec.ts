// One's own account in the browser: API tokens made, used and revoked; a password
// changed (the other session ends); failed sign-ins throttled with a clear message.
import { test, expect, Browser, Page } from "@playwright/test";
import { startHark, watchErrors, Hark } from "./hark";

let hark: Hark;
test.beforeAll(async () => {
  hark = await startHark();
});
test.afterAll(async () => {
  await hark?.stop();
});

async function signIn(browser: Browser, password: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  await page.goto(`${hark.url}/admin/login`);
  await page.locator("#email").fill(hark.email);
  await page.locator("#password").fill(password);
  await page.locator("form button[type=submit]").click();
  await expect(page).toHaveURL(/\/admin$/);
  return page;
}

const me = (token: string) => fetch(`${hark.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });

test("a token is made and shown once, works, shows its last use and stops working when revoked", async ({ browser }) => {
  const admin = await signIn(browser, hark.password);
  const errors = watchErrors(admin);
  await admin.getByRole("link", { name: "Settings", exact: true }).click();
  await admin.getByLabel("What it is for").fill("Nightly CRM export");
  await admin.getByRole("button", { name: "Make a token" }).click();
  const shown = admin.locator("code.secret");
  await expect(shown).toHaveText(/^hark_[0-9a-f]{64}$/);
  const token = (await shown.textContent())!;
  expect((await me(token)).status).toBe(200);
  await admin.reload();
  await expect(admin.locator("code.secret")).toHaveCount(0);
  const row = admin.locator(".tokens li", { hasText: "Nightly CRM export" });
  await expect(row).toContainText("last used");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(admin.locator(".tokens li", { hasText: "Nightly CRM export" })).toHaveCount(0);
  expect((await me(token)).status).toBe(401);
  expect(errors).toEqual([]);
});

test("a password change checks both passwords and signs out every other session", async ({ browser }) => {
  const elsewhere = await signIn(browser, hark.password);
  const admin = await signIn(browser, hark.password);
  await admin.getByRole("link", { name: "Settings", exact: true }).click();
  const change = async (current: string, next: string) => {
    await admin.getByLabel("Current password").fill(current);
    await admin.getByLabel("New password").fill(next);
    await admin.getByRole("button", { name: "Change password" }).click();
  };
  await change("not my password at all", "a brand new passphrase");
  await expect(admin.getByRole("alert").filter({ hasText: "That is not your current password." })).toBeVisible();
  await change(hark.password, "password1234");
  await expect(admin.getByRole("alert").filter({ hasText: "not one of the common passwords" })).toBeVisible();
  await change(hark.password, "a brand new passphrase");
  await expect(admin.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();
  // This session stays; the other one is signed out.
  await admin.reload();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await elsewhere.reload();
  await expect(elsewhere).toHaveURL(/\/admin\/login$/);
  // Sign out everywhere ends this one too; the new password signs in.
  await admin.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(admin).toHaveURL(/\/admin\/login$/);
  await signIn(browser, "a brand new passphrase");
  hark.password = "a brand new passphrase";
});

test("after five failed sign-ins the account waits, and the page says so", async ({ browser }) => {
  const page = await browser.newPage({ locale: "en-GB" });
  await page.goto(`${hark.url}/admin/login`);
  for (let i = 0; i < 5; i++) {
    await page.locator("#email").fill(hark.email);
    await page.locator("#password").fill(`wrong password ${i}`);
    await page.locator("form button[type=submit]").click();
    await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  }
  await page.locator("#email").fill(hark.email);
  await page.locator("#password").fill(hark.password);
  await page.locator("form button[type=submit]").click();
  await expect(page.getByRole("alert")).toContainText("Too many failed sign-ins");
  await expect(page).toHaveURL(/\/admin\/login/);
});
