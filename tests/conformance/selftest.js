#!/usr/bin/env node
/* selftest.js: checks that verify.js catches what it claims to. Takes the
 * quickstart example as compiled by flytec (a WORKDIR prepared by
 * conformance.sh), confirms it passes, then applies one defect at a time
 * (a wrong task type, a misplaced placeholder, an unsorted map, an unknown
 * field, a bad tar member, ...), rewrites the package, and requires the
 * property aimed at to fail. Prints TAP, one line per defect.
 *
 * usage: node selftest.js --modules DIR --version V WORKDIR */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const os = require('os');

const args = process.argv.slice(2);
const workdir = args[args.length - 1];
global.verifyArgv = args.slice(0, -1);
const V = require('./verify.js');
const core = V.fl.core;

/* ---- writing a package ---- */

function tarHeader(name, size, mode) {
	const h = Buffer.alloc(512);
	h.write(name, 0, 100, 'utf8');
	h.write(mode.toString(8).padStart(6, '0') + ' \0', 100, 'latin1');
	h.write('000000 \0', 108, 'latin1');
	h.write('000000 \0', 116, 'latin1');
	h.write(size.toString(8).padStart(11, '0') + ' ', 124, 'latin1');
	h.write('00000000000 ', 136, 'latin1');
	h.write('        ', 148, 'latin1');
	h.write('0', 156, 'latin1');
	h.write('ustar\0' + '00', 257, 'latin1');
	let sum = 0;
	for (const b of h) sum += b;
	h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
	return h;
}
function writeCase(dir, files, opts) {
	fs.rmSync(dir, {recursive: true, force: true});
	fs.mkdirSync(path.join(dir, 'pb'), {recursive: true});
	fs.mkdirSync(path.join(dir, 'show'), {recursive: true});
	fs.mkdirSync(path.join(dir, 'dec'), {recursive: true});
	for (const f of ['module', 'entrypoint', 'status', 'tar.rc'])
		fs.copyFileSync(path.join(workdir, f), path.join(dir, f));
	const parts = [];
	const json = {};
	for (const f of files) {
		const data = f.raw || Buffer.from(V.KIND_MSG[f.kind].encode(V.sortMaps(f.msg)).finish());
		fs.writeFileSync(path.join(dir, 'pb', f.name), data);
		parts.push(tarHeader(f.name, data.length, (opts.mode && opts.mode[f.name]) || 0o644), data,
			Buffer.alloc((512 - data.length % 512) % 512));
		let canon = null;
		try {
			canon = V.reflDecode(f.kind, data);
		} catch (e) {
			canon = {error: e.message};
		}
		json[f.name] = canon;
		fs.writeFileSync(path.join(dir, 'show', f.name + '.json'), JSON.stringify(canon));
		/* protoc's view: reuse the original text when the bytes did not change */
		const orig = path.join(workdir, 'dec', f.name + '.txt');
		fs.writeFileSync(path.join(dir, 'dec', f.name + '.txt'), fs.existsSync(orig) ? fs.readFileSync(orig) : '');
		fs.writeFileSync(path.join(dir, 'dec', f.name + '.rc'), '0\n');
	}
	parts.push(Buffer.alloc(1024));
	const tgz = zlib.gzipSync(Buffer.concat(parts));
	fs.writeFileSync(path.join(dir, 'a.tgz'), tgz);
	fs.writeFileSync(path.join(dir, 'b.tgz'), opts.nondeterministic ? Buffer.concat([tgz.subarray(0, 4), Buffer.from([1, 0, 0, 0]), tgz.subarray(8)]) : tgz);
	fs.writeFileSync(path.join(dir, 'emit.json'), JSON.stringify(json));
	fs.writeFileSync(path.join(dir, 'show.json'), JSON.stringify(json));
}

/* ---- the package as compiled ---- */

const members = V.readTar(zlib.gunzipSync(fs.readFileSync(path.join(workdir, 'a.tgz'))));
function load() {
	return members.map((m) => {
		const kind = Number(/_([123])\.pb$/.exec(m.name)[1]);
		return {name: m.name, kind, msg: V.KIND_MSG[kind].decode(m.data), data: m.data};
	});
}
const find = (files, re) => {
	const f = files.find((x) => re.test(x.name));
	if (!f) throw new Error(`no file matching ${re}`);
	return f;
};
const node = (files, id) => find(files, /pipeline_2\.pb$/).msg.template.nodes.find((n) => n.id === id);
const arr = (files) => node(files, 'n0').arrayNode;

/* each: [title, property that must fail, mutate(files, opts)] */
const DEFECTS = [
	['a task of type python-task', 'T1', (fs_) => { find(fs_, /square_1/).msg.template.type = 'python-task'; }],
	['runtime flavor python', 'T2', (fs_) => { find(fs_, /square_1/).msg.template.metadata.runtime.flavor = 'python'; }],
	['no retries in task metadata', 'T2', (fs_) => { find(fs_, /square_1/).msg.template.metadata.retries = null; }],
	['an output without a description', 'T3', (fs_) => {
		find(fs_, /square_1/).msg.template.interface.outputs.variables.o0.description = '';
	}],
	['a union variant tagged "integer"', 'T4', (fs_) => {
		find(fs_, /mean_1/).msg.template.interface.inputs.variables.xs.type.collectionType.unionType.variants[0].structure.tag = 'integer';
	}],
	['placeholders swapped', 'T5', (fs_) => {
		const a = find(fs_, /square_1/).msg.template.container.args;
		[a[3], a[5]] = [a[5], a[3]];
	}],
	['a map task without --bound', 'T5', (fs_) => {
		const a = find(fs_, /map_square.*_1/).msg.template.container.args;
		a.splice(a.indexOf('--bound'), 2);
	}],
	['an image template', 'T5', (fs_) => { find(fs_, /square_1/).msg.template.container.image = '{{.image.default.fqn}}:1'; }],
	['resources out of flytekit\'s order', 'T6', (fs_) => { find(fs_, /describe_1/).msg.template.container.resources.requests.reverse(); }],
	['request above the limit', 'T6', (fs_) => { find(fs_, /describe_1/).msg.template.container.resources.requests[1].value = '2Gi'; }],
	['a task without description', 'T7', (fs_) => { find(fs_, /square_1/).msg.description = null; }],
	['a map task with a description', 'T7', (fs_) => {
		find(fs_, /map_square.*_1/).msg.description = V.fl.admin.DescriptionEntity.create({});
	}],
	['node n2 renamed n7', 'W2', (fs_) => { node(fs_, 'n2').id = 'n7'; }],
	['a task node without overrides', 'W3', (fs_) => { node(fs_, 'n2').taskNode.overrides = null; }],
	['an input the task does not have', 'W4', (fs_) => {
		node(fs_, 'n2').inputs.push(core.Binding.create({var: 'zz', binding: {promise: {var: 'xs'}}}));
	}],
	['inputs out of order', 'W4', (fs_) => { node(fs_, 'n1').inputs.reverse(); }],
	['a promise of a missing output', 'W5', (fs_) => { node(fs_, 'n2').inputs[0].binding.promise.var = 'o9'; }],
	['a promise without its upstream id', 'W5', (fs_) => { node(fs_, 'n2').upstreamNodeIds = []; }],
	['a promise of the wrong type', 'W5', (fs_) => { node(fs_, 'n2').inputs[0].binding.promise = {nodeId: '', var: 'tag'}; }],
	['a workflow output not bound', 'W6', (fs_) => { find(fs_, /pipeline_2/).msg.template.outputs.pop(); }],
	['a cycle', 'W7', (fs_) => {
		node(fs_, 'n0').upstreamNodeIds = ['n1'];
	}],
	['a sub-node named differently', 'A1', (fs_) => { arr(fs_).node.id = 'n0-0'; }],
	['outer metadata with retries', 'A1', (fs_) => { node(fs_, 'n0').metadata.retries.retries = 3; }],
	['a mapped input not a list', 'A2', (fs_) => {
		const v = find(fs_, /map_square.*_1/).msg.template.interface.inputs.variables.x;
		v.type = v.type.collectionType;
	}],
	['bound_inputs unsorted', 'A3', (fs_) => {
		node(fs_, 'n1').arrayNode.boundInputs = ['label', 'i'];
	}],
	['a ratio the name does not say', 'A4', (fs_) => { arr(fs_).minSuccessRatio = 0.5; }],
	['parallelism the name does not say', 'A4', (fs_) => { arr(fs_).parallelism = 11; }],
	['is_original_sub_node_interface true over a task', 'A5', (fs_) => { arr(fs_).isOriginalSubNodeInterface.value = true; }],
	['FULL_STATE over a plain task', 'A5', (fs_) => { arr(fs_).executionMode = 1; }],
	['a datetime past year 9999', 'R1', (fs_) => {
		const p = find(fs_, /nightly_3/).msg.spec.fixedInputs.literals.tag.scalar.primitive;
		delete p.stringValue;
		p.datetime = {seconds: 253402300800, nanos: 0};
	}],
	['a workflow without nodes', 'R2', (fs_) => { find(fs_, /pipeline_2/).msg.template.nodes = []; }],
	['an array node over a launch plan', 'R3', (fs_) => {
		const sub = arr(fs_).node;
		delete sub.taskNode;
		sub.workflowNode = {launchplanRef: {resourceType: 3, name: 'quickstart.nightly'}};
	}],
	['a launch-plan call binding a fixed input', 'R4', (fs_) => {
		const n = node(fs_, 'n2');
		delete n.taskNode;
		n.workflowNode = {launchplanRef: {resourceType: 3, name: 'quickstart.nightly'}};
		n.inputs.push({var: 'tag', binding: {scalar: {primitive: {stringValue: 'x'}}}});
	}],
	['a launch plan without closure', 'L4', (fs_) => { find(fs_, /pipeline_3/).msg.closure = null; }],
	['a parameter neither required nor defaulted', 'L3', (fs_) => {
		const p = find(fs_, /pipeline_3/).msg.spec.defaultInputs.parameters.xs;
		p.required = false;
	}],
	['a scheduled plan with a required input', 'L3', (fs_) => {
		const ps = find(fs_, /nightly_3/).msg.spec.defaultInputs.parameters.xs;
		delete ps['default'];
		ps.required = true;
	}],
	['a project in an identifier', 'F4', (fs_) => { find(fs_, /square_1/).msg.template.id.project = 'p'; }],
	['a task id that is not the file name', 'F1', (fs_) => { find(fs_, /square_1/).msg.template.id.name = 'quickstart.sq'; }],
	['an unknown field', 'F1', (fs_) => {
		const f = find(fs_, /square_1/);
		f.raw = Buffer.concat([Buffer.from(V.KIND_MSG[1].encode(V.sortMaps(f.msg)).finish()), Buffer.from([0xf8, 0x07, 0x01])]);
	}],
	['invalid UTF-8 in a string', 'F5', (fs_) => {
		const f = find(fs_, /square_1/);
		const b = Buffer.from(V.KIND_MSG[1].encode(V.sortMaps(f.msg)).finish());
		const at = b.indexOf('ghcr.io');
		b[at] = 0xff;
		f.raw = b;
	}],
	['a reference to a missing task', 'X2', (fs_) => { node(fs_, 'n2').taskNode.referenceId.name = 'quickstart.median'; }],
	['a reference with a version', 'X2', (fs_) => { node(fs_, 'n2').taskNode.referenceId.version = 'v1'; }],
	['a plan of a missing workflow', 'X4', (fs_) => { find(fs_, /nightly_3/).msg.spec.workflowId.name = 'quickstart.other'; }],
	['a workflow before its task', 'X1', (fs_) => {
		const t = find(fs_, /mean_1/), w = find(fs_, /pipeline_2/);
		const [ti, wi] = [t.name.split('_')[0], w.name.split('_')[0]];
		t.name = t.name.replace(/^\d+/, wi);
		w.name = w.name.replace(/^\d+/, ti);
		fs_.sort((a, b) => (a.name < b.name ? -1 : 1));
	}],
	['map entries unsorted', 'P5', (fs_) => {
		const f = find(fs_, /describe_1/);
		const W = V.fl.core;
		/* encode by hand with the inputs map in reverse order */
		const vars = f.msg.template.interface.inputs.variables;
		const keys = Object.keys(vars).sort().reverse();
		const reordered = {};
		for (const k of keys) reordered[k] = vars[k];
		f.msg.template.interface.inputs.variables = reordered;
		f.raw = Buffer.from(V.KIND_MSG[1].encode(f.msg).finish());
		void W;
	}],
	['two runs differ', 'P5', (fs_, o) => { o.nondeterministic = true; }],
	['a member of mode 0600', 'P2', (fs_, o) => { o.mode = {[fs_[0].name]: 0o600}; }],
	['a member with another name', 'P3', (fs_) => { fs_[0].name = fs_[0].name.replace(/\.pb$/, '.bin'); }],
	['an index of the wrong width', 'P4', (fs_) => { fs_[0].name = '0' + fs_[0].name; }],
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flytec-selftest.'));
const out = [];
try {
	/* the unmodified package must pass */
	{
		const dir = path.join(tmp, 'base');
		writeCase(dir, load(), {});
		const before = V.results.length;
		V.runCase('base', dir);
		const bad = V.results.slice(before).filter((r) => !r.ok);
		out.push({ok: bad.length === 0, name: 'the unmodified quickstart passes every property',
			diag: bad.map((r) => r.name + ': ' + r.diag.join(' | '))});
	}
	DEFECTS.forEach(([title, prop, mutate], i) => {
		const files = load();
		const opts = {};
		mutate(files, opts);
		const dir = path.join(tmp, `m${i}`);
		writeCase(dir, files, opts);
		const before = V.results.length;
		V.runCase(`m${i}`, dir);
		const mine = V.results.slice(before);
		const failed = mine.filter((r) => !r.ok).map((r) => /: (\w+) /.exec(r.name)[1]);
		const hit = failed.includes(prop);
		out.push({ok: hit, name: `${prop} catches: ${title}`,
			diag: hit ? [] : [`failed instead: ${failed.join(', ') || 'nothing'}`]});
	});
} finally {
	fs.rmSync(tmp, {recursive: true, force: true});
}
console.log(`1..${out.length}`);
out.forEach((r, i) => {
	console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - selftest: ${r.name}`);
	for (const d of r.diag) console.log(`# ${d}`);
});
