// Starts a real `hark` on a free port with a fresh SQLite file, as a person would run it.
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { expect } from "@playwright/test";
import type { Browser, Locator, Page } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Hark {
  url: string;
  email: string;
  password: string;
  /** Adds a site allowing `origin`, as a merchant would with the CLI. */
  addSite(name: string, origin: string, options?: { requireEmail?: boolean }): { key: string; secret: string };
  /** Every stored submission, newest first, spam included: the admin API with a CLI token. */
  queue(): Promise<any[]>;
  /** GET of an admin API path with a CLI token, as JSON. */
  api(path: string): Promise<any>;
  /** `hark seed`: `submissions` across `sites` new sites over the last `days` days. */
  seed(submissions: number, sites: number, days: number): void;
  stop(): Promise<void>;
}

const binary = process.env.HARK_BIN || join(process.env.CARGO_TARGET_DIR || join(__dirname, "../../target"), "debug/hark");

export async function startHark(): Promise<Hark> {
  const dir = mkdtempSync(join(tmpdir(), "hark-e2e-"));
  const databaseUrl = `sqlite://${dir}/hark.db`;
  // This checkout's assets, whatever folder the tests run from.
  const siteDir = process.env.HARK_SITE_DIR || join(__dirname, "../../target/site");
  const env = { ...process.env, HARK_ADDR: "127.0.0.1:0", DATABASE_URL: databaseUrl, HARK_SITE_DIR: siteDir };
  delete env.HARK_PUBLIC_URL;
  const child: ChildProcess = spawn(binary, ["serve"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stderr!.on("data", (chunk) => (errors += chunk));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hark did not start:\n${output}\n${errors}`)), 20_000);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Demo shop:")) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.on("exit", (code) => reject(new Error(`hark exited with ${code}:\n${output}\n${errors}`)));
  });
  const field = (name: string) => {
    const match = banner.match(new RegExp(`${name}:\\s+(\\S+)`));
    if (!match) throw new Error(`no ${name} in:\n${banner}`);
    return match[1];
  };
  const admin = field("Admin");
  let token: string | undefined;
  const cli = (args: string[]) => execFileSync(binary, args, { env: { ...process.env, DATABASE_URL: databaseUrl } }).toString();
  const api = async (path: string) => {
    token ??= JSON.parse(cli(["token", "create", "--email", field("Login"), "--json"])).token;
    const response = await fetch(`${admin.replace(/\/admin$/, "")}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return response.json();
  };
  return {
    url: admin.replace(/\/admin$/, ""),
    email: field("Login"),
    password: field("Password"),
    addSite: (name, origin, options) => {
      const flags = options?.requireEmail ? ["--require-email"] : [];
      const site = JSON.parse(cli(["site", "add", "--name", name, "--origin", origin, ...flags, "--json"]));
      return { key: site.site_key, secret: site.secret };
    },
    queue: async () => (await api("/api/v1/admin/submissions?status=new,open,pending,resolved,spam")).items,
    api,
    seed: (submissions, sites, days) => {
      cli(["seed", "--submissions", String(submissions), "--sites", String(sites), "--days", String(days)]);
    },
    stop: () =>
      new Promise((resolve) => {
        // The database folder goes with the server: nothing is left in /tmp.
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** Signs the owner in through the sign-in page, in a browser of its own (its language,
 * colour scheme, a 1280 px wide window), with `password` (default: the printed one). */
export async function signIn(
  browser: Browser,
  hark: Hark,
  options: { locale?: string; colorScheme?: "light" | "dark"; password?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? "en-GB",
    colorScheme: options.colorScheme,
  });
  const page = await context.newPage();
  await page.goto(`${hark.url}/admin/login`);
  await page.locator("#email").fill(hark.email);
  await page.locator("#password").fill(options.password ?? hark.password);
  await page.locator("form button[type=submit]").click();
  await expect(page).toHaveURL(/\/admin$/);
  return page;
}

/** Clicks `button` and waits for the server's answer to what it sends (the server
 * function `endpoint` under /admin/fn/), then for the page's reload when `reload` names
 * the one that follows: a page still showing the last answer cannot be taken for this
 * one's, and a reload cannot overwrite what is typed next. */
export async function submitAndWait(page: Page, button: Locator, endpoint: string, reload?: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().includes(`/admin/fn/${endpoint}`));
  const reloaded = reload && page.waitForResponse((r) => r.url().includes(`/admin/fn/${reload}`));
  await button.click();
  await answered;
  await reloaded;
}

/** Collects console errors, uncaught exceptions (a CSP violation included) and HTTP
 * errors, for a test to expect none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`));
  return errors;
}

/** axe-core's violations over what `include` selects on `page` (shadow roots
 * included); "axe checked nothing" when nothing was there to check. */
export async function axeViolations(page: Page, include = "body"): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  }
  return page.evaluate(async (include) => {
    const result = await (window as any).axe.run({ include: [[include]] });
    if (result.passes.length === 0) return ["axe checked nothing"];
    return result.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
  }, include);
}
