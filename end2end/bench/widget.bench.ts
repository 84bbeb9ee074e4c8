// Click to interactive panel on a local server, in Chromium: from the shopper's press on
// the launcher to keyboard focus inside the open panel, with an empty cache each time
// (a new browser context), on the demo shop. Budget (issue 4): 300 ms. Prints figures.
import { test } from "@playwright/test";
import { startHark } from "../tests/hark";

const RUNS = 7;

test("widget: click to interactive panel", async ({ browser }) => {
  const hark = await startHark();
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${hark.url}/demo`);
      await page.waitForLoadState("load");
      const launcher = page.getByRole("button", { name: "Feedback" });
      await launcher.waitFor();
      cold.push(await clickToInteractive(page));
      // The same page again: the module is loaded; opening is rendering only.
      await page.keyboard.press("Escape");
      warm.push(await clickToInteractive(page));
      await context.close();
    }
  } finally {
    await hark.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
  console.log(`widget click to interactive, empty cache: median ${median(cold).toFixed(0)} ms (runs: ${show(cold)}; budget 300 ms)`);
  console.log(`widget click to interactive, loaded:      median ${median(warm).toFixed(0)} ms (runs: ${show(warm)})`);
});

/** Presses the launcher and returns the milliseconds until focus is inside the panel. */
async function clickToInteractive(page: import("@playwright/test").Page): Promise<number> {
  await page.evaluate(() => {
    const w = window as any;
    w.__harkT0 = undefined;
    w.__harkT1 = undefined;
    const root = document.querySelector("[data-hark]")!.shadowRoot!;
    root.addEventListener("pointerdown", () => (w.__harkT0 = performance.now()), { once: true, capture: true });
    root.addEventListener(
      "focusin",
      (event) => {
        if ((event.target as Element).closest(".panel")) w.__harkT1 = performance.now();
      },
      { capture: true },
    );
  });
  await page.getByRole("button", { name: "Feedback" }).click();
  await page.waitForFunction(() => (window as any).__harkT1 !== undefined);
  return page.evaluate(() => (window as any).__harkT1 - (window as any).__harkT0);
}
