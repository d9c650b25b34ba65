import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Root } from '../../src/activation';
import { inside, rootFilters, rootOf, withRoot } from '../../src/selector';

const kernel: Root = { kind: 'kernel', dir: '/src/linux' };
const mod: Root = { kind: 'module', dir: '/home/me/hello' };

describe('rootFilters', () => {
  it('serves the Rust and Kconfig files of each root, nothing else', () => {
    const f = rootFilters([kernel, mod]);
    assert.deepEqual(f.filter((x) => x.language === 'rust'), [
      { language: 'rust', base: '/src/linux', pattern: '**/*.rs' },
      { language: 'rust', base: '/home/me/hello', pattern: '**/*.rs' },
    ]);
    assert.ok(f.every((x) => x.base === '/src/linux' || x.base === '/home/me/hello'), 'no filter without a base: no Rust file outside the roots');
    assert.ok(f.some((x) => x.base === '/src/linux' && x.pattern === '**/Kconfig'));
  });
  it('serves nothing without roots', () => {
    assert.deepEqual(rootFilters([]), []);
  });
  it("adds the .config of object trees outside the roots", () => {
    const f = rootFilters([kernel], ['/build/x86', '/src/linux/out', '']);
    assert.deepEqual(f.filter((x) => !x.base.startsWith('/src/linux')), [{ base: '/build/x86', pattern: '.config' }]);
  });
});

describe('rootOf', () => {
  it('finds the root of a file, the deepest one', () => {
    const inner: Root = { kind: 'module', dir: '/src/linux/samples/x' };
    assert.equal(rootOf([kernel, mod], '/src/linux/rust/kernel/lib.rs'), kernel);
    assert.equal(rootOf([kernel, inner], '/src/linux/samples/x/x.rs'), inner);
    assert.equal(rootOf([kernel, mod], '/home/me/hello/src/hello.rs'), mod);
  });
  it('serves no file of another folder, however its name begins', () => {
    assert.equal(rootOf([kernel, mod], '/home/me/cargo-project/src/main.rs'), undefined);
    assert.equal(rootOf([kernel], '/src/linux-other/rust/kernel/lib.rs'), undefined, 'a sibling with the root as a name prefix');
    assert.equal(inside('/src/linux', '/src/linux'), true);
    assert.equal(inside('/src/linux', '/src'), false);
  });
});

describe('withRoot', () => {
  it('adds a new root once', () => {
    assert.deepEqual(withRoot([kernel], mod), [kernel, mod]);
    assert.equal(withRoot([kernel, mod], { kind: 'module', dir: '/home/me/hello' }), undefined);
  });
});
