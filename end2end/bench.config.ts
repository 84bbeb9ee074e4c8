import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The widget's budgets' benchmark (`npx playwright test --config bench.config.ts`): it
// prints figures and checks nothing against a clock (budgets are read, not asserted).
export default defineConfig({ ...base, testDir: "./bench", testMatch: "**/*.bench.ts", timeout: 120_000 });
