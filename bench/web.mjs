// The web app on a tablet profile (bench/web.sh starts the laptop side).
//   node bench/web.mjs JOIN_URL RUNS
// 1. First load over the LAN: a fresh browser profile opening the join
//    address, to the name field ready; CPU slowed 4x (a mid-range tablet)
//    and the network shaped like busy Wi-Fi (20 Mbit/s down, 10 Mbit/s up,
//    20 ms). Reports the bytes transferred.
// 2. A project of 10,000 comments in the browser: after joining (the
//    documents arrive once), from the click on the project's card to its
//    first ideas drawn, and from a click on an idea to its comments; then
//    the first open of the project after a reload of the page.
// Prints one JSON line.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { chromium } = require("../tests/browser/node_modules/playwright-core");

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const WAIT = 180000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
const tablet = async (browser) => {
  const context = await browser.newContext({ viewport: { width: 820, height: 1180 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 20,
    downloadThroughput: (20e6 / 8), uploadThroughput: (10e6 / 8),
  });
  return { context, page };
};

const loads = [];
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const browser = await launch();
  const { page } = await tablet(browser);
  const t0 = Date.now();
  await page.goto(url);
  await page.locator("#display-name").waitFor({ timeout: WAIT });
  loads.push(Date.now() - t0);
  bytes = await page.evaluate(() => performance.getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"))
    .reduce((s, e) => s + (e.transferSize || 0), 0));
  await browser.close();
}

// The big project, on one tablet.
const browser = await launch();
const { page } = await tablet(browser);
await page.goto(url);
await page.locator("#display-name").fill("Bench");
await page.getByRole("button", { name: "Continue", exact: true }).or(page.getByRole("button", { name: "続ける", exact: true })).first().click();
const t0 = Date.now();
// The project's document arrives after the space (its card is enabled then).
const enabled = ".project-card button.card-link:not([disabled])";
await page.locator(enabled).first().waitFor({ timeout: WAIT });
const arrivedMs = Date.now() - t0;
const opens = [];
const ideas = [];
for (let i = 0; i < runs; i++) {
  const target = page.locator(enabled).first();
  const s0 = Date.now();
  await target.click();
  await page.locator(".idea-card").first().waitFor({ timeout: WAIT });
  opens.push(Date.now() - s0);
  const s1 = Date.now();
  await page.locator(".idea-card .card-link").first().click();
  await page.locator(".stance-bar, .comment").first().waitFor({ timeout: WAIT });
  ideas.push(Date.now() - s1);
  await page.locator("button.back").first().click();
  await page.locator(".idea-card").first().waitFor({ timeout: WAIT });
  await page.locator("button.back").first().click();
  await page.locator(enabled).first().waitFor({ timeout: WAIT });
}
// After a reload (the page starts over from IndexedDB): the first open of
// the big project.
await page.reload();
await page.locator(enabled).first().waitFor({ timeout: WAIT });
const r0 = Date.now();
await page.locator(enabled).first().click();
await page.locator(".idea-card").first().waitFor({ timeout: WAIT });
const afterReloadMs = Date.now() - r0;
await browser.close();
console.log(JSON.stringify({
  openAfterReloadMs: afterReloadMs,
  firstLoadMs: { median: median(loads), all: loads },
  transferredBytes: bytes,
  bigProjectArrivedMs: arrivedMs,
  openProjectMs: { median: median(opens), all: opens },
  openIdeaMs: { median: median(ideas), all: ideas },
}));
process.exit(0);
