// The manifest's promises: coexistence with rust-analyzer, Restricted
// Mode, and the settings and commands the extension's code uses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

// Compiled to out/test/unit/: the manifest is three folders up.
const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

describe('package.json', () => {
  it('claims nothing rust-analyzer owns', () => {
    for (const key of ['languages', 'grammars', 'semanticTokenTypes', 'semanticTokenModifiers', 'snippets', 'configurationDefaults']) {
      assert.equal(pkg.contributes[key], undefined, `contributes.${key}`);
    }
    assert.deepEqual(pkg.activationEvents, ['onLanguage:rust']);
  });
  it('runs limited in untrusted workspaces, without Kconfig shell probes', () => {
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    for (const s of ['krls.kconfig.allowShell', 'krls.server.path', 'krls.server.extraArgs']) {
      assert.ok(u.restrictedConfigurations.includes(s), s);
    }
  });
  it('declares the settings and commands', () => {
    const props = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(props, [
      'krls.checkPrivateItems', 'krls.kconfig.allowShell', 'krls.kdir', 'krls.objtree', 'krls.rules', 'krls.rustAnalyzer',
      'krls.server.extraArgs', 'krls.server.path', 'krls.srctree', 'krls.trace.server',
    ]);
    const cmds = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(cmds, ['krls.checkWorkspace', 'krls.configureRustAnalyzer', 'krls.explainSymbol', 'krls.restartServer', 'krls.showOutput']);
    const src = fs.readFileSync(path.resolve(__dirname, '../../../src/extension.ts'), 'utf8');
    for (const c of cmds) {
      assert.ok(src.includes(`'${c}'`), `${c} is registered`);
    }
  });
  it('pins the toolchain the issue asks for', () => {
    assert.match(pkg.dependencies['vscode-languageclient'], /^\^?9\./);
    assert.match(pkg.devDependencies['@vscode/vsce'], /^\^?3\.9\./);
  });
});
