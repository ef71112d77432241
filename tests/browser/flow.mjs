// A resident's tablet, in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), against a laptop serving Yoriai on 127.0.0.1.
//
//   node flow.mjs JOIN_URL SCREENSHOT_DIR
//
// Joins by the invitation address, posts an idea and supports another,
// prints "STEP online-idle" and waits for a line on stdin (the Rust test
// posts an idea on the laptop, which must appear live), goes offline, comments, votes and answers a survey, reloads offline
// (the service worker serves the app, IndexedDB the documents), then
// prints "STEP offline-done" and waits for a line on stdin (the Rust test
// checks the laptop has none of the offline work yet), comes back online
// and waits until the indicator says "Up to date". 127.0.0.1 is a secure
// context, as HTTPS is: home.mjs covers plain HTTP on the Wi-Fi.
// Along the way axe-core audits every main screen in both languages and
// tablet-sized screenshots are written. The last line is
// "RESULT {json}"; any failure exits non-zero with the reason.
import path from "node:path";
import readline from "node:readline";
import { tablet, helpers, auditor, fail as failWith, WAIT } from "./tablet.mjs";

const [joinUrl, shotDir] = process.argv.slice(2);
const input = readline.createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

const { browser, context, page, logs } = await tablet();
const fail = (msg, withPage) =>
  failWith(msg, { page: withPage, logs: withPage ? logs : null, shotDir, name: "tablet" });
const step = async (what, fn) => {
  try {
    return await fn();
  } catch (e) {
    await fail(`${what}: ${e.message}`, page);
  }
};
const { shows, button, click, indicator, waitIndicator } = helpers(page);
const ideaLink = (title) => page.locator(".idea-card", { hasText: title }).locator(".card-link");
const MY_IDEA = "A bench by the river";
const { audit, audits, found } = auditor(page, shotDir);
const shot = async (name) => {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shotDir, `tablet-${name}.png`) });
};
const language = async (native) => {
  await click(native);
  await page.waitForTimeout(200);
};

// First load, timed, with the bytes it took.
const started = Date.now();
await step("first load", async () => {
  await page.goto(joinUrl);
  await page.locator("#display-name").waitFor({ timeout: WAIT });
});
const firstLoadMs = Date.now() - started;
const transferred = await page.evaluate(() =>
  performance
    .getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"))
    .reduce((sum, e) => sum + (e.transferSize || 0), 0),
);

await step("welcome", async () => {
  await language("日本語");
  await shows("招待されています");
  await audit("welcome-ja");
  await shot("welcome-ja");
  await language("English");
  await shows("You have been invited to join");
  await audit("welcome-en");
  await shot("welcome-en");
});

await step("join", async () => {
  await page.locator("#display-name").fill("Hana 花");
  await click("Continue");
  // The space arrives from the laptop, then its project.
  await shows("Riverside park");
  await waitIndicator("Up to date");
  await audit("space-en");
  await shot("space-en");
});

await step("post an idea", async () => {
  await page.getByRole("button", { name: /Riverside park/ }).first().click({ timeout: WAIT });
  await click("Ideas");
  await page.locator("#idea-title").fill("A bench by the river");
  await page.locator("#idea-body").fill("Somewhere to rest in the shade.");
  await click("Post idea");
  await shows(MY_IDEA);
  // Support the laptop's idea (the button says what it does to which idea).
  await button("Support: Keep the old cherry trees").click({ timeout: WAIT });
  await button("Supporting ✓: Keep the old cherry trees").waitFor({ timeout: WAIT });
  await waitIndicator("Up to date");
});

// Live: the laptop posts an idea while the tablet looks at the list; it
// appears with no click (the open connection carries it).
console.log("STEP online-idle");
if ((await lines.next()).done) await fail("the test went away");
await step("live from the laptop", async () => {
  await shows("A water fountain for dogs");
  await audit("project-en");
  await shot("project-en");
});

await step("go offline", async () => {
  await context.setOffline(true);
  await waitIndicator("Offline");
});

await step("comment offline", async () => {
  await ideaLink(MY_IDEA).click({ timeout: WAIT });
  await shows("Proposal");
  await page.locator("label[for='stance-for-top']").click({ timeout: WAIT });
  await page.locator("#comment-top").fill("Written offline: yes, with a roof.");
  await click("Post comment");
  await shows("Written offline: yes, with a roof.");
  await audit("idea-en");
  await shot("idea-offline-en");
});

await step("vote offline", async () => {
  await page.locator("button.back").first().click({ timeout: WAIT });
  await click("Votes");
  await page.locator(".vote label.radio").first().click({ timeout: WAIT });
  await click("Cast my vote");
  await shows("You voted");
  await audit("votes-en");
  await shot("votes-en");
});

await step("answer the survey offline", async () => {
  await click("Surveys");
  const survey = page.locator(".survey").first();
  await survey.locator("label.radio", { hasText: "Every week" }).click({ timeout: WAIT });
  await survey.locator("fieldset").nth(1).locator("label.radio", { hasText: "4" }).click({ timeout: WAIT });
  await survey.locator("textarea").fill("A roof over the benches");
  await click("Send my answers");
  await shows("You answered this survey");
  await waitIndicator("Offline");
  await audit("surveys-en");
  await shot("surveys-en");
});

await step("reload offline", async () => {
  await page.reload();
  // The app comes from the service worker, the work from IndexedDB.
  await shows("Riverside park");
  await waitIndicator("Offline");
  await page.getByRole("button", { name: /Riverside park/ }).first().click({ timeout: WAIT });
  await click("Votes");
  await shows("You voted");
  await click("Surveys");
  await shows("You answered this survey");
  // The form shows the answers given (kept in IndexedDB).
  const survey = page.locator(".survey").first();
  if (!(await survey.locator("label.radio", { hasText: "Every week" }).locator("input").isChecked())) {
    throw new Error("the survey answer given offline is not shown after the reload");
  }
  if ((await survey.locator("textarea").inputValue()) !== "A roof over the benches") {
    throw new Error("the survey's free text given offline is not shown after the reload");
  }
  await click("Ideas");
  await ideaLink(MY_IDEA).click({ timeout: WAIT });
  await shows("Written offline: yes, with a roof.");
});

console.log("STEP offline-done");
const go = await lines.next();
if (go.done) await fail("the test went away");

await step("back online", async () => {
  await context.setOffline(false);
  await waitIndicator("Up to date");
  // The panel names the page's server, and no LAN service (a browser has none).
  await indicator().click();
  await shows("Sync server (the laptop or relay this page came from)");
  const panel = await page.locator(".sync-panel").innerText();
  if (panel.includes("Devices on this network")) throw new Error(`a browser shows a LAN section: ${panel}`);
  if (!panel.includes("it opens even with no network")) {
    throw new Error(`a secure page does not say it opens with no network: ${panel}`);
  }
  await audit("sync-panel-en");
  await shot("sync-en");
  await indicator().click();
});

// The other main screens, audited in English, then everything in Japanese.
await step("conversation and insight", async () => {
  await page.locator("button.back").first().click({ timeout: WAIT });
  await click("Progress");
  await shows("Design workshop");
  await shows("Thank you for coming");
  await audit("progress-en");
  await shot("progress-en");
  await click("Conversation");
  await page.locator(".next-statement button.agree").first().click({ timeout: WAIT });
  await audit("conversation-en");
  await click("Insight");
  await shows("Topics");
  await audit("insight-en");
  await click("Settings");
  await audit("settings-en");
});

await step("japanese", async () => {
  await language("日本語");
  await audit("settings-ja");
  await page.locator("button.brand").click();
  await shows("Minato ward");
  await audit("home-ja");
  await page.getByRole("button", { name: /Minato ward/ }).first().click({ timeout: WAIT });
  await shows("Riverside park");
  await audit("space-ja");
  await shot("space-ja");
  await page.getByRole("button", { name: /Riverside park/ }).first().click({ timeout: WAIT });
  await click("アイデア");
  await audit("project-ja");
  await shot("project-ja");
  await ideaLink(MY_IDEA).click({ timeout: WAIT });
  await shows("Written offline: yes, with a roof.");
  await audit("idea-ja");
  await shot("idea-ja");
  await page.locator("button.back").first().click({ timeout: WAIT });
  await click("投票");
  await audit("votes-ja");
  await shot("votes-ja");
  await click("アンケート");
  await shows("回答済みです");
  await audit("surveys-ja");
  await shot("surveys-ja");
  await click("進捗");
  await shows("Design workshop");
  await audit("progress-ja");
  await shot("progress-ja");
  await click("対話");
  await audit("conversation-ja");
  await shot("conversation-ja");
  await click("分析");
  await audit("insight-ja");
  await shot("insight-ja");
});

if (found.length > 0) {
  await fail(`axe found violations:\n${found.join("\n")}`);
}
const result = {
  firstLoadMs,
  transferredBytes: transferred,
  audits,
  violations: Object.values(audits).reduce((a, b) => a + b, 0),
  screens: Object.keys(audits).length,
};
console.log(`RESULT ${JSON.stringify(result)}`);
await browser.close();
input.close();
process.exit(0);
