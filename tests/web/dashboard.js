// The dashboard in headless Chromium (playwright-core), by clicking only: login lands on it;
// health (alarms, interfaces, certificates) and non-empty charts at 1280x800; the charts
// refresh without reloading the page. Env: WEB_URL, WEB_USER, WEB_PASS, ART, CHROMIUM,
// SAMPLE (a shell command that makes sbcd take a performance sample).
// Prints "ok <what>" / "FAIL <what>" lines for tests/integration/web_monitoring.sh.
const { chromium } = require('playwright-core');
const { execSync } = require('child_process');
const path = require('path');

const url = process.env.WEB_URL, art = process.env.ART;
let failed = 0;
const ok = (c, what, extra) => {
	console.log(`${c ? 'ok' : 'FAIL'} ${what}${!c && extra ? ': ' + extra : ''}`);
	if (!c) failed++;
};

(async () => {
	const ctx = await chromium.launchPersistentContext(path.join(art, 'chromium-profile'), {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 30000,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 },
	});
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	const blocked = [];
	page.on('request', (req) => { if (!req.url().startsWith(url)) blocked.push(req.url()); });
	const csp = [];
	page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) csp.push(m.text()); });
	try {
		await page.goto(url);
		ok(page.url().endsWith('/login'), 'the home page asks for a login first');
		await page.fill('#u', process.env.WEB_USER);
		await page.fill('#p', process.env.WEB_PASS);
		await Promise.all([page.waitForURL('**/dashboard'), page.click('button[type=submit]')]);
		ok(true, 'login lands on the dashboard');
		const alarms = await page.textContent('#alarms');
		ok(/sipInterfaceDown/.test(alarms) && /minor|major/.test(alarms),
		   'the dashboard shows the interface alarm with its severity', alarms.slice(0, 200));
		const ifs = await page.textContent('#interfaces');
		ok(/SIP SIPInterface_0\s*partly-down/.test(ifs), 'the SIP interface is shown partly down',
		   ifs.slice(0, 300));
		ok(/Web HTTPS\s*up/.test(ifs), 'the HTTPS listener is shown up', ifs.slice(0, 300));
		ok(await page.isVisible('#certificates'), 'device certificates are listed by expiry');
		const pts = await page.$$eval('#charts polyline.series', (ls) =>
			ls.map((l) => l.getAttribute('points').trim().split(/\s+/).filter(Boolean).length));
		ok(pts.length === 6 && pts.every((n) => n >= 2), 'six charts, each with a line of samples',
		   JSON.stringify(pts));
		const acc = await page.$eval('#chart-0 polyline.series', (l) => l.getAttribute('points'));
		const ys = acc.trim().split(/\s+/).map((p) => parseFloat(p.split(',')[1]));
		ok(ys.some((y) => y < 124), 'the handshakes chart is not flat at zero', acc);
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		ok(width <= 1280, 'the dashboard fits 1280 px (no sideways scrolling)', String(width));
		await page.screenshot({ path: path.join(art, 'dashboard.png') });
		// refresh without reload: a new sample appears in the chart fragment
		const before = await page.$eval('#chart-2 polyline.series', (l) => l.getAttribute('points'));
		await page.evaluate(() => { window.__same = true; });
		execSync(process.env.SAMPLE);
		await page.waitForFunction((b) => {
			const l = document.querySelector('#chart-2 polyline.series');
			return l && l.getAttribute('points') !== b;
		}, before, { timeout: 25000 });
		ok(await page.evaluate(() => window.__same === true),
		   'the charts refreshed without reloading the page');
		await page.screenshot({ path: path.join(art, 'dashboard-refreshed.png') });
		await page.click('nav a[href="/status"]');
		await page.waitForSelector('#info-version');
		const sw = await page.evaluate(() => document.documentElement.scrollWidth);
		ok(sw <= 1280, 'the Status page fits 1280 px too', String(sw));
		await page.screenshot({ path: path.join(art, 'status.png') });
		await page.click('nav a[href="/dashboard"]');
		await page.waitForSelector('#charts');
		ok(true, 'the Dashboard link in the menu leads back');
	} catch (e) {
		ok(false, 'browser run', e.message.split('\n')[0]);
		await page.screenshot({ path: path.join(art, 'error.png') }).catch(() => {});
	}
	ok(blocked.length === 0, 'nothing loaded from outside the device', blocked.join(' '));
	ok(csp.length === 0, 'no Content-Security-Policy violation', csp.join(' '));
	await ctx.close();
	process.exit(failed ? 1 : 0);
})();
