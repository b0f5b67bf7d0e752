// pa11y (HTML_CodeSniffer, WCAG2AA) over a list of URLs in one Debian Chromium, a few pages at a
// time (see TABS). Called by tests/test_html_checkers.py:
//   node tests/a11y/pa11y-run.mjs urls.json results.json
// urls.json: ["http://127.0.0.1:PORT/...", ...]; results.json: {url: [{type, code, message, selector}]}
// Errors, warnings and notices are all returned; the test decides (allow-list in pa11y-allow.json).
// Puppeteer downloads nothing (PUPPETEER_SKIP_DOWNLOAD=1 at install): the browser is CHROMIUM_PATH
// or /usr/bin/chromium, and every host but 127.0.0.1 fails DNS inside it.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pa11y = require("pa11y");
const puppeteer = require("puppeteer");

const [urlsFile, outFile] = process.argv.slice(2);
const urls = JSON.parse(readFileSync(urlsFile, "utf8"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
});
const results = {};
// pa11y waits on every page until the network has been quiet for 500 ms (puppeteer's networkidle2),
// so one page after the other spent most of its time idle: a few tabs of the one browser take
// turns. Each tab checks its own page; the results are the same as with one tab (compared when
// this changed).
const TABS = 4;
const queue = [...urls];
async function tab() {
  for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    const result = await pa11y(url, {
      browser, page, standard: "WCAG2AA", runners: ["htmlcs"],
      includeWarnings: true, includeNotices: false, timeout: 60000,
    });
    results[url] = result.issues.map(({ type, code, message, selector }) => ({ type, code, message, selector }));
    await page.close();
  }
}
try {
  await Promise.all(Array.from({ length: TABS }, tab));
} finally {
  await browser.close();
}
writeFileSync(outFile, JSON.stringify(results, null, 1));
