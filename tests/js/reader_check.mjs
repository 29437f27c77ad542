// The reader view in headless Chromium (puppeteer-core driving Debian's chromium over a pipe, so it runs with
// the network cut): for every page, what it shows, what it requested, where Tab goes, and what axe-core finds;
// each page again with JavaScript off. Prints one JSON object; tests/test_reader.py judges it.
// Usage: node reader_check.mjs <reader folder> <screenshot folder> <chart.svg>
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const [folder, shots, chart] = process.argv.slice(2).map((p) => path.resolve(p));
const root = "file://" + folder + "/";
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  pipe: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});

async function open(name, javascript) {
  const page = await browser.newPage();
  const requests = [];
  await page.setJavaScriptEnabled(javascript);
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    requests.push(r.url());
    const url = r.url().split("#")[0];
    if (url.startsWith(root) || url.startsWith("data:")) r.continue();
    else r.abort();
  });
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(root + name, { waitUntil: "load" });
  return { page, requests };
}

function read() {
  // runs in the page
  const article = document.getElementById("article");
  const offset = (el) => {
    const r = document.createRange();
    r.setStart(article, 0);
    r.setEnd(el, 0);
    return r.toString().length;
  };
  const marks = article
    ? [...article.querySelectorAll("a.mark")].map((a) => ({
        id: a.id,
        classes: a.className,
        text: a.textContent,
        label: a.getAttribute("aria-label"),
        href: a.getAttribute("href"),
        offset: offset(a),
        symbol: getComputedStyle(a, "::after").content,
        border: getComputedStyle(a).borderBottomStyle,
        colour: getComputedStyle(a).color,
      }))
    : [];
  return {
    title: document.title,
    // how far the page runs past the window's right edge (0 when nothing does)
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
    text: article ? article.textContent : null,
    marks,
    hrefs: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")),
    // each listing section's value as shown (the first <dd>: a quantity's "Reconciled", a metric's "Value")
    values: Object.fromEntries(
      [...document.querySelectorAll("section.item")].map((s) => [s.id, (s.querySelector("dd") || {}).textContent || ""]),
    ),
  };
}

async function tabOrder(page, limit) {
  const seen = [];
  for (let k = 0; k < limit; k++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => (document.activeElement && document.activeElement.id) || "");
    if (id && id === seen[0]) break; // focus came round to the start: a short page, read once
    if (id) seen.push(id);
  }
  return seen;
}

// one page, as a reader with JavaScript on and then off meets it
async function inspect(name) {
  const { page, requests } = await open(name, true);
  const shown = await page.evaluate(read);
  const links = shown.marks.length;
  shown.tab = links ? await tabOrder(page, links * 2 + 20) : [];
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const axe = await page.evaluate(async () => {
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  await page.close();
  const off = await open(name, false);
  const withoutScripts = await off.page.evaluate(() => document.querySelectorAll("a.mark, [id]").length);
  await off.page.close();
  return { ...shown, requests, axe, withoutScripts };
}

// the pages, a few at a time (each in a tab of its own: a page waits on the browser far more than it
// computes), gathered in name order so the output does not depend on which finished first
const names = fs.readdirSync(folder).filter((n) => n.endsWith(".html")).sort();
const seen = {};
let next = 0;
async function worker() {
  while (next < names.length) {
    const name = names[next++];
    seen[name] = await inspect(name);
  }
}
await Promise.all(Array.from({ length: 4 }, worker));
const result = { pages: Object.fromEntries(names.map((n) => [n, seen[n]])) };
// the first article page with marks, as it first shows
const first = names.find((n) => n !== "index.html" && seen[n].marks.length);
if (first) {
  const { page } = await open(first, true);
  fs.mkdirSync(shots, { recursive: true });
  result.screenshot = path.join(shots, "article.png");
  await page.screenshot({ path: result.screenshot, fullPage: false });
  await page.close();
}
// the chart, as a reader opens it (its own folder; it loads nothing either)
const svg = await browser.newPage();
const chartRequests = [];
await svg.setRequestInterception(true);
svg.on("request", (r) => {
  chartRequests.push(r.url());
  r.url().startsWith("file://" + chart) ? r.continue() : r.abort();
});
await svg.setViewport({ width: 1300, height: 560 });
await svg.goto("file://" + chart, { waitUntil: "load" });
result.chart = { screenshot: path.join(shots, "help_seeking.png"), requests: chartRequests };
await svg.screenshot({ path: result.chart.screenshot });
await browser.close();
process.stdout.write(JSON.stringify(result));
