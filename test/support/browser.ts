import * as fs from 'fs';
import { chromium, Browser } from 'playwright-core';

/** Debian's Chromium, never a browser a tool downloads for itself. */
export const CHROMIUM = process.env.LACUNA_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export interface PageCheck {
  figures: number;
  /** Figures whose SVG holds no drawn trace. */
  emptyFigures: string[];
  /** Text of error or stderr outputs shown on the page. */
  errorOutputs: string[];
  /** Uncaught exceptions and console errors raised while the page loaded. */
  pageErrors: string[];
  /** Requests to anything but the page itself and data: URIs (a shared page must work offline). */
  externalRequests: string[];
}

/** Opens a rendered page and reports whether every Plotly figure drew and whether errors show. */
export async function checkRenderedPage(browser: Browser, file: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  const externalRequests: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && url !== `file://${file}`) externalRequests.push(url);
  });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  // Figures draw once the embedded plotly.js has evaluated; give them a moment.
  await page.waitForFunction(() => {
    const figs = Array.from(document.querySelectorAll('.lacuna-figure'));
    return figs.every((f) => f.querySelector('svg.main-svg'));
  }, undefined, { timeout: 30000 }).catch(() => undefined);
  const result = await page.evaluate(() => {
    const figs = Array.from(document.querySelectorAll('.lacuna-figure'));
    const emptyFigures = figs
      .filter((f) => f.querySelectorAll('g.trace, g.hm, .heatmaplayer image, .imagelayer image').length === 0)
      .map((f) => f.id);
    const errorOutputs = Array.from(document.querySelectorAll(
      '[data-mime-type="application/vnd.jupyter.stderr"], .output_error, .jp-OutputArea-output.jp-mod-error',
    )).map((e) => (e.textContent ?? '').trim().slice(0, 300));
    return { figures: figs.length, emptyFigures, errorOutputs };
  });
  await page.close();
  return { ...result, pageErrors, externalRequests };
}
