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
  rustAnalyzer?: unknown;
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
    rustAnalyzer: boolean | null;
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
      rustAnalyzer: typeof raw.rustAnalyzer === 'boolean' ? raw.rustAnalyzer : null,
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

/** rust-analyzer's workspace.discoverConfig, as rust-analyzer reads it. */
export interface DiscoverConfig {
  command: string[];
  progressLabel: string;
  filesToWatch: string[];
}

/**
 * discoverConfig is the rust-analyzer.workspace.discoverConfig that makes
 * rust-analyzer ask krls for the kernel's project (`krls rust-project
 * --discover {arg}`: rust-project.json from the .config, without make,
 * reloaded when the .config changes), with the kernel trees of the
 * server's settings, so that one setting configures both servers.
 */
export function discoverConfig(krls: string, s: ServerSettings): DiscoverConfig {
  const command = [krls, 'rust-project'];
  for (const [flag, v] of [['--srctree', s.krls.srctree], ['--objtree', s.krls.objtree], ['--kdir', s.krls.kdir]]) {
    if (v !== '') {
      command.push(flag, v);
    }
  }
  command.push('--discover', '{arg}');
  return { command, progressLabel: 'krls', filesToWatch: ['.config'] };
}

/** Settings whose change needs a new server process (the rest go by didChangeConfiguration). */
export const restartSettings = ['krls.server.path', 'krls.server.extraArgs'];
