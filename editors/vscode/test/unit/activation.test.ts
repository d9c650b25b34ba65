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

describe('kernel tree', () => {
  it('needs Kconfig and rust/kernel', () => {
    assert.equal(isKernelTree(tree({ Kconfig: '', 'rust/kernel/lib.rs': '' })), true);
    assert.equal(isKernelTree(tree({ Kconfig: '' })), false, 'a C-only tree (no rust/kernel)');
    assert.equal(isKernelTree(tree({ 'rust/kernel/lib.rs': '' })), false, 'no Kconfig');
    assert.equal(isKernelTree(tree({ 'Kconfig/': '', 'rust/kernel/': '' })), false, 'Kconfig is a folder');
    assert.equal(isKernelTree(tree({ Kconfig: '', 'rust/kernel': '' })), false, 'rust/kernel is a file');
  });
  it('is found from a folder deep inside', () => {
    const k = tree({ Kconfig: '', 'rust/kernel/lib.rs': '', 'drivers/net/phy/Makefile': 'obj-$(CONFIG_AX88796B_RUST_PHY) += ax88796b_rust.o\n' });
    assert.deepEqual(findRoot(path.join(k, 'drivers/net/phy')), { kind: 'kernel', dir: k });
  });
  it('wins over a module-like folder inside it', () => {
    const k = tree({ Kconfig: '', 'rust/kernel/lib.rs': '', 'samples/x/Kbuild': 'obj-m += x.o\n' });
    assert.deepEqual(findRoot(path.join(k, 'samples/x')), { kind: 'kernel', dir: k });
  });
});

describe('out-of-tree module', () => {
  it('has a Kbuild file', () => {
    assert.equal(isModuleDir(tree({ Kbuild: 'obj-m := foo.o\n' })), true);
    assert.equal(isModuleDir(tree({ Kbuild: '' })), true, 'an empty Kbuild counts');
  });
  it('or a Makefile that assigns obj-m', () => {
    for (const mk of ['obj-m := foo.o\n', 'obj-m += foo.o\n', '\tobj-m=foo.o\n', 'ifneq ($(KERNELRELEASE),)\n  obj-m ?= foo.o\nendif\n']) {
      assert.equal(isModuleDir(tree({ Makefile: mk })), true, JSON.stringify(mk));
    }
  });
  it('but not a Makefile that only mentions it', () => {
    for (const mk of ['all:\n\tcc -o x x.c\n', '# obj-m := foo.o\n', 'obj-y += foo.o\n', 'obj-$(CONFIG_FOO) += foo.o\n']) {
      assert.equal(isModuleDir(tree({ Makefile: mk })), false, JSON.stringify(mk));
    }
  });
  it('is found from a subfolder', () => {
    const m = tree({ Kbuild: 'obj-m := foo.o\n', 'src/foo.rs': '' });
    assert.deepEqual(findRoot(path.join(m, 'src')), { kind: 'module', dir: m });
  });
  it('is the nearest one when modules nest', () => {
    const m = tree({ Kbuild: '', 'inner/Makefile': 'obj-m := x.o\n' });
    assert.deepEqual(findRoot(path.join(m, 'inner')), { kind: 'module', dir: path.join(m, 'inner') });
  });
});

describe('shouldActivate', () => {
  const plain = tree({ 'src/main.rs': '', 'Cargo.toml': '' });
  const kernel = tree({ Kconfig: '', 'rust/kernel/lib.rs': '' });
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
