// One's own account and one's colleagues in the browser: an owner invites an agent, who
// joins and signs in, cannot see the people page, and is signed out when removed; API
// tokens made, used and revoked; a password changed (the other session ends); failed
// sign-ins throttled with a clear message.
import { test, expect } from "@playwright/test";
import { startHark, watchErrors, axeViolations, signIn, submitAndWait, Hark } from "./hark";

let hark: Hark;
test.beforeAll(async () => {
  hark = await startHark();
});
test.afterAll(async () => {
  await hark?.stop();
});

test("an owner invites an agent, who joins; the agent cannot manage people and is signed out when removed", async ({ browser }) => {
  const owner = await signIn(browser, hark);
  const errors = watchErrors(owner);
  await owner.getByRole("link", { name: "People", exact: true }).click();
  await expect(owner.getByRole("heading", { level: 1 })).toHaveText("People");
  await owner.getByLabel("Email").fill("ana@northwind.example");
  await owner.getByLabel("Role", { exact: true }).selectOption("agent");
  await owner.getByRole("button", { name: "Invite", exact: true }).click();
  const link = owner.locator(".notice code.secret");
  await expect(link).toHaveText(/\/admin\/invite\/[0-9a-f]{64}$/);
  const url = (await link.textContent())!;
  await owner.reload();
  await expect(owner.locator(".people li", { hasText: "ana@northwind.example" })).toContainText("agent");

  const context = await browser.newContext({ locale: "en-GB" });
  const agent = await context.newPage();
  await agent.goto(url);
  await expect(agent.getByRole("heading", { level: 1 })).toHaveText("Join your team on Hark");
  await agent.getByLabel("Choose a password").fill("short");
  await agent.getByLabel("Choose a password").evaluate((input: HTMLInputElement) => input.removeAttribute("minlength"));
  await agent.getByRole("button", { name: "Join" }).click();
  await expect(agent.getByRole("alert")).toContainText("At least 12 characters");
  await agent.getByLabel("Choose a password").fill("a long and fine passphrase");
  await agent.getByRole("button", { name: "Join" }).click();
  await expect(agent).toHaveURL(/\/admin$/);
  await expect(agent.locator(".topbar")).toContainText("ana@northwind.example");
  await expect(agent.getByRole("link", { name: "People", exact: true })).toHaveCount(0);
  await agent.goto(`${hark.url}/admin/people`);
  await expect(agent.getByRole("alert")).toHaveText("Only owners can see and change who works here.");
  // The link worked once.
  const again = await context.newPage();
  await again.goto(url);
  await expect(again.getByRole("alert")).toContainText("has been used, withdrawn or has expired");

  // Removed: the agent's open session is refused on its next request.
  await owner.reload();
  await owner.getByRole("button", { name: "Remove ana@northwind.example" }).click();
  await expect(owner.locator(".people li", { hasText: "ana@northwind.example" })).toHaveCount(0);
  await agent.goto(`${hark.url}/admin`);
  await expect(agent).toHaveURL(/\/admin\/login$/);
  expect(errors).toEqual([]);
  await context.close();
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe-core finds nothing wrong with the people and invitation pages (${colorScheme})`, async ({ browser }) => {
    const page = await signIn(browser, hark, { colorScheme });
    const context = page.context();
    await page.goto(`${hark.url}/admin/people`);
    await page.getByLabel("Email").fill(`a11y-${colorScheme}@northwind.example`);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const url = (await page.locator(".notice code.secret").textContent())!;
    const found: Record<string, string[]> = { people: await axeViolations(page) };
    await page.goto(url);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    found.invitation = await axeViolations(page);
    expect(found).toEqual({ people: [], invitation: [] });
    await context.close();
  });
}

const me = (token: string) => fetch(`${hark.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });

test("a token is made and shown once, works, shows its last use and stops working when revoked", async ({ browser }) => {
  const admin = await signIn(browser, hark);
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
  const elsewhere = await signIn(browser, hark);
  const admin = await signIn(browser, hark);
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
  await signIn(browser, hark, { password: "a brand new passphrase" });
  hark.password = "a brand new passphrase";
});

test("after five failed sign-ins the account waits, and the page says so", async ({ browser }) => {
  const page = await browser.newPage({ locale: "en-GB" });
  await page.goto(`${hark.url}/admin/login`);
  for (let i = 0; i < 5; i++) {
    await page.locator("#email").fill(hark.email);
    await page.locator("#password").fill(`wrong password ${i}`);
    await submitAndWait(page, page.locator("form button[type=submit]"), "login");
    await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  }
  await page.locator("#email").fill(hark.email);
  await page.locator("#password").fill(hark.password);
  await page.locator("form button[type=submit]").click();
  await expect(page.getByRole("alert")).toContainText("Too many failed sign-ins");
  await expect(page).toHaveURL(/\/admin\/login/);
});
