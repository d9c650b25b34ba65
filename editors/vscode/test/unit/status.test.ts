import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KrlsStatus, pickStatus, statusView } from '../../src/status';

describe('statusView', () => {
  it('shows arch and CONFIG_RUST', () => {
    const v = statusView({ state: 'ok', arch: 'x86_64', rust: 'y', srctree: '/src/linux', objtree: '/build' });
    assert.equal(v.text, 'krls: x86_64 · RUST=y');
    assert.equal(v.warning, false);
    assert.match(v.tooltip, /objtree: \/build/);
  });
  it('warns without .config', () => {
    const v = statusView({ state: 'noConfig', arch: 'x86_64', srctree: '/src/linux', message: 'no .config in /src/linux' });
    assert.match(v.text, /no \.config/);
    assert.equal(v.warning, true);
    assert.match(v.tooltip, /no \.config in \/src\/linux/);
  });
  it('says when there is no kernel or the load failed', () => {
    assert.equal(statusView({ state: 'noKernel' }).warning, false);
    assert.equal(statusView({ state: 'error', message: 'x' }).warning, true);
    assert.equal(statusView(undefined).text, 'krls');
  });
});

describe('pickStatus', () => {
  const a: KrlsStatus = { state: 'ok', arch: 'x86_64', rust: 'y', srctree: '/src/linux' };
  const b: KrlsStatus = { state: 'ok', arch: 'arm64', rust: 'n', srctree: '/src/linux-next' };
  const m = new Map([['/src/linux', a], ['/src/linux-next', b]]);
  it('picks the tree of the file', () => {
    assert.equal(pickStatus(m, b, '/src/linux/rust/kernel/lib.rs'), a);
    assert.equal(pickStatus(m, a, '/src/linux-next/x.rs'), b, 'not fooled by a common prefix');
  });
  it('else the latest', () => {
    assert.equal(pickStatus(m, b, '/home/u/mod/x.rs'), b);
    assert.equal(pickStatus(m, a, undefined), a);
  });
});

describe('statusView of a file the .config does not build', () => {
  it('says so, with the diagnostic in the tooltip', () => {
    const v = statusView({ state: 'ok', arch: 'x86_64', rust: 'y' }, 'not built with this .config: CONFIG_SAMPLE_RUST_PRINT is not set');
    assert.equal(v.text, '$(circle-slash) krls: file not built');
    assert.ok(v.tooltip.startsWith('not built with this .config: CONFIG_SAMPLE_RUST_PRINT is not set'));
    assert.ok(v.tooltip.includes('x86_64'));
  });
  it('keeps the other states as they are', () => {
    assert.equal(statusView({ state: 'noConfig' }, 'x').text, '$(warning) krls: no .config');
  });
});
