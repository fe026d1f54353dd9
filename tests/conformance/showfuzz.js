#!/usr/bin/env node
/* showfuzz.js: `flytec --show` on damaged artifacts must end with status 0
 * (and print valid JSON) or 1 (and say why), never crash. Takes the .pb
 * files and the package of one case (a WORKDIR prepared by conformance.sh),
 * damages them in a fixed pseudo-random way (truncation, bit flips, inserted
 * and overwritten bytes; for the package, damaged tar data re-gzipped and
 * truncated gzip), and runs flytec on each. Prints TAP: one line for the
 * .pb files, one for the package.
 *
 * usage: node showfuzz.js FLYTEC WORKDIR N   (FLYTEC_WRAPPER: a command prefix) */
'use strict';

const fs = require('fs');
const path = require('path');
const os = require('os');
const zlib = require('zlib');
const cp = require('child_process');

const [flytec, workdir, nArg] = process.argv.slice(2);
const n = Number(nArg) || 200;
const wrapper = (process.env.FLYTEC_WRAPPER || '').split(/\s+/).filter(Boolean);
let seed = 20240501;
const rnd = () => {
	seed = (seed * 1103515245 + 12345) & 0x7fffffff;
	return seed / 0x7fffffff;
};
const pick = (k) => Math.floor(rnd() * k);

function damage(d) {
	d = Buffer.from(d);
	switch (pick(4)) {
	case 0: return d.subarray(0, pick(d.length));
	case 1:
		for (let k = 0, m = 1 + pick(5); k < m; k++) d[pick(d.length)] ^= 1 << pick(8);
		return d;
	case 2: {
		const at = pick(d.length);
		return Buffer.concat([d.subarray(0, at), Buffer.from([pick(256), pick(256)]), d.subarray(at)]);
	}
	default:
		d[pick(d.length)] = pick(256);
		return d;
	}
}

function run(file) {
	const argv = wrapper.concat([flytec, `--show=${file}`]);
	const r = cp.spawnSync(argv[0], argv.slice(1), {maxBuffer: 1 << 28});
	if (r.status === 0) {
		try {
			JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(r.stdout));
		} catch (e) {
			return `status 0 but the output is not JSON: ${e.message}`;
		}
		return null;
	}
	if (r.status === 1) return r.stderr.length ? null : 'status 1 without a message';
	return `status ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}: ${String(r.stderr).slice(0, 300)}`;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flytec-showfuzz.'));
const out = [];
try {
	const pbs = fs.readdirSync(path.join(workdir, 'pb')).filter((f) => f.endsWith('.pb')).sort();
	const errs = [];
	let shown = 0;
	for (let i = 0; i < n && pbs.length; i++) {
		const f = pbs[pick(pbs.length)];
		const p = path.join(tmp, f);
		fs.writeFileSync(p, damage(fs.readFileSync(path.join(workdir, 'pb', f))));
		const e = run(p);
		if (e) {
			errs.push(`${f} (damage ${i}): ${e}`);
			fs.copyFileSync(p, path.join(tmp, `bad${i}_${f}`));
		} else shown++;
	}
	out.push({ok: errs.length === 0, name: `--show on ${n} damaged .pb files: status 0 with JSON or 1 with a message, never a crash`, diag: errs});
	const tgz = fs.readFileSync(path.join(workdir, 'a.tgz'));
	const tar = zlib.gunzipSync(tgz);
	const terrs = [];
	const m = Math.max(1, Math.floor(n / 2));
	for (let i = 0; i < m; i++) {
		let d;
		switch (pick(3)) {
		case 0: d = tgz.subarray(0, pick(tgz.length)); break;
		case 1: d = zlib.gzipSync(damage(tar)); break;
		default: d = zlib.gzipSync(tar.subarray(0, pick(tar.length)));
		}
		const p = path.join(tmp, 'x.tgz');
		fs.writeFileSync(p, d);
		const e = run(p);
		if (e) terrs.push(`damage ${i}: ${e}`);
	}
	out.push({ok: terrs.length === 0, name: `--show on ${m} damaged packages: status 0 with JSON or 1 with a message, never a crash`, diag: terrs});
	void shown;
} finally {
	fs.rmSync(tmp, {recursive: true, force: true});
}
console.log(`1..${out.length}`);
out.forEach((r, i) => {
	console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - showfuzz: ${r.name}`);
	for (const d of r.diag.slice(0, 10)) console.log(`# ${d}`);
});
