#!/usr/bin/env node
/* verify.js: checks flytec's registration artifacts against the real
 * flyteidl schema (the npm package's gen/pb-js/flyteidl.js, decoded with
 * protobufjs) and the acceptance checklist of registration-artifacts.md §8.
 * Prints TAP: one line per property per case (a "group": one .flyte file).
 *
 * usage: node verify.js --modules DIR --version V LIST
 *   DIR      the node_modules holding @flyteorg/flyteidl and protobufjs
 *   V        flytec's version (TaskMetadata.runtime.version)
 *   LIST     lines "GROUP<TAB>WORKDIR", prepared by conformance.sh. WORKDIR has
 *              status        flytec's exit status for each emit (one line: "pb package package json")
 *              module        the module name; entrypoint: the expected args[0]
 *              imports       the modules it imports, one a line (their tasks are in the package too)
 *              pb/           --emit=pb output (the loose files)
 *              a.tgz b.tgz   two --emit=package runs; tar.rc: `tar tzf a.tgz` status
 *              emit.json     --emit=json; show.json: --show=a.tgz; show/FILE.json: --show=pb/FILE
 *              dec/FILE.txt  protoc --decode=... < pb/FILE; dec/FILE.rc its status
 *
 * Properties (§8, adjusted to flytec's documented decisions, DESIGN.md §5):
 *   P1-P5 package layout and determinism, F1-F5 per file, X1-X4 cross-file,
 *   T1-T7 task templates, W1-W7 workflows, A1-A6 array nodes and map tasks,
 *   L1-L4 launch plans, R1-R4 registration rules of FlyteAdmin and flytepropeller
 *   that §11 of docs/registration.md lists (ported), J1-J3 the JSON views (--emit=json, --show) against
 *   protobuf's canonical JSON mapping computed here from the decoded bytes. */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

/* ---- arguments --------------------------------------------------------- */

/* As a module (selftest.js), the arguments come from global.verifyArgv. */
const asModule = require.main !== module;
const argv = asModule ? global.verifyArgv : process.argv.slice(2);
let modulesDir = null, flytecVersion = null, listFile = null;
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	if (a === '--modules') modulesDir = argv[++i];
	else if (a === '--version') flytecVersion = argv[++i];
	else listFile = a;
}
if (!modulesDir || !flytecVersion || (!listFile && !asModule)) {
	console.log('Bail out! usage: verify.js --modules DIR --version V LIST');
	process.exit(1);
}

const minimal = require(path.join(modulesDir, 'protobufjs/minimal'));
const protobuf = require(path.join(modulesDir, 'protobufjs'));
const fl = require(path.join(modulesDir, '@flyteorg/flyteidl/gen/pb-js/flyteidl.js')).flyteidl;
const protosDir = path.join(modulesDir, '@flyteorg/flyteidl/protos');
const util = minimal.util;

const core = fl.core, admin = fl.admin;
const RT = core.ResourceType;
const ST = core.SimpleType;
const KIND_MSG = {1: admin.TaskSpec, 2: admin.WorkflowSpec, 3: admin.LaunchPlan};
const KIND_NAME = {1: 'flyteidl.admin.TaskSpec', 2: 'flyteidl.admin.WorkflowSpec', 3: 'flyteidl.admin.LaunchPlan'};

/* Reflection (from the .proto files, proto field names) for the wire walk
 * and the canonical JSON mapping. */
const reflRoot = new protobuf.Root();
reflRoot.resolvePath = (origin, target) => {
	if (target.indexOf('google/protobuf/') >= 0) return target;  /* protobufjs bundles these */
	if (path.isAbsolute(target)) return target;
	return path.join(protosDir, target);
};
reflRoot.loadSync(['flyteidl/admin/task.proto', 'flyteidl/admin/workflow.proto',
	'flyteidl/admin/launch_plan.proto', 'flyteidl/plugins/array_job.proto'], {keepCase: true});
reflRoot.resolveAll();

/* ---- TAP ---------------------------------------------------------------- */

const results = [];  /* {ok, name, diag[], todo} */
/* Known open problems: a failure whose every error matches one of these is
 * reported as TODO (an expected failure), with the reason. */
const KNOWN = [];
function report(group, prop, title, errors) {
	let todo = null;
	if (errors.length) {
		const k = KNOWN.find((kn) => errors.every((e) => kn.re.test(e)));
		if (k) todo = k.why;
	}
	results.push({ok: errors.length === 0, name: `${group}: ${prop} ${title}`, diag: errors.slice(0, 12),
		more: Math.max(0, errors.length - 12), todo});
}

/* ---- small helpers ------------------------------------------------------ */

const has = (o, k) => o != null && Object.prototype.hasOwnProperty.call(o, k);
const present = (o, k) => has(o, k) && o[k] != null;
const str = (x) => (x == null ? '' : String(x));
const num = (x) => (x == null ? 0 : typeof x === 'number' ? x : Number(x.toString()));
const idStr = (id) => id == null ? '<null>' :
	`${id.resourceType || 0}/${str(id.project)}/${str(id.domain)}/${str(id.name)}/${str(id.version)}/${str(id.org)}`;
const sameId = (a, b) => a != null && b != null && idStr(a) === idStr(b);
function bytesCompare(a, b) {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
function isSortedUnique(xs) {
	for (let i = 1; i < xs.length; i++) if (bytesCompare(xs[i - 1], xs[i]) >= 0) return false;
	return true;
}
function md5(s) {
	return crypto.createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex');
}
/* Python's repr() of a float. */
function pyRepr(x) {
	if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
	let s = String(x);  /* JS: shortest round trip, like Python */
	const m = /^(-?)(\d)(?:\.(\d+))?e([+-])(\d+)$/.exec(s);
	if (m) {
		const exp = m[5].length < 2 ? '0' + m[5] : m[5];
		return `${m[1]}${m[2]}${m[3] ? '.' + m[3] : ''}e${m[4]}${exp}`;
	}
	/* JS prints 1e-7 as "1e-7" (handled above) but 0.000001 as "0.000001"; Python switches at 1e-4 */
	if (Math.abs(x) < 1e-4 && x !== 0) {
		const e = x.toExponential();
		const mm = /^(-?)(\d)(?:\.(\d+))?e([+-])(\d+)$/.exec(e);
		const exp = mm[5].length < 2 ? '0' + mm[5] : mm[5];
		return `${mm[1]}${mm[2]}${mm[3] ? '.' + mm[3] : ''}e${mm[4]}${exp}`;
	}
	return s;
}
/* The shortest decimal that reads back as the same float32 (Python
 * protobuf's ToShortestFloat, C++'s SimpleFtoa). */
function shortestFloat(f) {
	if (!isFinite(f)) return f;
	for (let p = 1; p <= 9; p++) {
		const v = Number(f.toPrecision(p));
		if (Math.fround(v) === f) return v;
	}
	return f;
}

/* flytekit's _dnsify (flytekit/core/utils.py) */
function dnsify(value) {
	const MAX = 63, HASH_LEN = 10;
	if (value.length >= MAX) {
		const h = crypto.createHash('sha224').update(Buffer.from(value, 'utf8')).digest('hex').slice(0, HASH_LEN);
		value = `${h}-${value.slice(value.length - (MAX - HASH_LEN - 1))}`;
	}
	let res = '';
	for (const ch of value) {
		if (ch === '_' || ch === '-' || ch === '.') {
			if (res !== '' && res.length < 62) res += '-';
		} else if (!/^[A-Za-z0-9]$/.test(ch)) {
			/* dropped */
		} else if (/^[a-z0-9]$/.test(ch)) {
			res += ch;
		} else {
			if (res !== '' && res[res.length - 1] !== '-' && res.length < 62) res += '-';
			res += ch.toLowerCase();
		}
	}
	if (res.endsWith('-')) res = res.slice(0, -1);
	return res;
}

/* ---- tar ---------------------------------------------------------------- */

function parseOctal(buf, off, len) {
	const s = buf.toString('latin1', off, off + len).replace(/\0.*$/, '').trim();
	return s === '' ? 0 : parseInt(s, 8);
}
/* Members of a tar: [{name, type, mode, size, data, uid, gid, mtime}] or throws. */
function readTar(buf) {
	const out = [];
	let off = 0, pax = null, zeros = 0;
	while (off + 512 <= buf.length) {
		const h = buf.subarray(off, off + 512);
		if (h.every((b) => b === 0)) {
			zeros++;
			off += 512;
			if (zeros === 2) break;
			continue;
		}
		let sum = 0;
		for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
		if (sum !== parseOctal(h, 148, 8)) throw new Error(`bad header checksum at offset ${off}`);
		const magic = h.toString('latin1', 257, 263);
		let name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
		const prefix = magic.startsWith('ustar') ? h.toString('utf8', 345, 500).replace(/\0.*$/s, '') : '';
		if (prefix) name = prefix + '/' + name;
		const type = String.fromCharCode(h[156] || 0x30);
		const size = parseOctal(h, 124, 12);
		const data = buf.subarray(off + 512, off + 512 + size);
		if (data.length !== size) throw new Error(`truncated member ${name}`);
		off += 512 + Math.ceil(size / 512) * 512;
		if (type === 'x') {
			pax = {};
			let s = data.toString('utf8');
			while (s.length) {
				const sp = s.indexOf(' ');
				const len = parseInt(s.slice(0, sp), 10);
				const rec = Buffer.from(s, 'utf8').subarray(0, len).toString('utf8');
				const kv = rec.slice(sp + 1, -1);
				const eq = kv.indexOf('=');
				pax[kv.slice(0, eq)] = kv.slice(eq + 1);
				s = Buffer.from(s, 'utf8').subarray(len).toString('utf8');
			}
			continue;
		}
		if (type === 'g') continue;
		if (pax && pax.path) name = pax.path;
		out.push({name, type, mode: parseOctal(h, 100, 8), uid: parseOctal(h, 108, 8),
			gid: parseOctal(h, 116, 8), mtime: pax && pax.mtime ? Number(pax.mtime) : parseOctal(h, 136, 12),
			size, data: Buffer.from(data), magic});
		pax = null;
	}
	if (zeros < 2) throw new Error('no end-of-archive marker');
	return out;
}

/* ---- the wire walk: unknown fields, wire types, UTF-8 ------------------- */

const WIRE = {double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5, int64: 0, uint64: 0,
	sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2};
const utf8 = new TextDecoder('utf-8', {fatal: true});

function readVarint(buf, pos) {
	let shift = 0n, v = 0n;
	for (;;) {
		if (pos.i >= buf.length) throw new Error('truncated varint');
		const b = buf[pos.i++];
		v |= BigInt(b & 0x7f) << shift;
		if (!(b & 0x80)) return v;
		shift += 7n;
		if (shift > 63n) throw new Error('varint too long');
	}
}

/* Walks a message's bytes by its reflected type; pushes problems to errs. */
function walkWire(type, buf, where, errs, depth) {
	if (depth > 100) {
		errs.push(`${where}: nested more than 100 levels`);
		return;
	}
	const pos = {i: 0};
	while (pos.i < buf.length) {
		let key;
		try {
			key = readVarint(buf, pos);
		} catch (e) {
			errs.push(`${where}: ${e.message}`);
			return;
		}
		const id = Number(key >> 3n), wt = Number(key & 7n);
		const f = type.fieldsById[id];
		let payload = null;
		try {
			if (wt === 0) readVarint(buf, pos);
			else if (wt === 1) pos.i += 8;
			else if (wt === 5) pos.i += 4;
			else if (wt === 2) {
				const len = Number(readVarint(buf, pos));
				payload = buf.subarray(pos.i, pos.i + len);
				if (payload.length !== len) throw new Error('truncated field');
				pos.i += len;
			} else throw new Error(`wire type ${wt}`);
			if (pos.i > buf.length) throw new Error('truncated field');
		} catch (e) {
			errs.push(`${where}: field ${id}: ${e.message}`);
			return;
		}
		if (!f) {
			errs.push(`${where}: unknown field ${id} (wire type ${wt}) in ${type.fullName}`);
			continue;
		}
		const fname = `${where}.${f.name}`;
		if (f.map) {
			if (wt !== 2) {
				errs.push(`${fname}: map entry with wire type ${wt}`);
				continue;
			}
			/* a map entry: key = 1, value = 2 */
			const p2 = {i: 0};
			while (p2.i < payload.length) {
				const k = readVarint(payload, p2);
				const eid = Number(k >> 3n), ewt = Number(k & 7n);
				if (ewt === 2) {
					const len = Number(readVarint(payload, p2));
					const sub = payload.subarray(p2.i, p2.i + len);
					p2.i += len;
					if (eid === 1 && f.keyType === 'string') {
						try {
							utf8.decode(sub);
						} catch (e) {
							errs.push(`${fname}: a key is not valid UTF-8`);
						}
					} else if (eid === 2 && f.resolvedType instanceof protobuf.Type) {
						walkWire(f.resolvedType, sub, `${fname}[]`, errs, depth + 1);
					} else if (eid === 2 && f.type === 'string') {
						try {
							utf8.decode(sub);
						} catch (e) {
							errs.push(`${fname}: a value is not valid UTF-8`);
						}
					}
				} else if (ewt === 0) readVarint(payload, p2);
				else if (ewt === 1) p2.i += 8;
				else if (ewt === 5) p2.i += 4;
				else {
					errs.push(`${fname}: bad map entry`);
					break;
				}
			}
			continue;
		}
		if (f.resolvedType instanceof protobuf.Type) {
			if (wt !== 2) errs.push(`${fname}: message with wire type ${wt}`);
			else walkWire(f.resolvedType, payload, fname, errs, depth + 1);
			continue;
		}
		const want = f.resolvedType instanceof protobuf.Enum ? 0 : WIRE[f.type];
		if (f.type === 'string') {
			if (wt !== 2) errs.push(`${fname}: string with wire type ${wt}`);
			else {
				try {
					utf8.decode(payload);
				} catch (e) {
					errs.push(`${fname}: not valid UTF-8`);
				}
			}
			continue;
		}
		if (wt !== want && !(f.repeated && wt === 2 && want !== 2))
			errs.push(`${fname}: wire type ${wt}, the schema says ${want}`);
	}
}

/* ---- canonical JSON (proto3 JSON mapping) from reflection ---------------- */

function jsonName(n) {
	let out = '', up = false;
	for (const ch of n) {
		if (ch === '_') {
			up = true;
			continue;
		}
		out += up ? ch.toUpperCase() : ch;
		up = false;
	}
	return out;
}
function longStr(v, unsigned) {
	if (v == null) return '0';
	if (typeof v === 'number') return String(v);
	if (typeof v === 'object' && 'low' in v) {
		const L = util.Long;
		return L.fromBits(v.low, v.high, unsigned || v.unsigned).toString();
	}
	return String(v);
}
function fracDigits(nanos) {
	if (nanos === 0) return '';
	if (nanos % 1000000 === 0) return '.' + String(nanos / 1000000).padStart(3, '0');
	if (nanos % 1000 === 0) return '.' + String(nanos / 1000).padStart(6, '0');
	return '.' + String(nanos).padStart(9, '0');
}
function scalarJson(f, v) {
	if (f.resolvedType instanceof protobuf.Enum) {
		const name = f.resolvedType.valuesById[v];
		return name !== undefined ? name : v;
	}
	switch (f.type) {
	case 'int64': case 'sint64': case 'sfixed64': return longStr(v, false);
	case 'uint64': case 'fixed64': return longStr(v, true);
	case 'float': return typeof v === 'number' && !isFinite(v) ? String(v).replace('Infinity', 'Infinity') : shortestFloat(v);
	case 'double': return typeof v === 'number' && !isFinite(v) ? (isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v;
	case 'bytes': return Buffer.from(v).toString('base64');
	default: return v;
	}
}
function defaultScalar(f, v) {
	if (v == null) return true;
	if (f.resolvedType instanceof protobuf.Enum) return v === 0;
	switch (f.type) {
	case 'string': return v === '';
	case 'bytes': return v.length === 0;
	case 'bool': return v === false;
	case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64':
		return longStr(v) === '0';
	default: return v === 0;
	}
}
function canon(type, m) {
	switch (type.fullName) {
	case '.google.protobuf.Timestamp': {
		const secs = BigInt(longStr(m.seconds)), nanos = m.nanos || 0;
		const d = new Date(Number(secs) * 1000);
		const iso = d.toISOString().replace(/\.\d{3}Z$/, '');
		return iso + fracDigits(nanos) + 'Z';
	}
	case '.google.protobuf.Duration': {
		let secs = BigInt(longStr(m.seconds)), nanos = m.nanos || 0;
		const neg = secs < 0n || nanos < 0;
		if (secs < 0n) secs = -secs;
		if (nanos < 0) nanos = -nanos;
		return `${neg ? '-' : ''}${secs}${fracDigits(nanos)}s`;
	}
	case '.google.protobuf.Struct': {
		const o = {};
		for (const k of Object.keys(m.fields || {})) o[k] = canon(type.fields.fields.resolvedType, m.fields[k]);
		return o;
	}
	case '.google.protobuf.ListValue':
		return (m.values || []).map((v) => canon(type.fields.values.resolvedType, v));
	case '.google.protobuf.Value': {
		/* protobufjs's bundled google types have camelCase names */
		const pick = (a, b) => (present(m, a) ? [a] : present(m, b) ? [b] : null);
		let k;
		if ((k = pick('null_value', 'nullValue'))) return null;
		if ((k = pick('number_value', 'numberValue'))) return m[k[0]];
		if ((k = pick('string_value', 'stringValue'))) return m[k[0]];
		if ((k = pick('bool_value', 'boolValue'))) return m[k[0]];
		if ((k = pick('struct_value', 'structValue'))) return canon(type.fields[k[0]].resolvedType, m[k[0]]);
		if ((k = pick('list_value', 'listValue'))) return canon(type.fields[k[0]].resolvedType, m[k[0]]);
		return null;
	}
	case '.google.protobuf.BoolValue': case '.google.protobuf.StringValue': case '.google.protobuf.BytesValue':
	case '.google.protobuf.Int32Value': case '.google.protobuf.UInt32Value': case '.google.protobuf.Int64Value':
	case '.google.protobuf.UInt64Value': case '.google.protobuf.FloatValue': case '.google.protobuf.DoubleValue': {
		const f = type.fields.value;
		const v = has(m, 'value') ? m.value : (f.type === 'string' ? '' : f.type === 'bool' ? false : f.type === 'bytes' ? [] : 0);
		return scalarJson(f, v);
	}
	}
	const o = {};
	const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
	for (const f of fields) {
		const v = m[f.name];
		const key = jsonName(f.name);
		const isMsg = f.resolvedType instanceof protobuf.Type;
		if (f.map) {
			const keys = v ? Object.keys(v) : [];
			if (!keys.length) continue;
			const mo = {};
			for (const k of keys) mo[k] = isMsg ? canon(f.resolvedType, v[k]) : scalarJson(f, v[k]);
			o[key] = mo;
		} else if (f.repeated) {
			if (!v || !v.length) continue;
			o[key] = v.map((x) => (isMsg ? canon(f.resolvedType, x) : scalarJson(f, x)));
		} else if (f.partOf) {
			if (!has(m, f.name) || v == null) continue;
			if (m[f.partOf.name] !== undefined && m[f.partOf.name] !== f.name) continue;
			o[key] = isMsg ? canon(f.resolvedType, v) : scalarJson(f, v);
		} else if (isMsg) {
			if (v == null) continue;
			o[key] = canon(f.resolvedType, v);
		} else {
			if (defaultScalar(f, v)) continue;
			o[key] = scalarJson(f, v);
		}
	}
	return o;
}
function reflDecode(kind, buf) {
	const t = reflRoot.lookupType(KIND_NAME[kind]);
	const m = t.decode(buf);
	return canon(t, m);
}
function firstDiff(a, b, where) {
	if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
		return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
	if (a && typeof a === 'object') {
		const ka = Object.keys(a), kb = Object.keys(b);
		if (ka.join('\0') !== kb.join('\0')) return `${where}: keys [${ka}] vs [${kb}]`;
		for (const k of ka) {
			const d = firstDiff(a[k], b[k], `${where}.${k}`);
			if (d) return d;
		}
		return null;
	}
	return a === b ? null : `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/* ---- deterministic re-encoding with the static code --------------------- */

/* Wraps every map field (recognized by its prototype default,
 * util.emptyObject) in a proxy whose keys come out sorted by their UTF-8
 * bytes, which is what a deterministic serializer writes. */
function sortMaps(msg) {
	if (msg == null || typeof msg !== 'object') return msg;
	if (Array.isArray(msg)) {
		for (let i = 0; i < msg.length; i++) msg[i] = sortMaps(msg[i]);
		return msg;
	}
	if (typeof msg.constructor !== 'function' || typeof msg.constructor.encode !== 'function') return msg;
	const proto = Object.getPrototypeOf(msg);
	for (const k of Object.keys(msg)) {
		const v = msg[k];
		if (proto[k] === util.emptyObject && v && typeof v === 'object') {
			for (const kk of Object.keys(v)) v[kk] = sortMaps(v[kk]);
			msg[k] = new Proxy(v, {ownKeys: (t) => Reflect.ownKeys(t).sort(bytesCompare)});
		} else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
			msg[k] = sortMaps(v);
		}
	}
	return msg;
}

/* Every Identifier in a decoded message tree. */
function identifiers(msg, where, out) {
	if (msg == null || typeof msg !== 'object') return out;
	if (msg instanceof core.Identifier) {
		out.push({where, id: msg});
		return out;
	}
	if (Array.isArray(msg)) {
		msg.forEach((x, i) => identifiers(x, `${where}[${i}]`, out));
		return out;
	}
	if (msg instanceof Uint8Array || util.Long && msg instanceof util.Long) return out;
	for (const k of Object.keys(msg)) identifiers(msg[k], `${where}.${k}`, out);
	return out;
}
function strings(msg, out) {
	if (typeof msg === 'string') {
		out.push(msg);
		return out;
	}
	if (msg == null || typeof msg !== 'object' || msg instanceof Uint8Array) return out;
	for (const k of Object.keys(msg)) {
		strings(k, out);
		strings(msg[k], out);
	}
	return out;
}

/* ---- types -------------------------------------------------------------- */

function typeStr(t) {
	if (t == null) return '<none>';
	switch (t.type) {
	case 'simple': return Object.keys(ST).find((k) => ST[k] === t.simple) || `simple${t.simple}`;
	case 'collectionType': return `list[${typeStr(t.collectionType)}]`;
	case 'mapValueType': return `dict[${typeStr(t.mapValueType)}]`;
	case 'blob': return t.blob.dimensionality === core.BlobType.BlobDimensionality.MULTIPART ? 'dir' : 'file';
	case 'enumType': return `enum{${(t.enumType.values || []).join(',')}}`;
	case 'unionType': return `union[${(t.unionType.variants || []).map(typeStr).join(',')}]`;
	default: return `<${t.type}>`;
	}
}
function typeEq(a, b) {
	const strip = (t) => {
		if (t == null) return null;
		const o = core.LiteralType.toObject ? null : null;
		void o;
		return JSON.stringify(t, (k, v) => (k === 'structure' ? undefined : v));
	};
	return strip(a) === strip(b) && tagOf(a) === tagOf(b);
}
const tagOf = (t) => (t && t.structure ? str(t.structure.tag) : '');
/* flytekit's TypeTransformer names */
function expectedTag(t) {
	switch (t.type) {
	case 'simple':
		switch (t.simple) {
		case ST.INTEGER: return 'int';
		case ST.FLOAT: return 'float';
		case ST.STRING: return 'str';
		case ST.BOOLEAN: return 'bool';
		case ST.DATETIME: return 'datetime';
		case ST.DURATION: return 'timedelta';
		case ST.BINARY: return 'bytes';
		case ST.NONE: return 'none';
		default: return null;
		}
	case 'collectionType': return 'Typed List';
	case 'mapValueType': return 'Typed Dict';
	case 'blob': return t.blob.dimensionality === core.BlobType.BlobDimensionality.MULTIPART ? 'FlyteDirectory' : 'FlyteFilePath';
	case 'enumType': return 'DefaultEnumTransformer';
	default: return null;
	}
}
function isOptional(t) {
	return t && t.type === 'unionType' && (t.unionType.variants || []).some((v) => v.type === 'simple' && v.simple === ST.NONE);
}
/* propeller's AreTypesCastable, the parts flytec can produce */
function castable(up, down) {
	if (up == null || down == null) return false;
	if (down.type === 'unionType') {
		if (up.type === 'unionType')
			return (up.unionType.variants || []).every((v) => castable(v, down));
		let found = 0;
		for (const v of down.unionType.variants || []) {
			const tu = tagOf(up), tv = tagOf(v);
			if (tu && tv && tu !== tv) continue;
			if (castable(up, v)) found++;
		}
		return found === 1;
	}
	if (up.type === 'unionType') return false;
	switch (down.type) {
	case 'simple': return up.type === 'simple' && up.simple === down.simple;
	case 'collectionType': return up.type === 'collectionType' && castable(up.collectionType, down.collectionType);
	case 'mapValueType': return up.type === 'mapValueType' && castable(up.mapValueType, down.mapValueType);
	case 'blob': return up.type === 'blob' && up.blob.dimensionality === down.blob.dimensionality
		&& (!up.blob.format || !down.blob.format || up.blob.format === down.blob.format);
	case 'enumType': return up.type === 'enumType'
		&& (up.enumType.values || []).join('\0') === (down.enumType.values || []).join('\0');
	default: return false;
	}
}
function scalarType(s) {
	const mk = (o) => core.LiteralType.create(o);
	switch (s.value) {
	case 'primitive':
		switch (s.primitive.value) {
		case 'integer': return mk({simple: ST.INTEGER});
		case 'floatValue': return mk({simple: ST.FLOAT});
		case 'stringValue': return mk({simple: ST.STRING});
		case 'boolean': return mk({simple: ST.BOOLEAN});
		case 'datetime': return mk({simple: ST.DATETIME});
		case 'duration': return mk({simple: ST.DURATION});
		default: return null;
		}
	case 'binary': return mk({simple: ST.BINARY});
	case 'noneType': return mk({simple: ST.NONE});
	case 'blob': return mk({blob: s.blob.metadata ? s.blob.metadata.type : core.BlobType.create({})});
	case 'union': return s.union.type;
	default: return null;
	}
}
/* Checks a binding against the type it is bound to; pushes errors. */
function checkBinding(bd, want, where, ctx, errs) {
	if (bd == null) {
		errs.push(`${where}: no binding`);
		return;
	}
	if (want == null) {
		errs.push(`${where}: no type to bind to`);
		return;
	}
	switch (bd.value) {
	case 'promise': {
		const t = ctx.promiseType(bd.promise, where, errs);
		if (t && !castable(t, want)) errs.push(`${where}: ${typeStr(t)} does not cast to ${typeStr(want)}`);
		return;
	}
	case 'scalar': {
		const s = bd.scalar;
		if (want.type === 'enumType' && s.value === 'primitive' && s.primitive.value === 'stringValue') {
			if (!(want.enumType.values || []).includes(s.primitive.stringValue))
				errs.push(`${where}: '${s.primitive.stringValue}' is not a member of ${typeStr(want)}`);
			return;
		}
		if (s.value === 'union') {
			if (!s.union.value) errs.push(`${where}: union scalar without a value`);
			else {
				const inner = s.union.value.value === 'scalar' ? scalarType(s.union.value.scalar) : null;
				if (inner && s.union.type && !castable(inner, s.union.type) && !(s.union.type.type === 'enumType'))
					errs.push(`${where}: the union's value ${typeStr(inner)} is not its type ${typeStr(s.union.type)}`);
			}
			if (!s.union.type || !tagOf(s.union.type)) errs.push(`${where}: union scalar without a tagged type`);
		}
		const t = scalarType(s);
		if (t == null) errs.push(`${where}: unexpected scalar ${s.value}`);
		else if (!castable(t, want) && !(want.type === 'unionType' && s.value === 'primitive'
			&& s.primitive.value === 'stringValue' && want.unionType.variants.some((v) => v.type === 'enumType')))
			errs.push(`${where}: a ${typeStr(t)} literal does not cast to ${typeStr(want)}`);
		return;
	}
	case 'collection': {
		let w = want;
		if (w.type === 'unionType') w = (w.unionType.variants || []).find((v) => v.type === 'collectionType');
		if (!w || w.type !== 'collectionType') {
			errs.push(`${where}: a collection bound to ${typeStr(want)}`);
			return;
		}
		(bd.collection.bindings || []).forEach((b, i) => checkBinding(b, w.collectionType, `${where}[${i}]`, ctx, errs));
		return;
	}
	case 'map': {
		let w = want;
		if (w.type === 'unionType') w = (w.unionType.variants || []).find((v) => v.type === 'mapValueType');
		if (!w || w.type !== 'mapValueType') {
			errs.push(`${where}: a map bound to ${typeStr(want)}`);
			return;
		}
		const bs = bd.map.bindings || {};
		if (!isSortedUnique(Object.keys(bs))) errs.push(`${where}: map keys not sorted`);
		for (const k of Object.keys(bs)) checkBinding(bs[k], w.mapValueType, `${where}["${k}"]`, ctx, errs);
		return;
	}
	default:
		errs.push(`${where}: binding with ${bd.value}`);
	}
}

/* ---- one case ----------------------------------------------------------- */

const FILE_RE = /^([0-9]+)_(.+)_([123])\.pb$/;
const MAP_RE = /^(.*)\.map_(.+)_([0-9a-f]{32})(-arraynode)?$/;
const RESOURCE_ORDER = [1, 3, 2, 5];  /* CPU, MEMORY, GPU, EPHEMERAL_STORAGE (flytekit/core/resources.py) */

function parseQuantity(s) {
	const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/.exec(s);
	if (!m) return NaN;
	let v = Number(m[2]);
	const bin = {Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60};
	const dec = {n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18};
	if (m[3]) v *= bin[m[3]];
	else if (m[4]) v *= dec[m[4]];
	else if (m[5]) v *= 10 ** Number(m[5]);
	return m[1] === '-' ? -v : v;
}

function checkCase(group, dir) {
	const R = (prop, title, errs) => report(group, prop, title, errs);
	const read = (f) => fs.readFileSync(path.join(dir, f));
	const exists = (f) => fs.existsSync(path.join(dir, f));
	const status = exists('status') ? read('status').toString().trim().split(/\s+/) : ['?'];
	const module = read('module').toString().trim();
	const imported = new Set(exists('imports') ? read('imports').toString().split('\n').filter(Boolean) : []);
	const ownModule = (name) => name === module || imported.has(name);
	const entrypoint = read('entrypoint').toString().trim();
	const compileErrs = [];
	['--emit=pb', '--emit=package', '--emit=package (again)', '--emit=json'].forEach((what, i) => {
		if (status[i] !== '0') compileErrs.push(`flytec ${what} exited with ${status[i]}`);
	});
	if (compileErrs.length && exists('stderr')) compileErrs.push(...read('stderr').toString().split('\n').filter(Boolean));
	R('C0', 'flytec compiles the case', compileErrs);
	if (compileErrs.length) return;

	/* ---- P: the package ---- */
	const tgzA = read('a.tgz'), tgzB = read('b.tgz');
	let members = null;
	{
		const errs = [];
		const tarRc = exists('tar.rc') ? read('tar.rc').toString().trim() : '0';
		if (tarRc !== '0') errs.push(`tar tzf exited with ${tarRc}`);
		try {
			members = readTar(zlib.gunzipSync(tgzA));
		} catch (e) {
			errs.push(`not a gzip'd tar: ${e.message}`);
		}
		R('P1', 'the package is a valid gzip stream holding a valid tar', errs);
	}
	if (members == null) return;
	{
		const errs = [];
		const seen = new Set();
		for (const m of members) {
			if (m.type !== '0' && m.type !== '\0') errs.push(`${m.name}: typeflag '${m.type}'`);
			if (m.name.includes('/') || m.name.split('/').includes('..') || m.name.startsWith('/'))
				errs.push(`${m.name}: not a top-level name`);
			if (!(m.mode & 0o400)) errs.push(`${m.name}: mode ${m.mode.toString(8)} lacks owner read`);
			if (m.mode !== 0o644) errs.push(`${m.name}: mode ${m.mode.toString(8)}, expected 644`);
			if (seen.has(m.name)) errs.push(`${m.name}: twice`);
			seen.add(m.name);
		}
		R('P2', 'members are unique top-level regular files, mode 0644', errs);
	}
	{
		const errs = [];
		for (const m of members)
			if (!FILE_RE.test(m.name)) errs.push(`${m.name}: not N_name_K.pb`);
		R('P3', 'every member is N_<name>_<1|2|3>.pb and nothing else', errs);
	}
	const files = [];  /* {name, index, ename, kind, data} in member order */
	{
		const errs = [];
		const n = members.length;
		const width = String(Math.max(n - 1, 0)).length;
		const indices = new Set();
		for (const m of members) {
			const mm = FILE_RE.exec(m.name);
			if (!mm) continue;
			if (mm[1].length !== width) errs.push(`${m.name}: index width ${mm[1].length}, expected ${width}`);
			const idx = parseInt(mm[1], 10);
			if (indices.has(idx)) errs.push(`${m.name}: index ${idx} twice`);
			indices.add(idx);
			files.push({name: m.name, index: idx, ename: mm[2], kind: Number(mm[3]), data: m.data});
		}
		for (let i = 0; i < n; i++) if (!indices.has(i)) errs.push(`index ${i} missing`);
		if (n === 0) errs.push('the package is empty');
		R('P4', `indices are exactly 0..N-1 at width len(str(N-1)) (N = ${n})`, errs);
	}
	/* decode everything once */
	const decoded = new Map();  /* name -> message */
	const decodeErrs = [];
	for (const f of files) {
		try {
			decoded.set(f.name, KIND_MSG[f.kind].decode(f.data));
		} catch (e) {
			decodeErrs.push(`${f.name}: ${e.message}`);
		}
	}
	{
		const errs = [];
		if (!tgzA.equals(tgzB)) errs.push('two runs gave different .tgz bytes');
		if (tgzA[3] & 0x08) errs.push('the gzip header has a file name');
		if (tgzA.readUInt32LE(4) !== 0) errs.push('the gzip header has a time');
		for (const m of members) {
			if (m.mtime !== 0) errs.push(`${m.name}: mtime ${m.mtime}`);
			if (m.uid !== 0 || m.gid !== 0) errs.push(`${m.name}: owner ${m.uid}:${m.gid}`);
		}
		/* .flytec-pb: flytec's list of the files it wrote there (docs/registration.md), not an artifact */
		const loose = exists('pb') ? fs.readdirSync(path.join(dir, 'pb')).filter((f) => f !== '.flytec-pb').sort() : [];
		const inTar = files.map((f) => f.name).sort();
		if (loose.join('\n') !== inTar.join('\n')) errs.push(`--emit=pb wrote [${loose}], the package holds [${inTar}]`);
		for (const f of files) {
			const p = path.join(dir, 'pb', f.name);
			if (fs.existsSync(p) && !fs.readFileSync(p).equals(f.data)) errs.push(`${f.name}: --emit=pb and --emit=package differ`);
			const m = KIND_MSG[f.kind].decode(f.data);
			const again = Buffer.from(KIND_MSG[f.kind].encode(sortMaps(m)).finish());
			if (!again.equals(f.data)) {
				let at = 0;
				while (at < again.length && again[at] === f.data[at]) at++;
				errs.push(`${f.name}: differs from its deterministic re-encoding at byte ${at} `
					+ `(${f.data.length} vs ${again.length} bytes)`);
			}
		}
		R('P5', 'deterministic: identical runs, normalized archive, payloads = their deterministic re-encoding', errs);
	}

	/* ---- F: per file ---- */
	const byKind = {1: [], 2: [], 3: []};
	for (const f of files) byKind[f.kind].push(f);
	for (const kind of [1, 2, 3]) {
		const errs = [];
		for (const f of byKind[kind]) {
			const decPath = path.join('dec', f.name + '.txt');
			const rc = exists(path.join('dec', f.name + '.rc')) ? read(path.join('dec', f.name + '.rc')).toString().trim() : '?';
			if (rc !== '0') errs.push(`${f.name}: protoc --decode=${KIND_NAME[kind]} exited with ${rc}`);
			else {
				const bad = read(decPath).toString().split('\n').filter((l) => /^\s*[0-9]+[: ]/.test(l));
				if (bad.length) errs.push(`${f.name}: unknown fields in protoc's decoding: ${bad.slice(0, 3).join(' | ')}`);
			}
			const wireErrs = [];
			walkWire(reflRoot.lookupType(KIND_NAME[kind]), f.data, f.name, wireErrs, 0);
			errs.push(...wireErrs.filter((e) => !/UTF-8/.test(e)));
			const m = decoded.get(f.name);
			if (!m) continue;
			const verr = KIND_MSG[kind].verify(m);
			if (verr !== null) errs.push(`${f.name}: verify(): ${verr}`);
			if (kind === 1 || kind === 2) {
				const t = m.template;
				const want = kind === 1 ? RT.TASK : RT.WORKFLOW;
				if (!t || !t.id) errs.push(`${f.name}: no template.id`);
				else {
					if (t.id.resourceType !== want) errs.push(`${f.name}: template.id.resource_type ${t.id.resourceType}`);
					if (t.id.name !== f.ename) errs.push(`${f.name}: template.id.name '${t.id.name}' is not the file's name`);
				}
			} else {
				if (!m.id || m.id.resourceType !== RT.LAUNCH_PLAN) errs.push(`${f.name}: id.resource_type is not LAUNCH_PLAN`);
				else if (m.id.name !== f.ename) errs.push(`${f.name}: id.name '${m.id.name}' is not the file's name`);
				if (!m.spec || !m.spec.workflowId || m.spec.workflowId.resourceType !== RT.WORKFLOW)
					errs.push(`${f.name}: spec.workflow_id.resource_type is not WORKFLOW`);
				if (!present(m, 'closure')) errs.push(`${f.name}: no closure`);
			}
		}
		const what = {1: 'TaskSpec (_1.pb)', 2: 'WorkflowSpec (_2.pb)', 3: 'LaunchPlan (_3.pb)'}[kind];
		R(`F${kind}`, `every ${what} decodes (protoc, protobufjs, verify()) with no unknown fields; ids match`,
			errs.concat(decodeErrs.filter((e) => FILE_RE.exec(e.split(':')[0]) && FILE_RE.exec(e.split(':')[0])[3] === String(kind))));
	}
	{
		const errs = [];
		for (const f of files) {
			const m = decoded.get(f.name);
			if (!m) continue;
			for (const {where, id} of identifiers(m, f.name, [])) {
				const ok = (v, ph) => v === '' || v == null || v === `{{ registration.${ph} }}`;
				if (!ok(id.project, 'project') || !ok(id.domain, 'domain') || !ok(id.version, 'version') || str(id.org) !== '')
					errs.push(`${where}: ${idStr(id)}: project/domain/version/org not empty`);
				if (!id.name) errs.push(`${where}: empty name`);
			}
		}
		R('F4', 'identifiers leave project, domain, version and org empty; names are non-empty', errs);
	}
	{
		const errs = [];
		for (const f of files) {
			const we = [];
			walkWire(reflRoot.lookupType(KIND_NAME[f.kind]), f.data, f.name, we, 0);
			errs.push(...we.filter((e) => /UTF-8/.test(e)));
			try {
				KIND_MSG[f.kind].decode(f.data);
			} catch (e) {
				errs.push(`${f.name}: decode throws: ${e.message}`);
			}
		}
		R('F5', 'every string is valid UTF-8; decoding never throws', errs);
	}

	/* ---- the package's entities ---- */
	const tasks = new Map(), workflows = new Map(), lps = new Map();
	for (const f of files) {
		const m = decoded.get(f.name);
		if (!m) continue;
		if (f.kind === 1 && m.template && m.template.id) tasks.set(m.template.id.name, {f, m, t: m.template});
		if (f.kind === 2 && m.template && m.template.id) workflows.set(m.template.id.name, {f, m, t: m.template});
		if (f.kind === 3 && m.id) lps.set(m.id.name, {f, m});
	}
	/* every workflow template, top-level or sub-workflow: [{owner, t}] */
	const templates = [];
	for (const w of workflows.values()) {
		templates.push({owner: w, t: w.t, where: w.f.name});
		(w.m.subWorkflows || []).forEach((s, i) => templates.push({owner: w, t: s, where: `${w.f.name}:sub_workflows[${i}]`, sub: true}));
	}
	const nodesOf = (t) => t.nodes || [];
	const allNodes = (t, cb) => {
		for (const n of nodesOf(t)) {
			cb(n, false);
			if (n.target === 'arrayNode' && n.arrayNode && n.arrayNode.node) cb(n.arrayNode.node, true, n);
		}
		if (t.failureNode) cb(t.failureNode, false);
	};

	/* ---- X: cross-file ---- */
	{
		const errs = [];
		const sorted = files.map((f) => f.name).slice().sort();
		const byIndex = files.slice().sort((a, b) => a.index - b.index).map((f) => f.name);
		if (sorted.join('\n') !== byIndex.join('\n')) errs.push('the lexicographic order of the names is not the index order');
		if (files.map((f) => f.name).join('\n') !== byIndex.join('\n')) errs.push('the tar members are not in index order');
		for (const {owner, t, where} of templates) {
			allNodes(t, (n) => {
				if (n.target === 'taskNode' && n.taskNode && n.taskNode.referenceId) {
					const task = tasks.get(n.taskNode.referenceId.name);
					if (task && task.f.index >= owner.f.index) errs.push(`${where}: node ${n.id} uses ${task.f.name}, registered after it`);
				}
				if (n.target === 'workflowNode' && n.workflowNode && n.workflowNode.launchplanRef) {
					const lp = lps.get(n.workflowNode.launchplanRef.name);
					if (!lp) errs.push(`${where}: node ${n.id}: no launch plan ${n.workflowNode.launchplanRef.name} in the package`);
					else if (lp.f.index >= owner.f.index) errs.push(`${where}: node ${n.id} uses ${lp.f.name}, registered after it`);
				}
			});
		}
		for (const w of workflows.values()) {
			const next = files.find((f) => f.index === w.f.index + 1);
			if (!next || next.kind !== 3 || next.ename !== w.f.ename)
				errs.push(`${w.f.name} is not followed by its default launch plan ${w.f.ename}_3.pb`);
		}
		R('X1', 'name order = registration order; dependencies first; each workflow followed by its launch plan', errs);
	}
	{
		const errs = [];
		for (const {t, where} of templates) {
			allNodes(t, (n) => {
				if (n.target !== 'taskNode') return;
				const ref = n.taskNode && n.taskNode.referenceId;
				const task = ref && tasks.get(ref.name);
				if (!task) errs.push(`${where}: node ${n.id}: no task ${ref ? ref.name : '<none>'} in the package`);
				else if (!sameId(task.t.id, ref)) errs.push(`${where}: node ${n.id}: ${idStr(ref)} != ${idStr(task.t.id)}`);
			});
		}
		R('X2', 'every task_node.reference_id equals (all six fields) a task template in the package', errs);
	}
	{
		const errs = [];
		for (const w of workflows.values()) {
			const subs = w.m.subWorkflows || [];
			const names = subs.map((s) => (s.id ? s.id.name : ''));
			if (!isSortedUnique(names)) errs.push(`${w.f.name}: sub_workflows [${names}] not sorted by name, or repeated`);
			const list = [w.t].concat(subs);
			for (const t of list) {
				allNodes(t, (n) => {
					if (n.target !== 'workflowNode' || !n.workflowNode || n.workflowNode.reference !== 'subWorkflowRef') return;
					const ref = n.workflowNode.subWorkflowRef;
					if (!subs.some((s) => sameId(s.id, ref)))
						errs.push(`${w.f.name}: node ${n.id}: sub_workflow_ref ${idStr(ref)} is not in sub_workflows`);
				});
			}
		}
		R('X3', 'every sub_workflow_ref is in the same spec\'s sub_workflows, sorted by name', errs);
	}
	{
		const errs = [];
		for (const lp of lps.values()) {
			const wid = lp.m.spec && lp.m.spec.workflowId;
			const w = wid && workflows.get(wid.name);
			if (!w) errs.push(`${lp.f.name}: workflow ${wid ? wid.name : '<none>'} is not in the package`);
			else if (!sameId(w.t.id, wid)) errs.push(`${lp.f.name}: ${idStr(wid)} != ${idStr(w.t.id)}`);
			else if (w.f.index >= lp.f.index) errs.push(`${lp.f.name}: registered before its workflow`);
		}
		R('X4', 'every launch plan\'s workflow_id is a workflow template in the package', errs);
	}

	/* ---- T: task templates ---- */
	const mapInfo = (name) => {
		const m = MAP_RE.exec(name);
		return m ? {module: m[1], inner: m[2], hash: m[3], arraynode: !!m[4]} : null;
	};
	const moduleOf = (name) => {
		const mi = mapInfo(name);
		if (mi) return mi.module;
		const dot = name.lastIndexOf('.');
		return dot < 0 ? '' : name.slice(0, dot);
	};
	const T = {1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: []};
	/* which array nodes use each map task */
	const mapUses = new Map();
	for (const {t, where} of templates)
		for (const n of nodesOf(t))
			if (n.target === 'arrayNode' && n.arrayNode && n.arrayNode.node && n.arrayNode.node.taskNode
				&& n.arrayNode.node.taskNode.referenceId) {
				const k = n.arrayNode.node.taskNode.referenceId.name;
				if (!mapUses.has(k)) mapUses.set(k, []);
				mapUses.get(k).push({n, where});
			}
	const checkType = (lt, where, errs) => {
		if (lt == null) {
			errs.push(`${where}: no type`);
			return;
		}
		if (!lt.type) errs.push(`${where}: the type oneof is not set`);
		switch (lt.type) {
		case 'unionType': {
			const vs = lt.unionType.variants || [];
			if (vs.length !== 2) {
				errs.push(`${where}: a union with ${vs.length} variants`);
				break;
			}
			const want = expectedTag(vs[0]);
			if (tagOf(vs[0]) !== want) errs.push(`${where}: variant 0 (${typeStr(vs[0])}) has tag '${tagOf(vs[0])}', flytekit's is '${want}'`);
			if (!(vs[1].type === 'simple' && vs[1].simple === ST.NONE && tagOf(vs[1]) === 'none'))
				errs.push(`${where}: variant 1 is not {NONE, tag "none"}`);
			if (vs[0].type === 'unionType') errs.push(`${where}: a union inside a union`);
			checkType(vs[0], `${where}|0`, errs);
			break;
		}
		case 'collectionType': checkType(lt.collectionType, `${where}[]`, errs); break;
		case 'mapValueType': checkType(lt.mapValueType, `${where}{}`, errs); break;
		case 'blob':
			if (lt.blob.format) errs.push(`${where}: blob format '${lt.blob.format}'`);
			break;
		case 'enumType':
			if (!(lt.enumType.values || []).length) errs.push(`${where}: an enum without values`);
			break;
		case 'simple':
			if (![ST.NONE, ST.INTEGER, ST.FLOAT, ST.STRING, ST.BOOLEAN, ST.DATETIME, ST.DURATION, ST.BINARY].includes(lt.simple))
				errs.push(`${where}: simple type ${lt.simple}`);
			break;
		default:
			errs.push(`${where}: unexpected type ${lt.type}`);
		}
		if (lt.type !== 'unionType' && lt.structure && !(lt.type === 'simple' && lt.simple === ST.NONE) && where.indexOf('|') < 0)
			errs.push(`${where}: a structure tag outside a union`);
	};
	for (const task of tasks.values()) {
		const {t, m, f} = task;
		const w = f.name;
		const mi = mapInfo(t.id.name);
		const legacy = mi && !mi.arraynode;
		/* T1 */
		const wantType = legacy ? 'container_array' : 'container';
		if (t.type !== wantType) T[1].push(`${w}: type '${t.type}', expected '${wantType}'`);
		if (num(t.taskTypeVersion) !== (mi ? 1 : 0)) T[1].push(`${w}: task_type_version ${num(t.taskTypeVersion)}`);
		/* T2 */
		const md = t.metadata;
		if (!md) T[2].push(`${w}: no metadata`);
		else {
			const rt = md.runtime;
			if (!rt || rt.type !== core.RuntimeMetadata.RuntimeType.FLYTE_SDK || rt.version !== flytecVersion || rt.flavor !== 'c')
				T[2].push(`${w}: runtime ${JSON.stringify(rt)}, expected {FLYTE_SDK, ${flytecVersion}, c}`);
			if (!present(md, 'retries')) T[2].push(`${w}: no retries`);
			if (!present(md, 'generatesDeck')) T[2].push(`${w}: no generates_deck`);
			if (!present(md, 'metadata')) T[2].push(`${w}: no metadata.metadata`);
			if (md.interruptibleValue !== undefined && typeof md.interruptible !== 'boolean')
				T[2].push(`${w}: interruptible is not a bool`);
			if (md.discoverable && !md.discoveryVersion) T[2].push(`${w}: cached without a cache version`);
			if (!md.discoverable && md.discoveryVersion) T[2].push(`${w}: a cache version without caching`);
		}
		/* T3 */
		const ti = t.interface;
		if (!ti || !present(ti, 'inputs') || !present(ti, 'outputs')) T[3].push(`${w}: interface, inputs or outputs absent`);
		else {
			for (const side of ['inputs', 'outputs']) {
				const vars = ti[side].variables || {};
				if (!isSortedUnique(Object.keys(vars))) T[3].push(`${w}: ${side} not in key order`);
				for (const k of Object.keys(vars)) {
					if (!/^\w+$/.test(k)) T[3].push(`${w}: ${side} name '${k}' is not \\w+`);
					if (!vars[k].type) T[3].push(`${w}: ${side}.${k} has no type`);
					if (vars[k].description !== k) T[3].push(`${w}: ${side}.${k} description '${vars[k].description}'`);
				}
			}
			/* T4 */
			for (const side of ['inputs', 'outputs']) {
				const vars = ti[side].variables || {};
				for (const k of Object.keys(vars)) checkType(vars[k].type, `${w}: ${side}.${k}`, T[4]);
			}
		}
		/* T5 */
		if (t.target !== 'container' || !t.container) T[5].push(`${w}: target is ${t.target}, not container`);
		else {
			const c = t.container;
			if (!c.image || c.image.includes('{{')) T[5].push(`${w}: image '${c.image}'`);
			if ((c.command || []).length) T[5].push(`${w}: command is not empty`);
			if (!present(c, 'resources')) T[5].push(`${w}: no resources`);
			const a = c.args || [];
			const want = [entrypoint, mi ? 'map-execute' : 'execute',
				'--inputs', '{{.input}}', '--output-prefix', '{{.outputPrefix}}',
				'--raw-output-data-prefix', '{{.rawOutputDataPrefix}}',
				'--checkpoint-path', '{{.checkpointOutputPrefix}}', '--prev-checkpoint', '{{.prevCheckpointPrefix}}',
				'--task', mi ? `${mi.module}.${mi.inner}` : t.id.name];
			if (mi) {
				/* the bound inputs: those the map keeps at the inner task's type */
				let bound = null;
				const inner = tasks.get(`${mi.module}.${mi.inner}`);
				if (inner && inner.t.interface && ti && ti.inputs) {
					const iv = inner.t.interface.inputs.variables || {}, mv = ti.inputs.variables || {};
					bound = Object.keys(mv).filter((k) => iv[k] && typeEq(iv[k].type, mv[k].type)).sort(bytesCompare).join(',');
				}
				for (const u of mi.arraynode ? mapUses.get(t.id.name) || [] : []) {
					const b = (u.n.arrayNode.boundInputs || []).join(',');
					if (bound !== null && b !== bound) T[5].push(`${w}: ${u.where}:${u.n.id} binds [${b}], the map task keeps [${bound}]`);
				}
				want.push('--bound', bound === null ? a[15] : bound);
				if (legacy) want.push('--legacy');
				if (bound !== null && md5(bound) !== mi.hash && legacy)
					T[5].push(`${w}: legacy map name hash ${mi.hash} is not md5('${bound}') = ${md5(bound)}`);
			}
			if (a.join('\u0001') !== want.join('\u0001'))
				T[5].push(`${w}: args ${JSON.stringify(a)}, expected ${JSON.stringify(want)}`);
			if (!tasks.has(mi ? `${mi.module}.${mi.inner}` : t.id.name)) T[5].push(`${w}: --task names no task in the package`);
			if (!ownModule(moduleOf(t.id.name)))
				T[5].push(`${w}: module ${moduleOf(t.id.name)}, expected ${module} or a module it imports`);
			/* T6 */
			const res = c.resources || {};
			const values = {};
			for (const side of ['requests', 'limits']) {
				const es = res[side] || [];
				let last = -1;
				const seen = new Set();
				values[side] = {};
				for (const e of es) {
					const pos = RESOURCE_ORDER.indexOf(e.name);
					if (pos < 0) T[6].push(`${w}: ${side}: resource name ${e.name}`);
					if (seen.has(e.name)) T[6].push(`${w}: ${side}: ${e.name} twice`);
					seen.add(e.name);
					if (pos <= last) T[6].push(`${w}: ${side}: not in the order CPU, MEMORY, GPU, EPHEMERAL_STORAGE`);
					last = pos;
					const q = parseQuantity(e.value);
					if (!(q >= 0)) T[6].push(`${w}: ${side}: '${e.value}' is not a quantity`);
					if (e.name === 2 && !Number.isInteger(q)) T[6].push(`${w}: ${side}: GPU '${e.value}' is not whole`);
					values[side][e.name] = q;
				}
			}
			for (const k of Object.keys(values.requests)) {
				const r = values.requests[k], l = values.limits[k];
				if (l === undefined) continue;
				if (Number(k) === 2 ? r !== l : r > l) T[6].push(`${w}: request ${r} vs limit ${l} for ${k}`);
			}
			for (const e of c.env || [])
				if (!e.key) T[5].push(`${w}: an env entry without a key`);
		}
		/* T7 */
		if (mi) {
			if (present(m, 'description')) T[7].push(`${w}: a map task with a description`);
		} else if (!m.description || !m.description.longDescription
			|| m.description.longDescription.format !== admin.DescriptionFormat.DESCRIPTION_FORMAT_RST)
			T[7].push(`${w}: description.long_description.format is not RST`);
		if (mi && legacy) {
			/* the ArrayJob custom */
			const cu = t.custom && t.custom.fields;
			if (!cu || !cu.minSuccessRatio || cu.minSuccessRatio.kind !== 'numberValue')
				T[1].push(`${w}: custom has no minSuccessRatio number`);
			for (const k of Object.keys(cu || {}))
				if (!['minSuccessRatio', 'parallelism'].includes(k)) T[1].push(`${w}: custom.${k}`);
			if (cu && cu.parallelism && !(cu.parallelism.kind === 'stringValue' && /^[1-9][0-9]*$/.test(cu.parallelism.stringValue)))
				T[1].push(`${w}: custom.parallelism is not a positive decimal string`);
		} else if (present(t, 'custom')) T[1].push(`${w}: custom is set`);
	}
	R('T1', 'task type "container" ("container_array" for legacy maps), version 1 for maps, ArrayJob custom', T[1]);
	R('T2', `metadata: runtime {FLYTE_SDK, ${flytecVersion}, "c"}, retries, generates_deck, k8s metadata`, T[2]);
	R('T3', 'interface: inputs and outputs present, \\w+ names, description = name', T[3]);
	R('T4', 'types: unions of [T with flytekit\'s tag, NONE "none"], collections, maps, blobs, enums', T[4]);
	R('T5', 'container: image, no command, argv = entrypoint, execute|map-execute, placeholders, --task, --bound, --legacy', T[5]);
	R('T6', 'resources: known names, each once, flytekit\'s order, k8s quantities, request <= limit', T[6]);
	R('T7', 'description RST for tasks, none for map tasks', T[7]);

	/* ---- W and A: workflows ---- */
	const W = {1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: []};
	const A = {1: [], 2: [], 3: [], 4: [], 5: [], 6: []};
	const wfByName = new Map();
	for (const {t} of templates) if (t.id) wfByName.set(t.id.name, t);
	/* the interface of a node's target: {inputs: {name: {type, required}}, outputs: {name: type}} */
	const targetIface = (n) => {
		if (n.target === 'taskNode' && n.taskNode && n.taskNode.referenceId) {
			const task = tasks.get(n.taskNode.referenceId.name);
			if (!task || !task.t.interface) return null;
			const iv = task.t.interface.inputs.variables || {}, ov = task.t.interface.outputs.variables || {};
			const inputs = {};
			for (const k of Object.keys(iv)) inputs[k] = {type: iv[k].type, required: !isOptional(iv[k].type)};
			const outputs = {};
			for (const k of Object.keys(ov)) outputs[k] = ov[k].type;
			return {inputs, outputs};
		}
		if (n.target === 'workflowNode' && n.workflowNode) {
			let wt = null, inputs = {};
			if (n.workflowNode.reference === 'subWorkflowRef') {
				wt = wfByName.get(n.workflowNode.subWorkflowRef.name);
				if (!wt) return null;
				const iv = wt.interface.inputs.variables || {};
				for (const k of Object.keys(iv)) inputs[k] = {type: iv[k].type, required: !isOptional(iv[k].type)};
			} else if (n.workflowNode.reference === 'launchplanRef') {
				const lp = lps.get(n.workflowNode.launchplanRef.name);
				if (!lp) return null;
				const ps = lp.m.spec.defaultInputs.parameters || {};
				for (const k of Object.keys(ps)) inputs[k] = {type: ps[k].var.type, required: ps[k].behavior === 'required' && ps[k].required};
				wt = wfByName.get(lp.m.spec.workflowId.name);
				if (!wt) return null;
			} else return null;
			const ov = wt.interface.outputs.variables || {};
			const outputs = {};
			for (const k of Object.keys(ov)) outputs[k] = ov[k].type;
			return {inputs, outputs};
		}
		if (n.target === 'arrayNode' && n.arrayNode && n.arrayNode.node) {
			const sub = targetIface(n.arrayNode.node);
			if (!sub) return null;
			const an = n.arrayNode;
			if (an.isOriginalSubNodeInterface && an.isOriginalSubNodeInterface.value) {
				/* an LP ArrayNode: the outer bindings are lists of the LP's inputs */
				const inputs = {}, outputs = {};
				const opt = an.successCriteria === 'minSuccesses' || (an.successCriteria === 'minSuccessRatio' && an.minSuccessRatio !== 1);
				const bound = an.boundInputs || [];
				for (const k of Object.keys(sub.inputs))
					inputs[k] = bound.includes(k) ? {type: sub.inputs[k].type, required: true}
						: {type: core.LiteralType.create({collectionType: sub.inputs[k].type}), required: true};
				for (const k of Object.keys(sub.outputs)) {
					const o = sub.outputs[k];
					const e = opt && !isOptional(o) ? core.LiteralType.create({unionType: {variants: [
						Object.assign(core.LiteralType.create(o), {structure: {tag: expectedTag(o)}}),
						core.LiteralType.create({simple: ST.NONE, structure: {tag: 'none'}})]}}) : o;
					outputs[k] = core.LiteralType.create({collectionType: e});
				}
				return {inputs, outputs};
			}
			return sub;
		}
		return null;
	};
	for (const {t, where, sub} of templates) {
		const nodes = nodesOf(t);
		/* W1 */
		if (!nodes.length) W[1].push(`${where}: no nodes`);
		if (!present(t, 'metadata') || !present(t, 'metadataDefaults')) W[1].push(`${where}: metadata or metadata_defaults absent`);
		if (!t.interface || !present(t.interface, 'inputs') || !present(t.interface, 'outputs'))
			W[1].push(`${where}: interface, inputs or outputs absent`);
		const wfIn = (t.interface && t.interface.inputs && t.interface.inputs.variables) || {};
		const wfOut = (t.interface && t.interface.outputs && t.interface.outputs.variables) || {};
		for (const side of [wfIn, wfOut])
			for (const k of Object.keys(side)) {
				if (!/^\w+$/.test(k) || side[k].description !== k) W[1].push(`${where}: interface variable '${k}'`);
				checkType(side[k].type, `${where}: interface.${k}`, T[4]);
			}
		/* W2 */
		const ids = new Map();
		nodes.forEach((n, i) => {
			if (!n.id) W[2].push(`${where}: node ${i} has no id`);
			if (['start-node', 'end-node', 'efn'].includes(n.id)) W[2].push(`${where}: reserved node id ${n.id}`);
			if (ids.has(n.id)) W[2].push(`${where}: node id ${n.id} twice`);
			if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n.id) || n.id.length > 63) W[2].push(`${where}: node id '${n.id}' is not DNS-1123`);
			if (n.id !== `n${i}`) W[2].push(`${where}: node ${i} is '${n.id}', not n${i}`);
			ids.set(n.id, n);
		});
		/* W3..W5 */
		const ctxFor = (n, where2, isSub) => ({
			promiseType: (p, w2, errs) => {
				if (!p.nodeId) {
					const v = wfIn[p.var];
					if (!v) {
						errs.push(`${w2}: promise of workflow input '${p.var}', which does not exist`);
						return null;
					}
					return v.type;
				}
				const src = ids.get(p.nodeId);
				if (!src) {
					errs.push(`${w2}: promise of node '${p.nodeId}', which does not exist`);
					return null;
				}
				if (!isSub && !(n.upstreamNodeIds || []).includes(p.nodeId))
					W[5].push(`${w2}: uses ${p.nodeId} but does not list it in upstream_node_ids`);
				const si = targetIface(src);
				if (!si) return null;
				if (!/^\w+$/.test(p.var) || !si.outputs[p.var]) {
					errs.push(`${w2}: node ${p.nodeId} has no output '${p.var}'`);
					return null;
				}
				return si.outputs[p.var];
			},
		});
		const checkNode = (n, where2, isSub, outer) => {
			if (!n.target) {
				W[3].push(`${where2}: no target`);
				return;
			}
			if (!present(n, 'metadata') || !present(n.metadata, 'retries')) W[3].push(`${where2}: metadata or metadata.retries absent`);
			if (n.target === 'taskNode') {
				const tn = n.taskNode;
				if (tn.reference !== 'referenceId' || !tn.referenceId || tn.referenceId.resourceType !== RT.TASK)
					W[3].push(`${where2}: task_node without a TASK reference_id`);
				if (!present(tn, 'overrides')) W[3].push(`${where2}: task_node without overrides`);
				if (!isSub && tn.referenceId && n.metadata) {
					const nm = tn.referenceId.name;
					const short = nm.slice(nm.lastIndexOf('.') + 1);
					if (n.metadata.name !== short) W[3].push(`${where2}: metadata.name '${n.metadata.name}', expected '${short}'`);
				}
			} else if (n.target === 'workflowNode') {
				const wn = n.workflowNode;
				if (wn.reference === 'launchplanRef') {
					if (wn.launchplanRef.resourceType !== RT.LAUNCH_PLAN) W[3].push(`${where2}: launchplan_ref is not a LAUNCH_PLAN`);
					/* flytekit: LaunchPlan.construct_node_metadata is its workflow's */
					const lp = lps.get(wn.launchplanRef.name);
					const wfn = lp && lp.m.spec && lp.m.spec.workflowId ? lp.m.spec.workflowId.name : '';
					if (!isSub && n.metadata && n.metadata.name !== wfn.slice(wfn.lastIndexOf('.') + 1))
						W[3].push(`${where2}: metadata.name '${n.metadata.name}', flytekit's is the workflow's short name`);
					if (!isSub && n.metadata && n.metadata.interruptibleValue !== 'interruptible')
						W[3].push(`${where2}: a launch plan node without interruptible (flytekit writes it)`);
				} else if (wn.reference === 'subWorkflowRef') {
					if (wn.subWorkflowRef.resourceType !== RT.WORKFLOW) W[3].push(`${where2}: sub_workflow_ref is not a WORKFLOW`);
					if (n.metadata && n.metadata.interruptibleValue !== 'interruptible')
						W[3].push(`${where2}: a sub-workflow node without interruptible (flytekit writes it)`);
				} else W[3].push(`${where2}: workflow_node without a reference`);
			} else if (n.target !== 'arrayNode') {
				W[3].push(`${where2}: target ${n.target}`);
			}
			/* W4 */
			const ins = n.inputs || [];
			const vars = ins.map((b) => b.var);
			if (!isSortedUnique(vars)) W[4].push(`${where2}: inputs [${vars}] not sorted by var, or repeated`);
			const iface = targetIface(n);
			if (!iface) {
				W[4].push(`${where2}: cannot find the target's interface`);
				return;
			}
			for (const k of Object.keys(iface.inputs))
				if (iface.inputs[k].required && !vars.includes(k)) W[4].push(`${where2}: required input '${k}' is not bound`);
			const ctx = ctxFor(isSub ? outer : n, where2, isSub);
			for (const b of ins) {
				if (!iface.inputs[b.var]) {
					W[4].push(`${where2}: binds '${b.var}', which the target does not have`);
					continue;
				}
				if (n.target === 'arrayNode' || isSub) continue;  /* A6 */
				checkBinding(b.binding, iface.inputs[b.var].type, `${where2}.${b.var}`, ctx, W[5]);
			}
			if (n.target === 'arrayNode' && n.arrayNode) {
				for (const b of ins) if (iface.inputs[b.var])
					checkBinding(b.binding, iface.inputs[b.var].type, `${where2}.${b.var}`, ctx, A[6]);
			}
			/* W5: upstream ids */
			if (!isSub) {
				const up = n.upstreamNodeIds || [];
				if (!isSortedUnique(up)) W[5].push(`${where2}: upstream_node_ids [${up}] not sorted, or repeated`);
				for (const u of up) if (!ids.has(u)) W[5].push(`${where2}: upstream node ${u} does not exist`);
				const used = new Set();
				const walk = (bd) => {
					if (!bd) return;
					if (bd.value === 'promise' && bd.promise.nodeId) used.add(bd.promise.nodeId);
					if (bd.value === 'collection') (bd.collection.bindings || []).forEach(walk);
					if (bd.value === 'map') Object.values(bd.map.bindings || {}).forEach(walk);
				};
				ins.forEach((b) => walk(b.binding));
				for (const u of up) if (!used.has(u)) W[5].push(`${where2}: upstream ${u} feeds no binding`);
			}
		};
		nodes.forEach((n) => {
			checkNode(n, `${where}:${n.id}`, false);
			if (n.target !== 'arrayNode') return;
			/* ---- A ---- */
			const an = n.arrayNode;
			const w2 = `${where}:${n.id}`;
			const s = an && an.node;
			if (!s) {
				A[1].push(`${w2}: array_node.node absent`);
				return;
			}
			const overLp = s.target === 'workflowNode';
			checkNode(s, `${w2}/sub`, true, n);
			if (JSON.stringify(s.inputs || []) !== JSON.stringify(n.inputs || [])) A[1].push(`${w2}: sub-node inputs differ from the node's`);
			if ((s.upstreamNodeIds || []).length) A[1].push(`${w2}: sub-node has upstream_node_ids`);
			if (!an.isOriginalSubNodeInterface) A[5].push(`${w2}: is_original_sub_node_interface absent`);
			if (num(an.dataMode) !== 0) A[5].push(`${w2}: data_mode ${an.dataMode}`);
			const bound = an.boundInputs || [];
			if (!isSortedUnique(bound)) A[3].push(`${w2}: bound_inputs [${bound}] not sorted, or repeated`);
			if (an.parallelismOption !== undefined && an.parallelismOption !== 'parallelism') A[4].push(`${w2}: parallelism oneof`);
			if (!['minSuccessRatio', 'minSuccesses'].includes(an.successCriteria)) A[4].push(`${w2}: success_criteria is not set`);
			if (an.successCriteria === 'minSuccessRatio' && !(an.minSuccessRatio >= 0 && an.minSuccessRatio <= 1))
				A[4].push(`${w2}: min_success_ratio ${an.minSuccessRatio}`);
			if (an.runAllSubNodes) A[4].push(`${w2}: run_all_sub_nodes is set`);
			if (overLp) {
				if (!an.isOriginalSubNodeInterface || an.isOriginalSubNodeInterface.value !== true)
					A[5].push(`${w2}: map over a launch plan needs is_original_sub_node_interface = true`);
				if (an.executionMode !== core.ArrayNode.ExecutionMode.FULL_STATE) A[5].push(`${w2}: LP map not FULL_STATE`);
				const lpIn = targetIface(s);
				for (const b of bound) if (lpIn && !lpIn.inputs[b]) A[3].push(`${w2}: bound input '${b}' is not an input of the launch plan`);
				const ref = s.workflowNode.launchplanRef;
				if (!ref) A[1].push(`${w2}: the sub-node has no launchplan_ref`);
				else {
					const dns = dnsify(ref.name);
					if (s.id !== dns) A[1].push(`${w2}: sub-node id '${s.id}', flytekit's is '${dns}'`);
					if (!n.metadata || n.metadata.name !== ref.name) A[1].push(`${w2}: metadata.name is not the launch plan's name`);
					if (JSON.stringify(s.metadata) !== JSON.stringify(n.metadata)) A[1].push(`${w2}: the sub-node metadata is not the node's`);
					const lp = lps.get(ref.name);
					if (lp) {
						const fixed = Object.keys((lp.m.spec.fixedInputs && lp.m.spec.fixedInputs.literals) || {});
						for (const b of n.inputs || []) if (fixed.includes(b.var)) A[2].push(`${w2}: binds the fixed input '${b.var}'`);
					}
				}
				return;
			}
			/* a map over a task */
			if (!s.taskNode || !s.taskNode.referenceId) {
				A[1].push(`${w2}: the sub-node is not a task node`);
				return;
			}
			const mname = s.taskNode.referenceId.name;
			if (s.id !== mname) A[1].push(`${w2}: sub-node id '${s.id}', expected the map task name`);
			if (!n.metadata || n.metadata.name !== mname) A[1].push(`${w2}: metadata.name is not the map task name`);
			if (n.metadata) {
				const extra = Object.keys(n.metadata).filter((k) => !['name', 'retries'].includes(k)
					&& !(k === 'config' && !Object.keys(n.metadata.config || {}).length));
				if (extra.length) A[1].push(`${w2}: outer metadata has ${extra} (flytekit: name and empty retries only)`);
				if (n.metadata.retries && num(n.metadata.retries.retries) !== 0) A[1].push(`${w2}: outer retries not empty`);
			}
			if (!s.metadata || s.metadata.name !== mname) A[1].push(`${w2}: sub-node metadata.name is not the map task name`);
			if (!an.isOriginalSubNodeInterface || an.isOriginalSubNodeInterface.value !== false)
				A[5].push(`${w2}: is_original_sub_node_interface is not false`);
			if (num(an.executionMode) !== 0) A[5].push(`${w2}: execution_mode is not MINIMAL_STATE`);
			const mt = tasks.get(mname);
			const mi = mapInfo(mname);
			if (!mt || !mi || !mi.arraynode) {
				A[1].push(`${w2}: ${mname} is not an ArrayNode map task of the package`);
				return;
			}
			/* the name hash says what the node says */
			const conc = an.parallelismOption === 'parallelism' ? String(num(an.parallelism)) : 'None';
			const mins = an.successCriteria === 'minSuccesses' ? String(num(an.minSuccesses)) : 'None';
			let ratios = ['1.0'];
			if (an.successCriteria === 'minSuccessRatio') {
				const r = shortestFloat(an.minSuccessRatio);
				ratios = [pyRepr(r)];
				if (r === 0 || r === 1) ratios.push(String(r));
			}
			const hashes = ratios.map((r) => md5(`${bound.join(',')}${conc}${mins}${r}`));
			if (!hashes.includes(mi.hash))
				A[4].push(`${w2}: ${mname}: the name hash is not md5 of "${bound.join(',')}${conc}${mins}${ratios.join('|')}"`);
			const mif = mt.t.interface;
			const inner = tasks.get(`${mi.module}.${mi.inner}`);
			if (!inner) {
				A[2].push(`${w2}: inner task ${mi.module}.${mi.inner} is not in the package`);
				return;
			}
			const iin = inner.t.interface.inputs.variables || {}, iout = inner.t.interface.outputs.variables || {};
			const min = mif.inputs.variables || {}, mout = mif.outputs.variables || {};
			for (const b of bound) if (!min[b]) A[3].push(`${w2}: bound input '${b}' is not an input of the map task`);
			if (Object.keys(min).join() !== Object.keys(iin).join()) A[2].push(`${w2}: map inputs [${Object.keys(min)}] vs task inputs [${Object.keys(iin)}]`);
			for (const k of Object.keys(min)) {
				if (!iin[k]) continue;
				const want = bound.includes(k) ? iin[k].type : core.LiteralType.create({collectionType: iin[k].type});
				if (!typeEq(min[k].type, want)) A[2].push(`${w2}: map input ${k}: ${typeStr(min[k].type)}, expected ${typeStr(want)}`);
			}
			const tolerant = an.successCriteria === 'minSuccesses' || (an.successCriteria === 'minSuccessRatio' && an.minSuccessRatio !== 1);
			if (Object.keys(mout).join() !== Object.keys(iout).join()) A[2].push(`${w2}: map outputs differ from the task's`);
			for (const k of Object.keys(mout)) {
				if (!iout[k]) continue;
				const o = iout[k].type;
				let e = o;
				if (tolerant && !isOptional(o))
					e = core.LiteralType.create({unionType: {variants: [Object.assign(core.LiteralType.create(o), {structure: core.TypeStructure.create({tag: expectedTag(o)})}),
						core.LiteralType.create({simple: ST.NONE, structure: core.TypeStructure.create({tag: 'none'})})]}});
				const want = core.LiteralType.create({collectionType: e});
				if (typeStr(mout[k].type) !== typeStr(want) || (tolerant && !isOptional(o) && tagOf(mout[k].type.collectionType.unionType.variants[0]) !== expectedTag(o)))
					A[2].push(`${w2}: map output ${k}: ${typeStr(mout[k].type)}, expected ${typeStr(want)}`);
			}
		});
		/* W6 */
		const outs = t.outputs || [];
		const outVars = outs.map((b) => b.var);
		if (outVars.slice().sort().join() !== Object.keys(wfOut).sort().join())
			W[6].push(`${where}: outputs bind [${outVars}], the interface has [${Object.keys(wfOut)}]`);
		if (new Set(outVars).size !== outVars.length) W[6].push(`${where}: an output bound twice`);
		const endCtx = {
			promiseType: (p, w2, errs) => {
				if (!p.nodeId) return wfIn[p.var] ? wfIn[p.var].type : (errs.push(`${w2}: no workflow input ${p.var}`), null);
				const src = ids.get(p.nodeId);
				if (!src) {
					errs.push(`${w2}: no node ${p.nodeId}`);
					return null;
				}
				const si = targetIface(src);
				return si && si.outputs[p.var] ? si.outputs[p.var] : (errs.push(`${w2}: node ${p.nodeId} has no output ${p.var}`), null);
			},
		};
		for (const b of outs) if (wfOut[b.var]) checkBinding(b.binding, wfOut[b.var].type, `${where}:outputs.${b.var}`, endCtx, W[6]);
		/* W7: a DAG over upstream ids and promises */
		const edges = new Map();
		for (const n of nodes) edges.set(n.id, new Set(n.upstreamNodeIds || []));
		const state = new Map();
		const visit = (id, stack) => {
			if (state.get(id) === 2) return;
			if (state.get(id) === 1) {
				W[7].push(`${where}: a cycle through ${stack.concat(id).join(' -> ')}`);
				return;
			}
			state.set(id, 1);
			for (const u of edges.get(id) || []) if (edges.has(u)) visit(u, stack.concat(id));
			state.set(id, 2);
		};
		for (const n of nodes) visit(n.id, []);
		void sub;
	}
	R('W1', 'workflow templates: nodes, metadata, metadata_defaults, interface with both maps', W[1]);
	R('W2', 'node ids: n0, n1, ... in order, unique, DNS-1123, not reserved', W[2]);
	R('W3', 'nodes: a target; task nodes reference a TASK and carry overrides; metadata with retries', W[3]);
	R('W4', 'inputs sorted and unique, every required input bound, no unknown input', W[4]);
	R('W5', 'promises name existing inputs/outputs with castable types; upstream ids sorted, exact', W[5]);
	R('W6', 'workflow outputs: one binding per output, castable', W[6]);
	R('W7', 'no cycles', W[7]);
	R('A1', 'array nodes: sub-node = the map task (id, metadata name, same inputs, no upstream); outer metadata = name + empty retries', A[1]);
	R('A2', 'map task interface: mapped inputs are lists, bound keep their type, outputs list[T] or list[T?] when tolerant', A[2]);
	R('A3', 'bound_inputs sorted, unique, inputs of the map task', A[3]);
	R('A4', 'success criteria and parallelism agree with the map name hash (flytekit\'s md5 scheme)', A[4]);
	R('A5', 'is_original_sub_node_interface present (false; true over launch plans), execution_mode, data_mode', A[5]);
	R('A6', 'array node bindings type-check against the map interface', A[6]);

	/* ---- L: launch plans ---- */
	const L = {1: [], 2: [], 3: [], 4: []};
	for (const w of workflows.values()) {
		const same = files.filter((f) => f.kind === 3 && f.ename === w.f.ename);
		if (same.length !== 1 || same[0].index !== w.f.index + 1) L[1].push(`${w.f.name}: no default launch plan right after it`);
	}
	for (const lp of lps.values()) {
		const s = lp.m.spec, w = lp.f.name;
		if (!s) {
			L[2].push(`${w}: no spec`);
			continue;
		}
		for (const k of ['entityMetadata', 'defaultInputs', 'fixedInputs', 'labels', 'annotations', 'rawOutputDataConfig'])
			if (!present(s, k)) L[2].push(`${w}: spec.${k} absent`);
		if (s.entityMetadata && (s.entityMetadata.launchConditions != null)) L[2].push(`${w}: launch_conditions set`);
		const wf = workflows.get(s.workflowId ? s.workflowId.name : '');
		const isDefault = wf && lp.m.id.name === wf.t.id.name;
		const fixed = (s.fixedInputs && s.fixedInputs.literals) || {};
		if (isDefault && Object.keys(fixed).length) L[2].push(`${w}: a default launch plan with fixed inputs`);
		if (!wf) continue;
		const wfIn = wf.t.interface.inputs.variables || {};
		const ps = (s.defaultInputs && s.defaultInputs.parameters) || {};
		const want = Object.keys(wfIn).filter((k) => !(k in fixed));
		if (Object.keys(ps).join() !== want.join()) L[3].push(`${w}: default_inputs [${Object.keys(ps)}], expected [${want}]`);
		const litType = (l) => (l && l.value === 'scalar' ? scalarType(l.scalar) : null);
		const checkLit = (l, ty, where) => {
			if (!l) {
				L[3].push(`${where}: no literal`);
				return;
			}
			if (l.value === 'collection') {
				const et = ty.type === 'collectionType' ? ty.collectionType
					: ty.type === 'unionType' ? ((ty.unionType.variants || []).find((v) => v.type === 'collectionType') || {}).collectionType : null;
				if (!et) L[3].push(`${where}: a collection for ${typeStr(ty)}`);
				else (l.collection.literals || []).forEach((x, i) => checkLit(x, et, `${where}[${i}]`));
				return;
			}
			if (l.value === 'map') {
				const et = ty.type === 'mapValueType' ? ty.mapValueType
					: ty.type === 'unionType' ? ((ty.unionType.variants || []).find((v) => v.type === 'mapValueType') || {}).mapValueType : null;
				if (!et) L[3].push(`${where}: a map for ${typeStr(ty)}`);
				else {
					const ks = Object.keys(l.map.literals || {});
					if (!isSortedUnique(ks)) L[3].push(`${where}: map keys not sorted`);
					ks.forEach((k) => checkLit(l.map.literals[k], et, `${where}["${k}"]`));
				}
				return;
			}
			if (ty.type === 'enumType' && l.value === 'scalar' && l.scalar.value === 'primitive' && l.scalar.primitive.value === 'stringValue') {
				if (!(ty.enumType.values || []).includes(l.scalar.primitive.stringValue)) L[3].push(`${where}: not an enum member`);
				return;
			}
			const lt = litType(l);
			if (!lt || !castable(lt, ty)) L[3].push(`${where}: a ${typeStr(lt)} literal for ${typeStr(ty)}`);
		};
		for (const k of Object.keys(ps)) {
			const p = ps[k];
			if (!p.var || !wfIn[k] || !typeEq(p.var.type, wfIn[k].type)) L[3].push(`${w}: parameter ${k}: type differs from the workflow's`);
			if (p.var && p.var.description !== k) L[3].push(`${w}: parameter ${k}: description '${p.var.description}'`);
			if (p.behavior === 'required') {
				if (p.required !== true) L[3].push(`${w}: parameter ${k}: required is not true`);
			} else if (p.behavior === 'default') {
				checkLit(p['default'], p.var.type, `${w}: parameter ${k} default`);
			} else L[3].push(`${w}: parameter ${k}: neither default nor required`);
		}
		for (const k of Object.keys(fixed)) {
			if (!wfIn[k]) L[3].push(`${w}: fixed input ${k} is not a workflow input`);
			else checkLit(fixed[k], wfIn[k].type, `${w}: fixed ${k}`);
		}
		const c = lp.m.closure;
		if (!c || !present(c, 'expectedInputs') || !present(c, 'expectedOutputs')) L[4].push(`${w}: closure.expected_inputs/outputs absent`);
		else if (Object.keys(c.expectedInputs.parameters || {}).length || Object.keys(c.expectedOutputs.variables || {}).length)
			L[4].push(`${w}: closure not empty`);
		if (s.entityMetadata && s.entityMetadata.schedule) {
			for (const k of Object.keys(ps))
				if (ps[k].behavior === 'required') L[3].push(`${w}: scheduled, but ${k} is required`);
		}
	}
	R('L1', 'each workflow has exactly one default launch plan, right after it', L[1]);
	R('L2', 'launch plan spec: entity_metadata, default/fixed inputs, labels, annotations, raw_output_data_config', L[2]);
	R('L3', 'default_inputs: the workflow inputs less fixed ones, required or a castable default', L[3]);
	R('L4', 'closure with empty expected_inputs and expected_outputs', L[4]);

	/* ---- R: FlyteAdmin's and flytepropeller's registration rules
	 * (docs/registration.md §11), checked on the artifacts themselves: a
	 * port of the validators' logic at the pinned release (v1.16.5). ---- */
	const Rr = {1: [], 2: [], 3: [], 4: []};
	const TS_MIN = -62135596800, TS_MAX = 253402300799;
	/* every datetime literal in a literal tree (validation.go ValidateDatetime) */
	const datetimes = (l, where) => {
		if (!l) return;
		if (l.value === 'collection') (l.collection.literals || []).forEach((x, i) => datetimes(x, `${where}[${i}]`));
		else if (l.value === 'map') Object.keys(l.map.literals || {}).forEach((k) => datetimes(l.map.literals[k], `${where}["${k}"]`));
		else if (l.value === 'scalar' && l.scalar.value === 'union') datetimes(l.scalar.union.value, where);
		else if (l.value === 'scalar' && l.scalar.value === 'primitive' && l.scalar.primitive.value === 'datetime') {
			const d = l.scalar.primitive.datetime || {};
			const sec = num(d.seconds), ns = num(d.nanos);
			if (sec < TS_MIN || sec > TS_MAX || ns < 0 || ns > 999999999)
				Rr[1].push(`${where}: datetime ${sec}s ${ns}ns is outside google.protobuf.Timestamp's range`);
		}
	};
	const bindingDatetimes = (b, where) => {
		if (!b) return;
		if (b.value === 'collection') (b.collection.bindings || []).forEach((x, i) => bindingDatetimes(x, `${where}[${i}]`));
		else if (b.value === 'map') Object.keys(b.map.bindings || {}).forEach((k) => bindingDatetimes(b.map.bindings[k], `${where}["${k}"]`));
		else if (b.value === 'scalar') datetimes({value: 'scalar', scalar: b.scalar}, where);
	};
	for (const lp of lps.values()) {
		const s = lp.m.spec || {};
		const fixed = (s.fixedInputs && s.fixedInputs.literals) || {};
		for (const k of Object.keys(fixed)) datetimes(fixed[k], `${lp.f.name}: fixed ${k}`);
		const ps = (s.defaultInputs && s.defaultInputs.parameters) || {};
		for (const k of Object.keys(ps)) if (ps[k].behavior === 'default') datetimes(ps[k]['default'], `${lp.f.name}: default ${k}`);
	}
	const templatesOf = (w) => [w.t, ...((w.m.subWorkflows) || [])];
	for (const w of workflows.values()) {
		for (const t of templatesOf(w)) {
			const where = `${w.f.name}: ${t.id ? t.id.name : '?'}`;
			const nodes = (t.nodes || []).filter((n) => n.id !== 'start-node' && n.id !== 'end-node');
			/* workflow_compiler.go ValidateWorkflow: NoNodesFound */
			if (nodes.length === 0) Rr[2].push(`${where}: no nodes`);
			for (const n of t.nodes || []) {
				for (const b of n.inputs || []) bindingDatetimes(b.binding, `${where}: ${n.id}.${b.var}`);
				/* interface.go ValidateUnderlyingInterface: an ArrayNode is typed by its
				 * sub-node; only a map task's (lifted) interface takes the lists */
				if (n.target === 'arrayNode' && n.arrayNode && n.arrayNode.node && n.arrayNode.node.target !== 'taskNode')
					Rr[3].push(`${where}: ${n.id}: an array node over a ${n.arrayNode.node.target} (it does not register)`);
				/* bindings.go ValidateBindings against the plan's expected inputs
				 * (its default_inputs): nothing else may be bound */
				if (n.target === 'workflowNode' && n.workflowNode && n.workflowNode.reference === 'launchplanRef') {
					const lp = lps.get(n.workflowNode.launchplanRef.name);
					const ps = lp && lp.m.spec && lp.m.spec.defaultInputs ? lp.m.spec.defaultInputs.parameters || {} : null;
					if (ps) {
						for (const b of n.inputs || [])
							if (!(b.var in ps)) Rr[4].push(`${where}: ${n.id} binds '${b.var}', not an expected input of ${lp.m.id.name}`);
						for (const k of Object.keys(ps))
							if (ps[k].behavior === 'required' && !(n.inputs || []).some((b) => b.var === k))
								Rr[4].push(`${where}: ${n.id} leaves ${lp.m.id.name}'s required ${k} unbound`);
					}
				}
			}
		}
	}
	R('R1', 'every datetime literal (launch plan inputs, bindings) is within Timestamp\'s range (ValidateDatetime)', Rr[1]);
	R('R2', 'every workflow template has a node (ValidateWorkflow: NoNodesFound)', Rr[2]);
	R('R3', 'every array node\'s sub-node is a task node (ValidateUnderlyingInterface, then ValidateBindings)', Rr[3]);
	R('R4', 'launch-plan nodes bind exactly within the plan\'s expected inputs, every required one', Rr[4]);

	/* ---- J: the JSON views ---- */
	const canonOf = new Map();
	const jerr = [];
	for (const f of files) {
		try {
			canonOf.set(f.name, reflDecode(f.kind, f.data));
		} catch (e) {
			jerr.push(`${f.name}: reflection decode: ${e.message}`);
		}
	}
	const want = {};
	for (const f of files) want[f.name] = canonOf.get(f.name);
	{
		const errs = jerr.slice();
		try {
			const got = JSON.parse(read('emit.json').toString());
			const d = firstDiff(got, want, '$');
			if (d) errs.push(`--emit=json differs from the canonical JSON: ${d}`);
		} catch (e) {
			errs.push(`--emit=json: ${e.message}`);
		}
		R('J1', '--emit=json is protobuf\'s canonical JSON of the package (names, enums, int64, defaults, oneofs, WKTs)', errs);
	}
	{
		const errs = [];
		try {
			const got = JSON.parse(read('show.json').toString());
			const d = firstDiff(got, want, '$');
			if (d) errs.push(`--show=PACKAGE differs: ${d}`);
		} catch (e) {
			errs.push(`--show=PACKAGE: ${e.message}`);
		}
		R('J2', '--show on the package prints the same canonical JSON', errs);
	}
	{
		const errs = [];
		for (const f of files) {
			try {
				const got = JSON.parse(read(path.join('show', f.name + '.json')).toString());
				const d = firstDiff(got, want[f.name], f.name);
				if (d) errs.push(`--show=${f.name} differs: ${d}`);
			} catch (e) {
				errs.push(`--show=${f.name}: ${e.message}`);
			}
		}
		R('J3', '--show on each .pb prints its canonical JSON', errs);
	}
}

/* ---- main --------------------------------------------------------------- */

function runCase(group, dir) {
	try {
		checkCase(group, dir);
	} catch (e) {
		report(group, 'ERR', 'the verifier ran to the end', [String(e && e.stack || e)]);
	}
}

if (asModule) {
	module.exports = {runCase, results, KIND_MSG, sortMaps, fl, reflDecode, readTar};
} else {
	const lines = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
	for (const line of lines) {
		const [group, dir] = line.split('\t');
		runCase(group, dir);
	}
	console.log(`1..${results.length}`);
	results.forEach((r, i) => {
		console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}${r.todo ? ` # TODO ${r.todo}` : ''}`);
		for (const d of r.diag) console.log(`# ${String(d).split('\n').join('\n# ')}`);
		if (r.more) console.log(`# ... and ${r.more} more`);
	});
}
