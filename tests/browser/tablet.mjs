// What the browser flows share: a tablet-sized page in Debian's Chromium
// (driven by playwright-core), the helpers they click with, and axe-core's
// audit of a screen.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** How long a step may wait for what it expects. */
export const WAIT = 20000;

/**
 * A mid-range tablet held upright. `hostMap` ("MAP name 127.0.0.1") lets a
 * test open a server on loopback under another name, so the page is not a
 * secure context, like a laptop's address on the Wi-Fi.
 */
export async function tablet({ hostMap } = {}) {
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
  if (hostMap) args.push(`--host-resolver-rules=${hostMap}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args,
  });
  const context = await browser.newContext({
    viewport: { width: 820, height: 1180 },
    deviceScaleFactor: 1,
    isMobile: false,
    hasTouch: true,
  });
  const page = await context.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  return { browser, context, page, logs };
}

/** The helpers a flow clicks and waits with, on `page`. */
export function helpers(page) {
  const shows = (text) => page.getByText(text, { exact: false }).first().waitFor({ timeout: WAIT });
  const button = (name) => page.getByRole("button", { name, exact: true }).first();
  const click = (name) => button(name).click({ timeout: WAIT });
  const indicator = () => page.locator(".sync summary").first();
  const waitIndicator = (text) =>
    page.waitForFunction(
      (t) => document.querySelector(".sync summary")?.innerText.includes(t),
      text,
      { timeout: WAIT },
    );
  return { shows, button, click, indicator, waitIndicator };
}

/**
 * An axe-core auditor: `audit(name)` runs axe on the page as it is and
 * keeps the count; `audits` has every count, `found` every finding (the
 * flow fails at its end with all of them). Failing screens are saved to
 * `shotDir` as failure-axe-NAME.png.
 */
export function auditor(page, shotDir) {
  const audits = {};
  const found = [];
  const audit = async (name) => {
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      }));
    });
    audits[name] = result.length;
    if (result.length > 0) {
      found.push(`${name}: ${JSON.stringify(result, null, 1)}`);
      await page.screenshot({ path: path.join(shotDir, `failure-axe-${name}.png`) });
    }
  };
  return { audit, audits, found };
}

/** Print why the flow failed (with the page's last words and text), save
 * `failure-NAME.png`, and exit non-zero. */
export async function fail(msg, { page, logs, shotDir, name }) {
  if (logs) console.error(logs.slice(-20).join("\n"));
  console.error(`browser flow: ${msg}`);
  if (page) {
    try {
      console.error((await page.locator("body").innerText()).slice(0, 3000));
      await page.screenshot({ path: path.join(shotDir, `failure-${name}.png`) });
    } catch (_) {}
  }
  process.exit(2);
}
