// What the extension tells the server: the krls settings as the server
// reads them (lsp/settings.go), in initializationOptions and in
// workspace/didChangeConfiguration. No 'vscode' import: unit-tested.
import { expandPath } from './serverPath';

/** The settings as VS Code returns them (any may be missing or of the wrong type). */
export interface RawSettings {
  srctree?: unknown;
  objtree?: unknown;
  kdir?: unknown;
  allowShell?: unknown;
  checkPrivateItems?: unknown;
  rules?: unknown;
}

/** The server's settings object: every key present, so a cleared setting clears the server's value. */
export interface ServerSettings {
  krls: {
    srctree: string;
    objtree: string;
    kdir: string;
    kconfig: { allowShell: boolean };
    checkPrivateItems: boolean | null;
    rules: string[];
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

/**
 * serverSettings builds the settings the server gets for the workspace
 * folder folder. allowShell is honoured only when the workspace is
 * trusted: an untrusted tree must not get its Kconfig $(shell,...)
 * commands run. The paths are expanded as Explain expands them
 * (${workspaceFolder}, ~, relative to folder), so that the server and
 * `krls config explain` see the same trees.
 */
export function serverSettings(raw: RawSettings, trusted: boolean, folder?: string, home?: string): ServerSettings {
  const p = (v: unknown) => {
    const s = str(v);
    return s === '' ? '' : expandPath(s, folder, home);
  };
  const rules = Array.isArray(raw.rules) ? raw.rules.filter((r): r is string => typeof r === 'string' && r.trim() !== '') : [];
  return {
    krls: {
      srctree: p(raw.srctree),
      objtree: p(raw.objtree),
      kdir: p(raw.kdir),
      kconfig: { allowShell: trusted && raw.allowShell === true },
      checkPrivateItems: typeof raw.checkPrivateItems === 'boolean' ? raw.checkPrivateItems : null,
      rules,
    },
  };
}

/** The kernel trees of a folder, resolved as the server resolves them. */
export interface Trees {
  srctree?: string;
  objtree?: string;
}

/**
 * explainArgs are the arguments of `krls config explain NAME` for the
 * settings of folder, choosing the trees as the server does
 * (workspace.LocateKernel): --srctree is the setting, else the kernel tree
 * of the file, else (a module) the source tree of KDIR (the setting, else
 * envKdir); --objtree is the setting, else for a module KDIR itself.
 * Relative paths are taken from folder, as the server does. srctreeOf
 * gives the source tree of a kernel folder: itself, or the tree its
 * generated Makefile includes (activation.srctreeOfObjtree).
 */
export function explainArgs(
  name: string,
  s: ServerSettings,
  folder: string | undefined,
  kernelRoot: string | undefined,
  srctreeOf: (dir: string) => string | undefined,
  envKdir?: string,
): string[] {
  const sym = symbolOf(name) ?? '';
  const abs = (p: string) => (p === '' ? '' : expandPath(p, folder));
  let srctree = abs(s.krls.srctree) || kernelRoot || '';
  let objtree = abs(s.krls.objtree);
  const kdir = abs(s.krls.kdir) || abs(envKdir ?? '');
  if (srctree === '' && kdir !== '') {
    srctree = srctreeOf(kdir) ?? '';
    objtree = objtree || kdir;
  }
  const args = ['config', 'explain', sym];
  if (srctree !== '') {
    args.push('--srctree', srctree);
  }
  if (objtree !== '') {
    args.push('--objtree', objtree);
  }
  if (s.krls.kconfig.allowShell) {
    args.push('--allow-shell');
  }
  return args;
}

/**
 * checkArgs are the arguments of `krls check` over folder with its
 * settings: the rules chosen (krls.rules) and --check-private-items when
 * krls.checkPrivateItems is true (false and null leave it to .clippy.toml,
 * as the server does).
 */
export function checkArgs(s: ServerSettings, folder: string): string[] {
  const args = ['check', '--format', 'json'];
  if (s.krls.rules.length > 0) {
    args.push('--rules', s.krls.rules.map((r) => r.trim()).join(','));
  }
  if (s.krls.checkPrivateItems === true) {
    args.push('--check-private-items');
  }
  args.push(folder);
  return args;
}

/** symbolOf is the Kconfig symbol of a name as the user may type it (FOO, CONFIG_FOO): FOO; undefined when it is not one. */
export function symbolOf(name: string): string | undefined {
  const sym = name.trim().replace(/^CONFIG_/, '');
  return /^[A-Za-z0-9_]+$/.test(sym) ? sym : undefined;
}

/** validSymbolName says whether name is a Kconfig symbol as the user may type it. */
export function validSymbolName(name: string): boolean {
  return symbolOf(name) !== undefined;
}

/** Settings whose change needs a new server process (the rest go by didChangeConfiguration). */
export const restartSettings = ['krls.server.path', 'krls.server.extraArgs'];
