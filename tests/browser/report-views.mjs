// The HTML report's views in Debian's headless chromium (playwright-core),
// printed as one JSON object for tests/emulator/report_views.rs:
//
//   node report-views.mjs REPORT.html [--views] [--resource N] [--timings]
//        [--pdf FILE.pdf] [--shots PREFIX] [--axe]
//
// --views     what the compliance, fleet and changes sections show
// --resource  opens the view by resource of finding N (#r-N) and lists it
// --timings   first paint, and each filter's time to the next frame
// --pdf       prints the page (print stylesheet, A4) to FILE.pdf
// --shots     screenshots of the top of the page at 1400 and 390 px wide
// --axe       the axe-core audit, with the resource view open
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [file, ...rest] = process.argv.slice(2);
const opts = { views: false, resource: null, timings: false, pdf: null, shots: null, axe: false };
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  if (arg === "--views") opts.views = true;
  else if (arg === "--timings") opts.timings = true;
  else if (arg === "--axe") opts.axe = true;
  else if (arg === "--resource") opts.resource = rest[++i];
  else if (arg === "--pdf") opts.pdf = rest[++i];
  else if (arg === "--shots") opts.shots = rest[++i];
  else throw new Error(`unknown argument ${arg}`);
}
const url = pathToFileURL(resolve(file)).href;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const out = { requests: [], pageErrors: [] };
const watch = (page) => {
  page.on("request", (req) => { if (!req.url().startsWith(url)) out.requests.push(req.url()); });
  page.on("pageerror", (err) => out.pageErrors.push(String(err)));
};
const open = async (width, extra = {}) => {
  const context = await browser.newContext({ viewport: { width, height: 1000 }, ...extra });
  const page = await context.newPage();
  watch(page);
  await page.goto(url, { waitUntil: "load", timeout: 180000 });
  return page;
};
try {
  const page = await open(1400);
  if (opts.timings) out.timings = await timings(page);
  if (opts.views) out.views = await views(page);
  if (opts.resource !== null) out.resource = await resourceView(page, opts.resource);
  if (opts.shots) {
    for (const width of [1400, 390]) {
      const shot = await open(width);
      await shot.screenshot({ path: `${opts.shots}-${width}.png`, fullPage: false });
      out[`shot${width}`] = await shot.evaluate(() => ({
        // Nothing wider than the window: no sideways scrolling of the page itself.
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
    }
  }
  if (opts.pdf) {
    const printed = await open(1400);
    await printed.emulateMedia({ media: "print" });
    await printed.pdf({ path: opts.pdf, format: "A4", printBackground: true });
    out.pdf = opts.pdf;
  }
  if (opts.axe) out.axe = await audit();
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));

// First paint from the browser's own entries; each filter timed from the
// change to the frame after it (so style and layout are in the figure).
async function timings(page) {
  const paint = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const entries = Object.fromEntries(performance.getEntriesByType("paint").map((p) => [p.name, Math.round(p.startTime)]));
    return { firstContentfulPaintMs: entries["first-contentful-paint"] ?? null, domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd), loadMs: Math.round(nav.loadEventEnd), rows: document.querySelectorAll("#groups tbody tr").length };
  });
  const filters = {};
  const time = (select, value) => page.evaluate(async ([select, value]) => {
    const element = document.getElementById(select);
    const started = performance.now();
    element.value = value;
    element.dispatchEvent(new Event("change"));
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const shown = document.getElementById("shown").textContent;
    return { ms: Math.round(performance.now() - started), shown };
  }, [select, value]);
  // The first filter also reads the rows once: timed apart.
  filters.firstStatusFail = await time("f-status", "FAIL");
  filters.statusAll = await time("f-status", "");
  filters.statusFail = await time("f-status", "FAIL");
  filters.statusError = await time("f-status", "ERROR");
  filters.statusAllAgain = await time("f-status", "");
  const severity = await page.$eval("#f-severity", (s) => s.options[1].value);
  filters.severity = await time("f-severity", severity);
  filters.severityAll = await time("f-severity", "");
  const account = await page.$eval("#f-account", (s) => s.options[s.options.length - 1].value);
  filters.account = await time("f-account", account);
  filters.accountAll = await time("f-account", "");
  if (await page.$("#f-change")) {
    filters.change = await time("f-change", "still-failing");
    filters.changeAll = await time("f-change", "");
  }
  return { ...paint, filters };
}

async function views(page) {
  const result = await page.evaluate(() => {
    const frameworks = Array.from(document.querySelectorAll("#compliance tr[data-framework]")).map((f) => ({
      id: f.dataset.framework,
      pass: Number(f.dataset.pass), fail: Number(f.dataset.fail), error: Number(f.dataset.error), notAssessed: Number(f.dataset.notAssessed),
      failingControls: Array.from(document.querySelectorAll(`#framework-${CSS.escape(f.dataset.framework)} table.failing-controls tbody tr`)).map((r) => r.cells[0].textContent),
      // Shown without a click, at the top of the page.
      countsVisible: f.checkVisibility(),
      top: Math.round(f.getBoundingClientRect().top + window.scrollY),
    }));
    const fleet = Array.from(document.querySelectorAll("#fleet table.fleet tbody tr")).map((r) => ({
      account: r.dataset.account,
      bySeverity: Array.from(r.cells).slice(1, 6).map((c) => Number(c.textContent)),
      fail: Number(r.querySelector(".fail-total").textContent),
      error: Number(r.querySelector(".error-total").textContent),
    }));
    const changes = document.getElementById("changes");
    return {
      frameworks,
      fleet,
      fleetVisibleRows: Array.from(document.querySelectorAll("#fleet table.fleet tbody tr")).filter((r) => r.checkVisibility()).length,
      changesHeight: changes ? Math.round(changes.getBoundingClientRect().height) : null,
      sectionsTop: Object.fromEntries(Array.from(document.querySelectorAll("main > section")).map((s) => [s.id, Math.round(s.getBoundingClientRect().top + window.scrollY)])),
    };
  });
  // The still-failing link filters the findings to them.
  const link = await page.$("#changes a[data-filter='change=still-failing']");
  if (link) {
    await link.click();
    result.afterStillFailingLink = await page.evaluate(() => ({
      visible: Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none").length,
      allStill: Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none").every((r) => r.dataset.change === "still-failing"),
    }));
  }
  // An account's row filters the findings to that account.
  const accountLink = await page.$("#fleet tbody tr a[data-filter]");
  if (accountLink) {
    await accountLink.click();
    result.afterAccountLink = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll("#groups tbody tr")).filter((r) => !r.closest(".hide") && getComputedStyle(r).display !== "none");
      return { visible: rows.length, accounts: Array.from(new Set(rows.map((r) => r.dataset.account))) };
    });
  }
  return result;
}

async function resourceView(page, anchor) {
  await page.evaluate((anchor) => { location.hash = "#r-" + anchor; }, anchor);
  await page.waitForSelector("#resource:not([hidden]) table", { timeout: 10000 });
  return page.evaluate(() => ({
    title: document.getElementById("resource-title").textContent,
    rows: Array.from(document.querySelectorAll("#resource tbody tr")).map((r) => ({ check: r.dataset.check, status: r.dataset.status })),
  }));
}

// axe-core with every <details> open and the view by resource shown, as
// check-report.mjs does it (a context that bypasses the CSP to inject axe).
async function audit() {
  const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const page = await open(1400, { bypassCSP: true });
  const first = await page.$eval("#groups tbody tr", (r) => r.id.slice(2)).catch(() => null);
  if (first !== null) {
    await page.evaluate((n) => { location.hash = "#r-" + n; }, first);
    await page.waitForSelector("#resource:not([hidden]) table", { timeout: 10000 });
  }
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
  await page.addStyleTag({ content: ".filters, table.rows th { position: static !important; } details.group { content-visibility: visible !important; }" });
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    const options = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] };
    const { violations, passes, testEngine } = await window.axe.run(document, options);
    return {
      version: testEngine.version,
      passes: passes.length,
      violations: violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
        examples: v.nodes.slice(0, 3).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })) })),
    };
  });
}
