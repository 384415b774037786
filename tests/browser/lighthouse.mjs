// Lighthouse's accessibility, best-practices and SEO audits of several pages, one after
// the other, in one Chromium (CHROME_PATH): starting the browser once per page would cost
// more than the audits. Usage: node lighthouse.mjs OUTDIR URL...; writes OUTDIR/<n>.json,
// the report of the n-th URL (from 0).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [outdir, ...urls] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  for (const [index, url] of urls.entries()) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["accessibility", "best-practices", "seo"],
      disableFullPageScreenshot: true,
    });
    writeFileSync(join(outdir, `${index}.json`), result.report);
  }
} finally {
  await chrome.kill();
}
