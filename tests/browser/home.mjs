// A resident at home, in headless Chromium, opening the invitation's web
// address on a relay without HTTPS (yoriai-relay serving the app). The
// relay listens on 127.0.0.1 but the page is opened as http://relay.test
// (mapped to loopback), so, like a laptop's address on the Wi-Fi, it is
// not a secure context: the browser gives it no service worker.
//
//   node home.mjs WEB_ADDRESS SCREENSHOT_DIR
//
// Joins; the space and its project arrive through the relay; posts an
// idea; goes offline, where the page asks to be kept open, and posts
// another; comes back and waits until "Up to date". Prints
// "RESULT {json}" at the end; any failure exits non-zero with the reason
// (and failure-home.png).
import path from "node:path";
import { tablet, helpers, auditor, fail as failWith, WAIT } from "./tablet.mjs";

const [address, shotDir] = process.argv.slice(2);
const HOST = "relay.test";
const real = new URL(address);
const url = new URL(address);
url.hostname = HOST;

const { browser, context, page, logs } = await tablet({ hostMap: `MAP ${HOST} ${real.hostname}` });
const { shows, click, indicator, waitIndicator } = helpers(page);
const { audit, audits, found } = auditor(page, shotDir);
const fail = (msg) => failWith(msg, { page, logs, shotDir, name: "home" });
const expect = (ok, msg) => {
  if (!ok) throw new Error(msg);
};
const panelText = async () => {
  await indicator().click();
  const text = await page.locator(".sync-panel").innerText();
  await indicator().click();
  return text;
};

let secure;
try {
  await page.goto(url.href);
  await page.locator("#display-name").waitFor({ timeout: WAIT });
  secure = await page.evaluate(() => [window.isSecureContext, "serviceWorker" in navigator]);
  expect(!secure[0] && !secure[1], `http://${HOST} should be an insecure context: ${secure}`);
  await click("English");
  await shows("You have been invited to join");
  await page.locator("#display-name").fill("Ren 蓮");
  await click("Continue");
  await shows("Minato ward");
  await page.getByRole("button", { name: /Riverside park/ }).first().click({ timeout: WAIT });
  await click("Ideas");
  await page.locator("#idea-title").fill("Evening lights on the path");
  await click("Post idea");
  await shows("Evening lights on the path");
  await waitIndicator("Up to date");
  // The panel names the relay the page came from, and says the app is
  // not kept for use with no network.
  const panel = await panelText();
  expect(panel.includes(`ws://${url.host}/sync`), `the panel does not name the relay: ${panel}`);
  expect(panel.includes("without HTTPS"), `the panel does not say the app is not kept: ${panel}`);
  expect(
    (await page.locator(".keep-open").count()) === 0,
    "online, nothing should ask to keep the page open",
  );

  // Offline: the page asks to be kept open, and keeps working.
  await context.setOffline(true);
  await waitIndicator("Offline");
  await shows("Keep this page open");
  await page.locator("#idea-title").fill("Written on the train");
  await click("Post idea");
  await shows("Written on the train");
  await audit("keep-open-en");
  await page.screenshot({ path: path.join(shotDir, "tablet-keep-open-en.png") });
  await click("日本語");
  await shows("開いたままにしてください");
  await audit("keep-open-ja");
  await page.screenshot({ path: path.join(shotDir, "tablet-keep-open-ja.png") });
  await click("English");

  await context.setOffline(false);
  await waitIndicator("Up to date");
  expect((await page.locator(".keep-open").count()) === 0, "back online, the notice stays");
} catch (e) {
  await fail(e.message);
}
if (found.length > 0) await fail(`axe found violations:\n${found.join("\n")}`);
console.log(`RESULT ${JSON.stringify({ secureContext: secure[0], serviceWorker: secure[1], audits })}`);
await browser.close();
process.exit(0);
