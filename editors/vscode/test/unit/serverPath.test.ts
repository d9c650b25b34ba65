import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { NotFoundError, isPathLike, expandPath, lookPath, resolveServer } from '../../src/serverPath';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'krls-serverpath-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function exe(dir: string, name = 'krls', mode = 0o755): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, mode);
  return p;
}

const binA = path.join(tmp, 'a');
const binB = path.join(tmp, 'b');
const krlsB = exe(binB);
exe(binA, 'krls', 0o644); // not executable: skipped on PATH
const ws = path.join(tmp, 'ws');
const wsKrls = exe(path.join(ws, 'bin'));

describe('resolveServer', () => {
  it('takes krls from PATH when the setting is empty', () => {
    const PATH = [binA, binB].join(path.delimiter);
    for (const setting of [undefined, '', '   ']) {
      assert.deepEqual(resolveServer(setting, ws, PATH), { command: krlsB, source: 'PATH' });
    }
  });
  it('prefers the setting over PATH', () => {
    assert.deepEqual(resolveServer(wsKrls, ws, binB), { command: wsKrls, source: 'setting' });
  });
  it('takes a relative setting from the workspace folder', () => {
    assert.deepEqual(resolveServer('bin/krls', ws, ''), { command: wsKrls, source: 'setting' });
    assert.deepEqual(resolveServer('${workspaceFolder}/bin/krls', ws, ''), { command: wsKrls, source: 'setting' });
  });
  it('looks a bare name up on PATH', () => {
    assert.deepEqual(resolveServer('krls', ws, binB), { command: krlsB, source: 'setting' });
  });
  it('takes a setting with backslashes for a path, not a name to look up on PATH', () => {
    for (const s of ['C:\\tools\\krls.exe', '.\\bin\\krls']) {
      assert.throws(() => resolveServer(s, ws, binB), (e: unknown) => e instanceof NotFoundError && /does not exist/.test(e.message), s);
    }
    assert.ok(isPathLike('/usr/bin/krls') && isPathLike('bin/krls') && isPathLike('~/go/bin/krls') && isPathLike('${workspaceFolder}/krls'));
    assert.ok(!isPathLike('krls') && !isPathLike('krls-dev'));
  });
  it('fails clearly for a setting that does not exist, not falling back to PATH', () => {
    assert.throws(() => resolveServer('/nonexistent/krls', ws, binB), (e: unknown) => e instanceof NotFoundError && /does not exist/.test(e.message) && e.setting === 'krls.server.path');
  });
  it('fails for a setting that is not executable', () => {
    assert.throws(() => resolveServer(path.join(binA, 'krls'), ws, binB), /not an executable file/);
    assert.throws(() => resolveServer(binA, ws, binB), /not an executable file/, 'a folder');
  });
  it('fails with a hint when krls is not on PATH', () => {
    assert.throws(() => resolveServer('', ws, binA), (e: unknown) => e instanceof NotFoundError && /not found on PATH/.test(e.message) && /krls\.server\.path/.test(e.message));
    assert.throws(() => resolveServer(undefined, undefined, undefined), NotFoundError);
  });
});

describe('lookPath', () => {
  it('skips empty PATH entries (the current folder)', () => {
    const cwd = process.cwd();
    try {
      process.chdir(binB);
      assert.equal(lookPath('krls', `${path.delimiter}${binA}`), undefined);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('expandPath', () => {
  it('expands ~ and makes paths absolute', () => {
    assert.equal(expandPath('~/x/krls', '/ws', '/home/u'), '/home/u/x/krls');
    assert.equal(expandPath('~', '/ws', '/home/u'), '/home/u');
    assert.equal(expandPath('x/../krls', '/ws', '/home/u'), '/ws/krls');
    assert.equal(expandPath('/abs/krls', '/ws', '/home/u'), '/abs/krls');
  });
});
