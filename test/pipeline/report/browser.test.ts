/** writeReport's page in headless Chromium: laid out, every chart and image shown, nothing fetched; a screenshot for people. */
import { copyFile, mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../helpers/browser.ts';
import { requireSystemPackage } from '../../helpers/systemPackages.ts';
import { writeReport } from '../../../pipeline/report/index.ts';
import { mnistReportInput } from './reportInput.ts';

describe('writeReport in a browser', () => {
  it('opens without console errors, shows charts of non-zero size and every image, and is screenshotted', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-report-'));
    const reportPath = path.join(directory, 'report.html');
    const input = mnistReportInput();
    await writeReport(reportPath, input);
    expect(await readFile(reportPath, 'utf8')).toContain('<!doctype html>');

    requireSystemPackage('chromium');
    // A persistent context is how playwright takes a fresh --user-data-dir (here inside the temporary directory).
    const browser = await chromium.launchPersistentContext(path.join(directory, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) problems.push(`request ${request.url()}`);
      });
      await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

      for (const chart of ['loss', 'accuracy', 'confusion']) {
        const box = await page.locator(`figure[data-chart="${chart}"] svg`).boundingBox();
        expect(box, `${chart} chart is laid out`).not.toBeNull();
        expect(box!.width).toBeGreaterThan(200);
        expect(box!.height).toBeGreaterThan(150);
      }
      expect(await page.locator('figure[data-chart="confusion"] .cells_marks path').count()).toBe(100);
      const imageSizes = await page
        .locator('.tile img')
        .evaluateAll((images) =>
          (images as HTMLImageElement[]).map((image) => [image.complete, image.naturalWidth, image.naturalHeight, image.width]),
        );
      expect(imageSizes).toEqual(input.misclassified.map(() => [true, 28, 28, 84]));
      // The per-class table sits beside the confusion matrix (to its right, top-aligned), not under it.
      const matrix = (await page.locator('figure[data-chart="confusion"]').boundingBox())!;
      const perClass = (await page.locator('table.per-class').boundingBox())!;
      expect(perClass.x).toBeGreaterThanOrEqual(matrix.x + matrix.width);
      expect(Math.abs(perClass.y - matrix.y)).toBeLessThan(5);
      expect(await page.locator('table.per-class tbody tr').count()).toBe(10);
      // Model summary and recipe are laid out as tables too.
      expect(await page.locator('#model table tbody tr').count()).toBe(3);
      expect(await page.locator('#recipe table tr').count()).toBeGreaterThanOrEqual(10);
      expect(problems).toEqual([]);

      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report.png', fullPage: true });
      await copyFile(reportPath, 'test-output/report.html');
    } finally {
      await browser.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
