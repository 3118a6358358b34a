// SPDX-License-Identifier: ISC
// The officer dashboard end to end in a real browser: a real tes-officer on free loopback ports with
// a fresh data directory, two reports sent by the real tes-police, then in headless Debian Chromium
// (driven by playwright-core, no browser download): log in, approve one report, reject the other
// with a reason, check the driver's points and history, the audit log and its chain check; decide
// several reports in one POST (ticked, or all of a page), the refusals of a bulk POST, "decide and
// next" through the queue, the officer's own password change; log out.
// Screenshots of every page go to build/e2e/; TES_E2E_DOCS=1 also copies them to docs/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const B = path.resolve(ROOT, process.env.TES_BUILD || 'build');
const OFFICER = path.join(B, 'tes-officer');
const POLICE = path.join(B, 'tes-police');
const SHOTS = path.join(B, 'e2e');
const T = fs.mkdtempSync(path.join(os.tmpdir(), 'tes-e2e-'));
const D = path.join(T, 'data');
const env = { ...process.env, TES_ARGON2_MEMORY_KIB: '256', HOME: T, XDG_CONFIG_HOME: path.join(T, 'config') };
delete env.TES_DATA;

let server, browser, page, base, fp, port;
const consoleErrors = [];
const pw = 'officer e2e pass';

function run(cmd, args) {
	return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => resolve(p));
		});
	});
}

function report(args) {
	return run(POLICE, ['report', '-s', `127.0.0.1:${port}`, '-k', path.join(T, 'unit.key'), '-u', 'alice',
		'--password-file', path.join(T, 'police.pw'), '--server-key', fp, ...args]);
}

async function shot(name) {
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function waitFor(proc, re, ms) {
	return new Promise((resolve, reject) => {
		let buf = '';
		const timer = setTimeout(() => reject(new Error(`server did not start:\n${buf}`)), ms);
		proc.stderr.on('data', (d) => {
			buf += d;
			if (re.test(buf)) {
				clearTimeout(timer);
				resolve();
			}
		});
		proc.once('exit', (code) => reject(new Error(`server exited ${code}:\n${buf}`)));
	});
}

before(async () => {
	fs.mkdirSync(SHOTS, { recursive: true });
	run(OFFICER, ['init', '-d', D]);
	run(POLICE, ['keygen', '-k', path.join(T, 'unit.key')]);
	run(OFFICER, ['add-unit', '-d', D, 'patrol-7', path.join(T, 'unit.key.pub')]);
	fs.writeFileSync(path.join(T, 'police.pw'), 'amber-tulip-quarry-57\n');
	fs.writeFileSync(path.join(T, 'officer.pw'), `${pw}\n`);
	run(OFFICER, ['add-user', '-d', D, 'alice', '--role', 'police', '--password-file', path.join(T, 'police.pw')]);
	run(OFFICER, ['add-user', '-d', D, 'boss', '--role', 'officer', '--password-file', path.join(T, 'officer.pw')]);
	fp = run(OFFICER, ['fingerprint', '-d', D]).trim();
	port = await freePort();
	const http = await freePort();
	base = `http://127.0.0.1:${http}`;
	server = spawn(OFFICER, ['serve', '-d', D, '--listen', `127.0.0.1:${port}`, '--http', `127.0.0.1:${http}`],
		{ env, stdio: ['ignore', 'ignore', 'pipe'] });
	await waitFor(server, /dashboard on http:/, 10000);
	report(['--plate', '34E2E01', '--speed', '120', '--limit', '90', '--location', 'Ring Rd km 4', '--id',
		'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']);
	report(['--plate', '34E2E02', '--speed', '95', '--limit', '50', '--location', 'Harbour St 2', '--id',
		'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb']);
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--no-first-run', '--disable-quic'],
	});
	page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
	// a refused login is a 403 page on purpose; anything the CSP blocks is an error here
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy|Refused/i.test(m.text()))
			consoleErrors.push(m.text());
	});
});

after(async () => {
	if (browser) await browser.close();
	if (server && server.exitCode === null) {
		server.kill('SIGTERM');
		await new Promise((r) => server.once('exit', r));
	}
	fs.rmSync(T, { recursive: true, force: true });
	if (process.env.TES_E2E_DOCS === '1') {
		for (const f of fs.readdirSync(SHOTS))
			fs.copyFileSync(path.join(SHOTS, f), path.join(ROOT, 'docs', `dashboard-${f}`));
	}
});

test('a page without a session sends the browser to the login page', async () => {
	const resp = await page.goto(`${base}/queue`);
	assert.equal(new URL(page.url()).pathname, '/login');
	assert.equal(resp.status(), 200);
	const h = resp.headers();
	assert.equal(h['x-frame-options'], 'DENY');
	assert.match(h['content-security-policy'], /default-src 'none'/);
	await shot('login');
});

test('a wrong password is refused', async () => {
	await page.fill('input[name=user]', 'boss');
	await page.fill('input[name=password]', 'not the password');
	await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	await assert.doesNotReject(page.getByText('Login refused.').waitFor());
});

test('the officer logs in and sees both reports, newest first', async () => {
	await page.fill('input[name=user]', 'boss');
	await page.fill('input[name=password]', pw);
	await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
	assert.equal(new URL(page.url()).pathname, '/queue');
	const rows = page.locator('table tr');
	assert.equal(await rows.count(), 3);
	assert.match(await rows.nth(1).innerText(), /34E2E02/);
	const first = await rows.nth(2).innerText();
	for (const want of ['34E2E01', '120', '90', 'Ring Rd km 4', 'patrol-7', 'valid', '50'])
		assert.ok(first.includes(want), `queue row shows ${want}: ${first}`);
	const cookies = await page.context().cookies();
	const c = cookies.find((x) => x.name === 'tes_session');
	assert.ok(c && c.httpOnly && c.sameSite === 'Strict' && /^[0-9a-f]{32}$/.test(c.value), 'session cookie');
	await shot('queue');
});

test('one report shows its evidence and is approved', async () => {
	await Promise.all([page.waitForNavigation(), page.locator('tr', { hasText: '34E2E01' }).getByText('Review').click()]);
	const body = await page.locator('main').innerText();
	assert.match(body, /Plate\s+34E2E01/);
	assert.match(body, /Unit key\s+SHA256:[A-Za-z0-9+/]{43}/);
	assert.match(body, /Signature\s+valid/);
	assert.match(body, /Points if approved\s+50/);
	await shot('report');
	await Promise.all([page.waitForNavigation(), page.click('#approve')]);
	const after = await page.locator('main').innerText();
	assert.match(after, /Status\s+approved/);
	assert.match(after, /Points given\s+50/);
	assert.match(after, /Decided by\s+boss/);
	assert.equal(await page.locator('#approve').count(), 0, 'no decision form on a decided report');
});

test('the other report is rejected with a reason from the list', async () => {
	await page.goto(`${base}/queue`);
	await Promise.all([page.waitForNavigation(), page.locator('tr', { hasText: '34E2E02' }).getByText('Review').click()]);
	await page.selectOption('#reason', 'unreadable');
	await Promise.all([page.waitForNavigation(), page.click('#reject')]);
	const body = await page.locator('main').innerText();
	assert.match(body, /Status\s+rejected/);
	assert.match(body, /Reason\s+plate unreadable/);
	assert.match(body, /Points given\s+0/);
	await page.goto(`${base}/queue`);
	assert.match(await page.locator('main').innerText(), /0 pending/);
});

test('driver records show the points and the approved violation', async () => {
	await page.goto(`${base}/records`);
	await page.fill('#plate', '34e2e01');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
	const body = await page.locator('main').innerText();
	assert.match(body, /34E2E01\s+50/);
	assert.match(body, /Approved violations/);
	assert.match(body, /Ring Rd km 4/);
	await shot('records');
	await page.goto(`${base}/records?plate=34E2E02&match=exact`);
	assert.match(await page.locator('main').innerText(), /34E2E02\s+0/);
	await page.goto(`${base}/records?plate=34E2E&match=prefix`);
	const pre = await page.locator('main').innerText();
	assert.match(pre, /34E2E01\s+50/);
});

test('a policy set while the server runs: threshold marks, the history, how the points were reached', async () => {
	// the original bands, with a threshold of 40 points over ten years (spec/POLICY.md MUST-PO9..PO12)
	const pol = path.join(T, 'office.policy');
	fs.writeFileSync(pol, 'tes-policy 1\nbasis speed\nband 50 10\nband 70 20\nband 100 50\nthreshold 40\nwindow-days 3650\n');
	assert.match(run(OFFICER, ['policy', 'set', '-d', D, pol]), /^policy version 1 set/);
	await page.goto(`${base}/records`);
	const list = await page.locator('main').innerText();
	assert.match(list, /34E2E01\s+50 \u2014 threshold reached/);
	assert.equal(await page.locator('td.over').count(), 1, 'one plate marked in the records list');
	await page.goto(`${base}/records?plate=34E2E01&match=exact`);
	const hist = await page.locator('main').innerText();
	assert.match(hist, /34E2E01\s+50 \u2014 threshold reached/);
	// No., observed, speed, limit, location, points, counts, policy, decided by
	assert.match(hist, /Ring Rd km 4\s+50\s+yes\s+0\s+boss/);
	await page.goto(`${base}/report?id=${'a'.repeat(32)}`);
	const rep = await page.locator('main').innerText();
	assert.match(rep, /How\s+50 points: band 3 \(>= 100\): speed 120 km\/h/);
	assert.match(rep, /Policy version\s+0/);
	assert.match(rep, /Plate's points now\s+50 \u2014 threshold reached/);
	await page.goto(`${base}/records?plate=34E2E02&match=exact`);
	assert.doesNotMatch(await page.locator('main').innerText(), /threshold reached/);
	await shot('history');
});

test('the audit log shows the logins and decisions, and the chain verifies', async () => {
	await page.goto(`${base}/audit`);
	const body = await page.locator('main').innerText();
	// refused logins are aggregated per source and minute (spec/STORAGE.md#attempts): no row yet
	assert.match(body, /login ok\s+boss/);
	assert.match(body, /approved\s+boss\s+report a{32} approved, 50 points/);
	assert.match(body, /rejected\s+boss\s+report b{32} rejected, 0 points: plate unreadable/);
	assert.match(body, /decision: approve/);
	await Promise.all([page.waitForNavigation(), page.click('#verify-chain')]);
	// the check runs in a child of the server: the page says it runs, then shows its result
	let result = await page.locator('#verify').innerText();
	for (let i = 0; i < 100 && !/^ok: /.test(result); i++) {
		assert.match(result, /^Chain check running since /);
		await new Promise((r) => setTimeout(r, 100));
		await page.goto(`${base}/audit`);
		result = await page.locator('#verify').innerText();
	}
	assert.match(result, /^ok: \d+ records/);
	assert.match(await page.locator('main').innerText(), /verify\s+boss\s+verify: ok/);
	await shot('audit');
});

// Bulk decisions, "decide and next" and the password change (spec/HTTP.md#bulk, #next, #password).
const hex = (c) => c.repeat(32);
const BULK_MAX = 40;

function show(id) {
	return run(OFFICER, ['show', '-d', D, id]);
}

async function csrf() {
	return page.locator('input[name=csrf]').first().getAttribute('value');
}

// a POST from the page's own session (its cookie), as a form
async function postForm(url, fields) {
	const body = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
	return page.request.post(`${base}${url}`, {
		headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: body, maxRedirects: 0,
	});
}

// MUST-W11: each id decided on its own, with the officer's name
test('several pending reports are approved in one POST, each journaled with the officer', async () => {
	const ids = ['c', 'd', 'e'].map(hex);
	ids.forEach((id, i) => report(['--plate', `34BLK0${i + 1}`, '--speed', '75', '--limit', '50', '--id', id]));
	await page.goto(`${base}/queue`);
	assert.match(await page.locator('main').innerText(), /3 pending/);
	for (const id of ids) await page.check(`input[name=sel][value="${id}"]`);
	await shot('queue-bulk');
	await Promise.all([page.waitForNavigation(), page.click('#bulk-approve')]);
	assert.match(await page.locator('#bulk-result').innerText(), /^3 approved, 0 not decided\./);
	await shot('bulk-result');
	for (const id of ids) {
		const out = show(id);
		assert.match(out, /status: APPROVED/, out);
		assert.match(out, /decided by boss: approved/, out);
	}
	await page.goto(`${base}/audit`);
	const audit = await page.locator('main').innerText();
	for (const id of ids) assert.match(audit, new RegExp(`approved\\s+boss\\s+report ${id} approved, 20 points`));
});

test('select all on the page, then reject with one reason', async () => {
	const ids = ['f', '1'].map(hex);
	ids.forEach((id, i) => report(['--plate', `34REJ0${i + 1}`, '--speed', '60', '--id', id]));
	await page.goto(`${base}/queue`);
	assert.equal(await page.locator('input[name=sel]:checked').count(), 0);
	await Promise.all([page.waitForNavigation(), page.click('#select-all')]);
	assert.equal(await page.locator('input[name=sel]:checked').count(), 2, 'every row of the page ticked');
	await page.selectOption('#bulk-reason', 'duplicate');
	await Promise.all([page.waitForNavigation(), page.click('#bulk-reject')]);
	assert.match(await page.locator('#bulk-result').innerText(), /^2 rejected \(duplicate\), 0 not decided\./);
	for (const id of ids) {
		const out = show(id);
		assert.match(out, /status: REJECTED/, out);
		assert.match(out, /decided by boss: duplicate/, out);
	}
});

test('a bulk POST: failures listed one by one, the maximum + 1 and a missing token refused', async () => {
	const id = hex('2');
	report(['--plate', '34BLK09', '--speed', '80', '--id', id]);
	await page.goto(`${base}/queue`);
	const token = await csrf();
	const many = [id];
	for (let i = 1; i <= BULK_MAX; i++) many.push(i.toString(16).padStart(32, '0'));
	let r = await postForm('/bulk', [...many.map((x) => ['sel', x]), ['verdict', 'approve'], ['csrf', token]]);
	assert.equal(r.status(), 413, 'more than the maximum is refused');
	assert.match(await r.text(), /41 reports were selected; at most 40 can be decided at once\. Nothing was decided\./);
	assert.match(show(id), /status: PENDING/, 'nothing decided');
	r = await postForm('/bulk', [['sel', id], ['verdict', 'approve']]);
	assert.equal(r.status(), 403, 'a bulk POST without its CSRF token is refused');
	r = await postForm('/bulk', [['sel', id], ['verdict', 'approve'], ['csrf', '0'.repeat(32)]]);
	assert.equal(r.status(), 403, 'a bulk POST with a wrong CSRF token is refused');
	assert.match(show(id), /status: PENDING/, 'nothing decided without the token');
	r = await postForm('/bulk', [['sel', id], ['sel', 'xyz'], ['verdict', 'approve'], ['csrf', token]]);
	assert.equal(r.status(), 400, 'a malformed id refuses the whole POST');
	assert.match(show(id), /status: PENDING/);
	// through the page: one new, one already decided, one unknown
	const unknown = '0123456789abcdef0123456789abcdef';
	r = await postForm('/bulk', [['sel', id], ['sel', hex('c')], ['sel', unknown], ['verdict', 'approve'],
		['csrf', token]]);
	assert.equal(r.status(), 200);
	const html = await r.text();
	assert.match(html, /1 approved, 2 not decided\./);
	assert.match(html, new RegExp(`<td>${hex('c')}</td><td>already decided</td>`));
	assert.match(html, new RegExp(`<td>${unknown}</td><td>no such report</td>`));
	assert.match(show(id), /decided by boss: approved/);
});

// MUST-W12: decide and next (a 303 each time) to the next pending report, then the list
test('"decide and next" walks the pending queue, oldest first, then back to the list', async () => {
	const ids = ['3', '4', '5'].map(hex);
	ids.forEach((id, i) => report(['--plate', `34NXT0${i + 1}`, '--speed', '99', '--limit', '80', '--id', id]));
	await page.goto(`${base}/report?id=${ids[0]}`);
	await Promise.all([page.waitForNavigation(), page.click('#approve-next')]);
	assert.equal(new URL(page.url()).searchParams.get('id'), ids[1], 'the next pending report');
	await page.selectOption('#reason', 'equipment');
	await Promise.all([page.waitForNavigation(), page.click('#reject-next')]);
	assert.equal(new URL(page.url()).searchParams.get('id'), ids[2]);
	await Promise.all([page.waitForNavigation(), page.click('#approve')]);
	const body = await page.locator('main').innerText();
	assert.match(body, /Status\s+approved/, 'plain approve stays on the decided report');
	assert.match(await page.locator('#next-pending').innerText(), /No report is pending/);
	await page.goto(`${base}/report?id=${ids[0]}`);
	await Promise.all([page.waitForNavigation(), page.click('#next-pending')]);
	assert.equal(new URL(page.url()).pathname, '/queue');
	assert.match(show(ids[0]), /decided by boss: approved/);
	assert.match(show(ids[1]), /decided by boss: equipment fault/);
	assert.match(show(ids[2]), /decided by boss: approved/);
});

// MUST-W13: the current password checked like a login, the change audited, other sessions ended;
// MUST-W14: the policy and the repetition checked first
test('an officer changes their own password on the dashboard', async () => {
	const npw = 'a brand new officer passphrase';
	// a second browser session of the same officer, to be ended by the change
	const other = await browser.newContext();
	const p2 = await other.newPage();
	await p2.goto(`${base}/login`);
	await p2.fill('input[name=user]', 'boss');
	await p2.fill('input[name=password]', pw);
	await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
	assert.equal(new URL(p2.url()).pathname, '/queue');

	await page.goto(`${base}/queue`);
	await Promise.all([page.waitForNavigation(), page.click('#password-link')]);
	assert.equal(new URL(page.url()).pathname, '/password');
	await page.fill('#old', 'not the password at all');
	await page.fill('#new', npw);
	await page.fill('#repeat', npw);
	let resp = (await Promise.all([page.waitForNavigation(), page.click('#change')]))[0];
	assert.equal(resp.status(), 403);
	assert.match(await page.locator('main').innerText(), /current password is wrong/);
	await page.fill('#old', pw);
	await page.fill('#new', npw);
	await page.fill('#repeat', `${npw}x`);
	resp = (await Promise.all([page.waitForNavigation(), page.click('#change')]))[0];
	assert.equal(resp.status(), 400);
	assert.match(await page.locator('main').innerText(), /two new passwords differ/);
	await page.fill('#old', pw);
	await page.fill('#new', 'short');
	await page.fill('#repeat', 'short');
	resp = (await Promise.all([page.waitForNavigation(), page.click('#change')]))[0];
	assert.equal(resp.status(), 400, 'the password policy applies');
	await page.fill('#old', pw);
	await page.fill('#new', npw);
	await page.fill('#repeat', npw);
	await Promise.all([page.waitForNavigation(), page.click('#change')]);
	assert.equal(new URL(page.url()).pathname, '/password');
	assert.match(await page.locator('main').innerText(), /Your password was changed/);
	await shot('password');

	await p2.goto(`${base}/queue`);
	assert.equal(new URL(p2.url()).pathname, '/login', 'the other session was ended');
	await p2.fill('input[name=user]', 'boss');
	await p2.fill('input[name=password]', pw);
	await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
	assert.match(await p2.locator('main').innerText(), /Login refused\./, 'the old password no longer logs in');
	await p2.fill('input[name=user]', 'boss');
	await p2.fill('input[name=password]', npw);
	await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
	assert.equal(new URL(p2.url()).pathname, '/queue', 'the new password logs in');
	await other.close();

	await page.goto(`${base}/audit`);
	assert.match(await page.locator('main').innerText(), /password changed\s+boss\s+password changed on the dashboard/);
});

test('logout ends the session', async () => {
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Log out' }).click()]);
	assert.equal(new URL(page.url()).pathname, '/login');
	await page.goto(`${base}/audit`);
	assert.equal(new URL(page.url()).pathname, '/login');
	assert.deepEqual(consoleErrors, [], 'no Content-Security-Policy violation on any page');
});
