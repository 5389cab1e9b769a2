import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, useTestServer } from './support/app.js';

/** Debian's Chromium (`apt-get install -y chromium`), headless, with no traffic of its own. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-quic',
    '--no-first-run',
    '--disable-component-update',
    '--disable-sync',
  ],
};

const server = useTestServer();
let account: Account;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM.executablePath)) {
    throw new Error(`${CHROMIUM.executablePath} is missing: apt-get install -y chromium`);
  }
  account = await signUp(server.http, 'Swagger UI User');
  await server.http.post(
    '/api/doctors/',
    {
      name: 'Dr. Lisa Cuddy',
      specialization: 'Endocrinology',
      email: `cuddy-${account.id}@example.com`,
    },
    { token: account.accessToken },
  );
  browser = await chromium.launch(CHROMIUM);
  page = await browser.newPage();
  // A Content-Security-Policy violation, a failed script or a failed request shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => problems.push(`${request.url()} failed`));
});
afterAll(async () => {
  await browser?.close();
});

describe('Swagger UI at /docs, in Chromium', () => {
  it('authorizes with a real token, keeps it across a reload, and runs GET /api/doctors/', async () => {
    await page.goto(`${server.http.baseUrl}/docs`);
    await page.locator('.info .title', { hasText: 'Healthcare records API' }).waitFor();

    await page.locator('.auth-wrapper .btn.authorize').click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('input').fill(account.accessToken);
    await dialog.locator('.auth-btn-wrapper .btn.authorize').click();
    await dialog.locator('.auth-btn-wrapper .btn-done').click();
    await expect.poll(() => page.locator('.auth-wrapper .btn.authorize.locked').count()).toBe(1);

    await page.reload();
    await page.locator('.info .title', { hasText: 'Healthcare records API' }).waitFor();
    // persistAuthorization: the token survived the reload.
    await expect.poll(() => page.locator('.auth-wrapper .btn.authorize.locked').count()).toBe(1);

    const operation = page.locator('#operations-doctors-listDoctors');
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('.execute').click();

    const live = operation.locator('.live-responses-table');
    await live.locator('.response-col_status', { hasText: '200' }).waitFor();
    await expect
      .poll(() => operation.locator('.request-url pre').innerText())
      .toBe(`${server.http.baseUrl}/api/doctors?limit=20&offset=0&sort=-createdAt`);
    const body = await live.locator('.response-col_description pre').first().innerText();
    expect(JSON.parse(body)).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ name: 'Dr. Lisa Cuddy' })]),
      limit: 20,
      offset: 0,
    });
    expect(problems).toEqual([]);
  });
});
