import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { findRoot, isKernelTree, isModuleDir, shouldActivate } from '../../src/activation';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'krls-activation-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(tmp, 't-'));
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (name.endsWith('/')) {
      fs.mkdirSync(p, { recursive: true });
    } else {
      fs.writeFileSync(p, text);
    }
  }
  return root;
}

// The cases both clients share with the server's rule (editors/testdata/roots.json).
interface RootCase {
  name: string;
  files: Record<string, string>;
  from: string;
  root: string;
  kind?: 'kernel' | 'module';
}
const shared: RootCase[] = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../testdata/roots.json'), 'utf8')).cases;

describe('findRoot: the shared cases (editors/testdata/roots.json)', () => {
  it('has cases', () => assert.ok(shared.length > 10));
  for (const c of shared) {
    it(c.name, () => {
      const t = tree(c.files);
      const want = c.root === '' ? undefined : { kind: c.kind, dir: path.join(t, c.root) };
      assert.deepEqual(findRoot(path.join(t, c.from)), want);
    });
  }
});

describe('kernel tree and module predicates', () => {
  it('isKernelTree needs Kconfig, Makefile and rust/kernel/lib.rs', () => {
    assert.equal(isKernelTree(tree({ Kconfig: '', Makefile: '', 'rust/kernel/lib.rs': '' })), true);
    assert.equal(isKernelTree(tree({ Kconfig: '', 'rust/kernel/lib.rs': '' })), false);
  });
  it('isModuleDir reads a Makefile with CRLF line ends', () => {
    assert.equal(isModuleDir(tree({ Makefile: 'KDIR ?= /k\r\nobj-m := foo.o\r\n' })), true);
  });
});

describe('shouldActivate', () => {
  const plain = tree({ 'src/main.rs': '', 'Cargo.toml': '' });
  const kernel = tree({ Kconfig: '', Makefile: '', 'rust/kernel/lib.rs': '' });
  const mod = tree({ Kbuild: '', 'foo.rs': '' });
  it('activates for a kernel tree folder', () => {
    assert.equal(shouldActivate([plain, kernel])?.kind, 'kernel');
  });
  it('activates for a module folder', () => {
    assert.deepEqual(shouldActivate([mod]), { kind: 'module', dir: mod });
  });
  it('does not activate for an ordinary Cargo project', () => {
    assert.equal(shouldActivate([plain], path.join(plain, 'src/main.rs')), undefined);
    assert.equal(shouldActivate([]), undefined);
  });
  it('activates for a Rust file of a kernel tree opened without a folder', () => {
    assert.deepEqual(shouldActivate([], path.join(kernel, 'rust/kernel/lib.rs')), { kind: 'kernel', dir: kernel });
    assert.deepEqual(shouldActivate([plain], path.join(mod, 'foo.rs')), { kind: 'module', dir: mod });
  });
  it('does not fail on folders that do not exist', () => {
    assert.equal(shouldActivate([path.join(tmp, 'nope')], path.join(tmp, 'nope/x.rs')), undefined);
  });
});
