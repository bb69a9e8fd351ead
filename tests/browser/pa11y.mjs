// pa11y (HTML_CodeSniffer, WCAG2AA) on each URL, in Debian's Chromium, with the site's
// scripts on or off:  node pa11y.mjs on|off URL...  Prints {url: [error, ...]} as JSON.
// "Off" blocks the site's own scripts (the reader script, search's) rather than all
// JavaScript, which pa11y itself runs on: each page is checked as it is served.
import pa11y from "pa11y";
import puppeteer from "puppeteer";

const [, , javascript, ...urls] = process.argv;
const found = {};
for (const url of urls) {
  // A browser for each page, so nothing of one page's run reaches the next.
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage();
    if (javascript === "off") {
      await page.setRequestInterception(true);
      page.on("request", (request) =>
        /\/static\/dateline\.js|\/search\/pagefind\//.test(request.url())
          ? request.abort()
          : request.continue(),
      );
    }
    const result = await pa11y(url, { browser, page, runners: ["htmlcs"], standard: "WCAG2AA" });
    found[url] = result.issues
      .filter((issue) => issue.type === "error")
      .map((issue) => `${issue.code} at ${issue.selector}: ${issue.message}`);
  } finally {
    await browser.close();
  }
}
console.log(JSON.stringify(found));
