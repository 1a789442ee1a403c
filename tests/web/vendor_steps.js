// The vendor's HTTPS procedure (doc/WEB.md "The vendor's steps"), walked in headless Chromium at
// 1280x800 by clicking only: after the first page (the device's address) no URL is typed.
//   1 TLS Contexts table   2 select the row, Certificate Information
//   3 Change Certificates: CSR, signed by the CA, device certificate loaded
//   4 Trusted Root Certificates: Import   5 Web Security Settings: HTTPS only, client certificates
//   6 Save to flash, Reset; the device is then reached over HTTPS with the client certificate.
// Env: WEB_URL, WEB_USER, WEB_PASS, PKI (dir), ART (artifacts dir), CHROMIUM.
// Prints "ok <what>" / "FAIL <what>" lines for tests/integration/web_vendor_steps.sh to count.
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const path = require('path');

const url = process.env.WEB_URL, art = process.env.ART, pki = process.env.PKI;
let failed = 0;
const ok = (c, what, extra) => {
	console.log(`${c ? 'ok' : 'FAIL'} ${what}${!c && extra ? ': ' + extra : ''}`);
	if (!c) failed++;
};
const W = 1280, H = 800;

(async () => {
	const ctx = await chromium.launchPersistentContext(path.join(art, 'chromium-profile'), {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 30000,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: W, height: H },
		// presented only when the server asks: after step 6 it does
		clientCertificates: [{ origin: url, certPath: path.join(pki, 'admin.crt'),
				       keyPath: path.join(pki, 'admin.key') }],
	});
	const page = await ctx.newPage();
	page.setDefaultTimeout(20000);
	const shot = name => page.screenshot({ path: path.join(art, name + '.png') });
	const click = sel => Promise.all([page.waitForEvent('load'), page.click(sel)]);
	const text = async sel => (await page.$(sel)) ? await page.textContent(sel) : '';
	const noRaw = async where => {
		const body = await page.textContent('body');
		ok(!/#(code|access|pending) /.test(body), `${where}: no raw #code/#access/#pending line`);
	};
	// every row action inside the 1280 px window, not clipped, no horizontal scrolling
	const actionsFit = async where => {
		const m = await page.evaluate(() => {
			let right = 0, hidden = [];
			for (const e of document.querySelectorAll('td.act a, td.act button')) {
				const b = e.getBoundingClientRect();
				right = Math.max(right, b.right);
				e.scrollIntoView({ block: 'center', inline: 'nearest' });
				const c = e.getBoundingClientRect();
				const at = document.elementFromPoint(c.left + c.width - 3, c.top + c.height / 2);
				if (!at || !e.contains(at))
					hidden.push(e.textContent);
			}
			const s = document.querySelector('.scroll');
			return { right, hidden, doc: document.documentElement.scrollWidth,
				 overflow: s ? s.scrollWidth - s.clientWidth : 0 };
		});
		ok(m.right > 0 && m.right <= W && !m.hidden.length && m.doc <= W && m.overflow <= 0,
		   `${where}: row actions visible at ${W} px without scrolling`, JSON.stringify(m));
	};
	try {
		await page.goto(`${url}/`); // the device's address: the only URL of the test
		await page.fill('#u', process.env.WEB_USER);
		await page.fill('#p', process.env.WEB_PASS);
		await click('button[type=submit]');
		ok(/Dashboard/.test(await text('h1')), 'logged in with the password (the dashboard)');
		ok(!(await page.$('#banner')), 'fresh device: no banner (nothing unsaved or pending)');

		// step 1: the TLS Contexts table
		await click('#nav-tls-contexts');
		ok(/TLSContexts/.test(await text('h1')), 'step 1: TLS Contexts table opened');
		ok(/default/.test(await text('#rows')), 'step 1: context 0 "default" listed');
		const below = await page.$$eval('#row-links a', as => as.map(a => a.textContent));
		ok(JSON.stringify(below) === JSON.stringify(['Certificate Information',
			'Change Certificates', 'Trusted Root Certificates']),
		   'step 1: links below the table in the vendor\'s order', JSON.stringify(below));
		ok(/^Edit$/.test((await text('#edit-0')).trim()), 'step 1: the row has an Edit button');
		await actionsFit('TLS Contexts');
		await shot('1-tls-contexts');

		// step 2: select the row, Certificate Information
		await click('#select-0');
		ok((await page.getAttribute('#rows tr.sel a', 'id')) === 'select-0', 'step 2: row 0 selected');
		await click('#cert-info');
		ok(/Certificate Information/.test(await text('h1')), 'step 2: Certificate Information');
		const info = await text('table.kv');
		ok(/Subject/.test(info) && /SHA-256/.test(info), 'step 2: the device certificate shown');
		await shot('2-certificate-information');

		// step 3: Change Certificates: CSR, signed by the CA, loaded
		await click('#back-contexts');
		await click('#select-0');
		await click('#change-certs');
		ok(/Change Certificates/.test(await text('h1')), 'step 3: Change Certificates');
		await page.fill('#csr-subject', 'CN=sbc.vendor-steps.test,O=SBC test');
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#csr-create')]);
		const csr = path.join(art, 'request.csr'), crt = path.join(art, 'device.crt');
		await dl.saveAs(csr);
		execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', path.join(pki, 'ca.crt'),
			'-CAkey', path.join(pki, 'ca.key'), '-CAcreateserial', '-days', '30',
			'-extfile', path.join(pki, 'ext.cnf'), '-extensions', 'server', '-out', crt],
			{ stdio: 'ignore' });
		ok(true, 'step 3: CSR downloaded and signed by the CA');
		await page.setInputFiles('#cert-file', crt);
		await click('#cert-load');
		const now = await text('table.kv');
		ok(/sbc\.vendor-steps\.test/.test(now) && /SBC test CA/.test(now) &&
		   !/does not match/.test(now), 'step 3: device certificate loaded, issued by the CA',
		   now.slice(0, 300));
		ok(!!(await page.$('#unsaved')), 'step 3: banner shows the unsaved change');
		await shot('3-change-certificates');

		// step 4: Trusted Root Certificates, Import
		await click('#back-contexts');
		await click('#select-0');
		await click('#trusted-roots');
		ok(/Trusted Root Certificates/.test(await text('h1')), 'step 4: Trusted Root Certificates');
		ok(/^Import$/.test((await text('#roots-import')).trim()), 'step 4: the Import button');
		await page.setInputFiles('#roots-file', [path.join(pki, 'ca.crt'),
							 path.join(pki, 'admin.crt')]);
		await click('#roots-import');
		const roots = await text('#roots');
		ok(/SBC test CA/.test(roots) && /CN=Admin/.test(roots),
		   'step 4: the CA and the operator\'s certificate are trusted', roots.slice(0, 300));
		await shot('4-trusted-roots');

		// step 5: Web Security Settings
		await click('#nav-web-security');
		ok(/Web Security Settings/.test(await text('h1')), 'step 5: Web Security Settings');
		await page.selectOption('#c_HTTPSOnly', '1');
		await page.selectOption('#c_HTTPSRequireClientCertificate', '1');
		ok((await text('#apply-WEB')).trim() === 'Apply', 'step 5: the button says Apply');
		await click('#apply-WEB');
		ok(/applied to the running configuration/.test(await text('.note.ok')),
		   'step 5: applied to the running configuration');
		const pend = await text('#pending');
		ok(/HTTPSOnly/.test(pend) && /HTTPSRequireClientCertificate/.test(pend),
		   'step 5: banner lists both settings as waiting for a reset', pend.slice(0, 300));
		ok(/access/.test(await page.getAttribute('#pending', 'class')),
		   'step 5: the change of how the web is reached stands out');
		if (await page.$('#access'))
			ok(/HTTPSOnly/.test(await text('#access')), 'step 5: the reply\'s #access block');
		ok((await text('#banner-save')).trim() === 'Save to flash',
		   'step 5: banner offers Save to flash');
		await noRaw('Web Security Settings');
		await shot('5-web-security-settings');

		// step 6: Save to flash, Reset
		await click('#banner-save');
		ok(/Saved to flash/.test(await text('.note.ok')), 'step 6: saved to flash');
		ok(!(await page.$('#unsaved')), 'step 6: unsaved banner gone after the save');
		ok(!!(await page.$('#pending')), 'step 6: reset-pending banner still there');
		await click('#banner-reset');
		ok(/Device reset/.test(await text('h1')) &&
		   (await text('#reset-confirm')).trim() === 'Reset now',
		   'step 6: Reset asks for a confirmation');
		await shot('6-reset-confirm');
		await click('#reset-confirm');
		ok(/restarting/.test(await text('h1')), 'step 6: the device is restarting');
		await page.waitForURL(u => !/actions\/reset/.test(u.toString()), { timeout: 90000 });
		await page.waitForSelector('.who', { timeout: 30000 });
		ok(/Admin.*client certificate/.test(await text('.who')),
		   'after the reset: logged in by the client certificate, no password',
		   await text('.who'));
		ok(!(await page.$('#banner')), 'after the reset: nothing unsaved or pending');
		await shot('7-after-reset');

		// every configuration table keeps its row actions within 1280 px
		const tables = await page.$$eval('nav a[href^="/table/"]',
						 as => [...new Set(as.map(a => a.textContent))]);
		for (const t of tables) {
			await click(`nav a:text-is("${t}")`);
			if (await page.$('td.act'))
				await actionsFit(t);
		}
	} catch (e) {
		ok(false, 'browser run', e.message);
		await page.screenshot({ path: path.join(art, 'error.png'), fullPage: true }).catch(() => {});
	}
	await ctx.close();
	process.exit(failed ? 1 : 0);
})();
