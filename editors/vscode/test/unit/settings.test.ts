import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkArgs, discoverConfig, explainArgs, serverSettings, symbolOf, validSymbolName } from '../../src/settings';

describe('serverSettings', () => {
  it('sends every key, so that clearing a setting clears the server value', () => {
    assert.deepEqual(serverSettings({}, true), {
      krls: { srctree: '', objtree: '', kdir: '', kconfig: { allowShell: false }, checkPrivateItems: null, rules: [], rustAnalyzer: null },
    });
  });
  it('passes the paths and options through', () => {
    const s = serverSettings({ srctree: ' /src/linux ', objtree: 'build', kdir: '~/k', allowShell: true, checkPrivateItems: false, rules: ['undocumented-unsafe', '', 3] }, true, '/ws', '/home/me');
    assert.deepEqual(s.krls, {
      srctree: '/src/linux', objtree: '/ws/build', kdir: '/home/me/k', kconfig: { allowShell: true }, checkPrivateItems: false, rules: ['undocumented-unsafe'], rustAnalyzer: null,
    });
  });
  it('expands ${workspaceFolder} and ~ for the folder, as Explain does', () => {
    const raw = { srctree: '${workspaceFolder}/linux', objtree: '${workspaceFolder}/../build', kdir: '~' };
    const s = serverSettings(raw, true, '/ws/mod', '/home/me');
    assert.deepEqual([s.krls.srctree, s.krls.objtree, s.krls.kdir], ['/ws/mod/linux', '/ws/build', '/home/me']);
    // Explain gets the same trees from these settings.
    assert.deepEqual(explainArgs('NET', s, '/ws/mod', undefined, (d) => d), ['config', 'explain', 'NET', '--srctree', '/ws/mod/linux', '--objtree', '/ws/build']);
    // Without a folder: ~ only, relative paths left to the server.
    assert.equal(serverSettings({ objtree: 'build', kdir: '~/k' }, true, undefined, '/home/me').krls.objtree, 'build');
    assert.equal(serverSettings({ kdir: '~/k' }, true, undefined, '/home/me').krls.kdir, '/home/me/k');
  });
  it('honours kconfig.allowShell only in a trusted workspace', () => {
    assert.equal(serverSettings({ allowShell: true }, false).krls.kconfig.allowShell, false);
    assert.equal(serverSettings({ allowShell: 'yes' }, true).krls.kconfig.allowShell, false, 'only a real true');
  });
  it('ignores values of the wrong type', () => {
    const s = serverSettings({ srctree: 42, rules: 'x', checkPrivateItems: 'true' }, true);
    assert.equal(s.krls.srctree, '');
    assert.deepEqual(s.krls.rules, []);
    assert.equal(s.krls.checkPrivateItems, null);
  });
});

describe('explainArgs', () => {
  const none = () => undefined;
  it('uses the settings, resolved from the folder', () => {
    const s = serverSettings({ srctree: 'linux', objtree: '/build/x86' }, true);
    assert.deepEqual(explainArgs('CONFIG_NET', s, '/ws', undefined, none), ['config', 'explain', 'NET', '--srctree', '/ws/linux', '--objtree', '/build/x86']);
  });
  it('falls back to the kernel tree found', () => {
    assert.deepEqual(explainArgs(' RUST ', serverSettings({}, true), '/src/linux/drivers', '/src/linux', none), ['config', 'explain', 'RUST', '--srctree', '/src/linux']);
  });
  it('takes the trees of a module from KDIR, as the server does', () => {
    const s = serverSettings({ kdir: '/lib/modules/6.12/build' }, true);
    // A source tree: srctree and objtree both KDIR.
    assert.deepEqual(explainArgs('NET', s, '/mod', undefined, (d) => d), ['config', 'explain', 'NET', '--srctree', '/lib/modules/6.12/build', '--objtree', '/lib/modules/6.12/build']);
    // An object tree: the source tree its Makefile includes, objtree KDIR.
    assert.deepEqual(explainArgs('NET', s, '/mod', undefined, () => '/usr/src/linux-common'), ['config', 'explain', 'NET', '--srctree', '/usr/src/linux-common', '--objtree', '/lib/modules/6.12/build']);
    // $KDIR when the setting is empty; the setting's objtree wins.
    const o = serverSettings({ objtree: '/build/x86' }, true);
    assert.deepEqual(explainArgs('NET', o, '/mod', undefined, () => '/src/linux', '/k'), ['config', 'explain', 'NET', '--srctree', '/src/linux', '--objtree', '/build/x86']);
    // In a kernel tree KDIR plays no part.
    assert.deepEqual(explainArgs('NET', s, '/src/linux', '/src/linux', (d) => d), ['config', 'explain', 'NET', '--srctree', '/src/linux']);
  });
  it('passes --allow-shell only when allowed (trusted)', () => {
    assert.ok(explainArgs('NET', serverSettings({ allowShell: true }, true), '/ws', '/ws', none).includes('--allow-shell'));
    assert.ok(!explainArgs('NET', serverSettings({ allowShell: true }, false), '/ws', '/ws', none).includes('--allow-shell'));
  });
  it('validates names', () => {
    assert.ok(validSymbolName('CONFIG_NET'));
    assert.ok(validSymbolName('64BIT'));
    assert.ok(!validSymbolName('NET; rm -rf /'));
    assert.ok(!validSymbolName(''));
    assert.ok(!validSymbolName('CONFIG_'), 'CONFIG_ alone names no symbol');
    assert.ok(!validSymbolName('--allow-shell'));
    assert.equal(symbolOf(' CONFIG_NET '), 'NET');
    assert.equal(symbolOf('CONFIG_'), undefined);
  });
});

describe('checkArgs', () => {
  it('checks the folder with all rules by default', () => {
    assert.deepEqual(checkArgs(serverSettings({}, true), '/ws'), ['check', '--format', 'json', '/ws']);
  });
  it('passes krls.rules and krls.checkPrivateItems', () => {
    const s = serverSettings({ rules: ['undocumented-unsafe', ' missing-safety-doc '], checkPrivateItems: true }, true);
    assert.deepEqual(checkArgs(s, '/ws'), ['check', '--format', 'json', '--rules', 'undocumented-unsafe,missing-safety-doc', '--check-private-items', '/ws']);
  });
  it('leaves private items to .clippy.toml unless the setting is true', () => {
    assert.ok(!checkArgs(serverSettings({ checkPrivateItems: false }, true), '/ws').includes('--check-private-items'));
    assert.ok(!checkArgs(serverSettings({ checkPrivateItems: null }, true), '/ws').includes('--check-private-items'));
  });
});

describe('discoverConfig', () => {
  it('runs krls rust-project --discover with the kernel trees of the settings', () => {
    const s = serverSettings({ objtree: 'build', rustAnalyzer: true }, true, '/ws');
    assert.equal(s.krls.rustAnalyzer, true);
    assert.deepEqual(discoverConfig('/bin/krls', s), {
      command: ['/bin/krls', 'rust-project', '--objtree', '/ws/build', '--discover', '{arg}'],
      progressLabel: 'krls',
      filesToWatch: ['.config'],
    });
  });
  it('leaves the trees to krls when no setting names them', () => {
    assert.deepEqual(discoverConfig('krls', serverSettings({}, true)).command, ['krls', 'rust-project', '--discover', '{arg}']);
  });
});
