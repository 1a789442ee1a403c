// Drives headless Chromium (Debian's /usr/bin/chromium) through sbc-web with playwright-core.
// Env: WEB_URL, WEB_USER, WEB_PASS, PKI (dir), ART (artifacts dir), CHROMIUM.
// Prints "ok <what>" / "FAIL <what>" lines for tests/integration/web_browser.sh to count.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const url = process.env.WEB_URL, art = process.env.ART, pki = process.env.PKI;
let failed = 0;
const ok = (c, what, extra) => {
	console.log(`${c ? 'ok' : 'FAIL'} ${what}${!c && extra ? ': ' + extra : ''}`);
	if (!c) failed++;
};

(async () => {
	// a new profile directory per run (playwright passes it as --user-data-dir)
	const ctx = await chromium.launchPersistentContext(path.join(art, 'chromium-profile'), {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 30000,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: 1280, height: 900 },
	});
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	try {
		await page.goto(`${url}/status`);
		ok(page.url().endsWith('/login'), 'not logged in: sent to the login page');
		await page.fill('#u', process.env.WEB_USER);
		await page.fill('#p', 'wrong password');
		await page.click('button[type=submit]');
		ok(/login incorrect/.test(await page.textContent('#refusal')), 'wrong password refused');
		await page.fill('#u', process.env.WEB_USER);
		await page.fill('#p', process.env.WEB_PASS);
		await Promise.all([page.waitForURL('**/dashboard'), page.click('button[type=submit]')]);
		ok((await page.textContent('.who')).includes(process.env.WEB_USER), 'logged in');
		ok(await page.isVisible('#interfaces'), 'logged in: the dashboard (home page)');
		await page.click('nav a[href="/status"]');
		await page.waitForSelector('#info-version');
		ok(/\d/.test(await page.textContent('#info-version')), 'status shows the version');
		await page.screenshot({ path: path.join(art, 'status.png'), fullPage: true });

		await page.goto(`${url}/tls/0/roots`);
		await page.setInputFiles('#roots-file', [path.join(pki, 'extra-ca.crt'),
							 path.join(pki, 'rogue-ca.crt')]);
		await Promise.all([page.waitForLoadState('load'), page.click('#roots-import')]);
		await page.waitForSelector('#roots');
		const roots = await page.textContent('#roots');
		ok(roots.includes('CN=Extra CA') && roots.includes('CN=Rogue CA'),
		   'Import button added two trusted roots', roots.slice(0, 200));
		await page.screenshot({ path: path.join(art, 'trusted-roots.png'), fullPage: true });

		await page.setInputFiles('#roots-file', path.join(pki, 'notacert.pem'));
		await Promise.all([page.waitForLoadState('load'), page.click('#roots-import')]);
		const refusal = await page.textContent('#refusal');
		ok(/notacert\.pem: .*cannot be decoded/.test(refusal), 'not a certificate: refusal shown',
		   refusal);
		await page.screenshot({ path: path.join(art, 'refusal-certificate.png'), fullPage: true });

		await page.goto(`${url}/table/ProxySet/new`);
		await page.evaluate(() => { document.querySelector('form[action^="/table/"]').noValidate = true; });
		await page.fill('#c_ProxyName', "<img src=x onerror=alert(1)>");
		await page.fill('#c_ProxyKeepAliveTime', '99999999');
		await Promise.all([page.waitForLoadState('load'), page.click('#apply')]);
		const r2 = await page.textContent('#refusal');
		ok(/column ProxyKeepAliveTime: .*out of range/.test(r2), 'form refusal names the column', r2);
		ok(await page.$('tr.bad') !== null, 'refused field marked');
		await page.screenshot({ path: path.join(art, 'refusal-form.png'), fullPage: true });

		await page.goto(`${url}/files`);
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-ini')]);
		const saved = path.join(art, 'downloaded.ini');
		await dl.saveAs(saved);
		const ini = fs.readFileSync(saved, 'utf8');
		ok(dl.suggestedFilename() === 'board.ini' && /^\[WEB Params\]/m.test(ini),
		   'INI downloaded', dl.suggestedFilename());
		await page.screenshot({ path: path.join(art, 'files.png'), fullPage: true });
		let dialogs = 0;
		page.on('dialog', d => { dialogs++; d.dismiss(); });
		await page.goto(`${url}/table/ProxySet`);
		ok(dialogs === 0, 'no script ran from injected names');

		await page.goto(`${url}/files`);
		await Promise.all([page.waitForURL('**/actions/reset'), page.click('#reset')]);
		ok(/Reset now/.test(await page.textContent('#reset-confirm')),
		   'Reset asks for a confirmation first');
		await Promise.all([page.waitForLoadState('load'), page.click('#reset-confirm')]);
		const h1 = await page.textContent('h1');
		ok(/restarting/.test(h1), 'Reset answers with a page saying the device is restarting', h1);
		await page.screenshot({ path: path.join(art, 'reset.png'), fullPage: true });
		await page.waitForURL(u => !/actions\/reset/.test(u.toString()), { timeout: 60000 });
		ok(true, 'the Reset page reloaded itself when the web was back');
		await page.screenshot({ path: path.join(art, 'after-reset.png'), fullPage: true });
	} catch (e) {
		ok(false, 'browser run', e.message);
		await page.screenshot({ path: path.join(art, 'error.png'), fullPage: true }).catch(() => {});
	}
	await ctx.close();
	process.exit(failed ? 1 : 0);
})();
