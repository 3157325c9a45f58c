// Opens an HTML report in Debian's headless chromium through playwright-core
// and prints what tests/emulator/reports.rs asserts on, as one JSON object:
// console errors, every network request, timings, whether hostile strings
// became elements, whether the filters change the visible rows, and with
// --axe what axe-core (from node_modules, never the network) finds.
//
//   node check-report.mjs REPORT.html SCREENSHOT.png [--needle TEXT]... [--axe]
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [file, screenshot, ...rest] = process.argv.slice(2);
const needles = [];
let axe = false;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--needle") needles.push(rest[++i]);
  else if (rest[i] === "--axe") axe = true;
  else throw new Error(`unknown argument ${rest[i]}`);
}
const url = pathToFileURL(resolve(file)).href;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const out = { consoleErrors: [], pageErrors: [], requests: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error" || msg.type() === "warning") out.consoleErrors.push(`${msg.type()}: ${msg.text()}`); });
  page.on("pageerror", (err) => out.pageErrors.push(String(err)));
  page.on("request", (req) => { if (req.url() !== url) out.requests.push(req.url()); });

  const started = Date.now();
  await page.goto(url, { waitUntil: "load", timeout: 120000 });
  out.wallLoadMs = Date.now() - started;
  out.timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const paint = Object.fromEntries(performance.getEntriesByType("paint").map((p) => [p.name, Math.round(p.startTime)]));
    return {
      firstContentfulPaintMs: paint["first-contentful-paint"] ?? null,
      firstPaintMs: paint["first-paint"] ?? null,
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      loadMs: Math.round(nav.loadEventEnd),
    };
  });

  out.page = await page.evaluate((needles) => {
    const text = document.body.innerText;
    const visibleRows = () => Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none").length;
    return {
      pwned: typeof window.__pwned !== "undefined",
      images: document.images.length,
      scripts: document.scripts.length,
      filtersShown: !document.getElementById("filters").hidden,
      rows: document.querySelectorAll("#groups tbody tr").length,
      visibleRows: visibleRows(),
      needlesAsText: needles.map((n) => text.includes(n) || document.body.textContent.includes(n)),
      needlesAsMarkup: needles.map((n) => document.body.innerHTML.includes(n)),
      // Each severity's FAIL bar: its accessible name and the colour the stylesheet gives it.
      severityBars: Array.from(document.querySelectorAll("meter[class^=bar-]")).map((m) => ({
        label: m.getAttribute("aria-label"),
        colour: getComputedStyle(m).getPropertyValue("--bar").trim(),
      })),
    };
  }, needles);

  await page.selectOption("#f-status", "FAIL");
  out.afterStatusFilter = await page.evaluate(() => Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none").length);
  await page.selectOption("#f-status", "");
  await page.fill("#q", "no-such-resource-anywhere");
  // The search is debounced; under load a fixed pause was not always enough.
  // Wait for it to apply (at most 10 s), then measure: a search that never
  // hides the rows still fails the test.
  const visibleRows = () => Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none").length;
  const noRowsVisible = () => Array.from(document.querySelectorAll("#groups tbody tr")).every((r) => r.closest(".hide") || getComputedStyle(r).display === "none");
  await page.waitForFunction(noRowsVisible, null, { timeout: 10000, polling: 100 }).catch(() => {});
  out.afterSearchNothing = await page.evaluate(visibleRows);
  await page.fill("#q", "");
  await page.waitForTimeout(400);
  out.shownText = await page.textContent("#shown");
  if (screenshot) {
    if (needles.length) {
      // Show the rows that hold the hostile strings, as text.
      await page.fill("#q", "pwned");
      await page.waitForTimeout(400);
    }
    await page.evaluate(() => {
      const row = Array.from(document.querySelectorAll("#groups tbody tr")).find((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none");
      (row ? row.closest("details") : document.getElementById("findings")).scrollIntoView();
    });
    await page.screenshot({ path: screenshot, fullPage: false });
  }

  // The same page with JavaScript off: the content must still be there.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  plain.on("request", (req) => { if (req.url() !== url) out.requests.push(req.url()); });
  await plain.goto(url, { waitUntil: "load", timeout: 120000 });
  const firstRow = plain.locator("#groups details[open] tbody tr").first();
  await firstRow.scrollIntoViewIfNeeded().catch(() => {});
  out.withoutJs = {
    findingsTextVisible: await firstRow.isVisible().catch(() => false),
    filtersHidden: await plain.locator("#filters").isHidden(),
    summaryVisible: await plain.locator("#summary").isVisible(),
  };

  if (axe) out.axe = await audit(browser);
} finally {
  await browser.close();
}

// axe-core over the page with every <details> open, so the rules see the
// findings, remediation and framework tables too. In a context of its own
// that bypasses the report's CSP: the CSP (rightly) refuses the injected
// script, and the CSP itself is checked by the main context above.
async function audit(browser) {
  const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on("request", (req) => { if (req.url() !== url) out.requests.push(req.url()); });
  await page.goto(url, { waitUntil: "load", timeout: 120000 });
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
  // Sticky headers overlap the rows under them and content-visibility skips
  // painting what is off screen: either leaves axe unable to tell a colour
  // contrast. Same colours, laid out flat, as the print style does.
  await page.addStyleTag({ content: ".filters, table.rows th { position: static !important; } details.group { content-visibility: visible !important; }" });
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () => {
    // Every rule axe ships for WCAG 2.x A/AA plus its best practices.
    const options = {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations", "incomplete"],
    };
    const { violations, passes, incomplete, testEngine } = await window.axe.run(document, options);
    return {
      version: testEngine.version,
      passes: passes.length,
      // What axe could not decide (e.g. contrast over a gradient): listed, not failed on.
      incomplete: incomplete.map((r) => ({
        id: r.id,
        nodes: r.nodes.length,
        examples: r.nodes.slice(0, 3).map((n) => ({ target: n.target.join(" "), why: (n.any[0] || n.all[0] || {}).message })),
      })),
      violations: violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        examples: v.nodes.slice(0, 3).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      })),
    };
  });
  await context.close();
  return result;
}
console.log(JSON.stringify(out));
