// Finding the krls binary: krls.server.path if set, else `krls` on PATH.
// No 'vscode' import: unit-tested with plain node.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Resolved {
  /** The executable, absolute. */
  command: string;
  /** Where it came from, for messages. */
  source: 'setting' | 'PATH';
}

export class NotFoundError extends Error {
  constructor(message: string, readonly setting: string) {
    super(message);
  }
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** expandPath expands a leading ~ and ${workspaceFolder}, and makes a relative path absolute from base. */
export function expandPath(p: string, base: string | undefined, home = os.homedir()): string {
  let s = p.trim();
  if (base !== undefined) {
    s = s.split('${workspaceFolder}').join(base);
  }
  if (s === '~') {
    s = home;
  } else if (s.startsWith('~/')) {
    s = path.join(home, s.slice(2));
  }
  if (!path.isAbsolute(s) && base !== undefined) {
    s = path.join(base, s);
  }
  return path.normalize(s);
}

/** isPathLike says whether a krls.server.path names a file rather than a command to look up on PATH. */
export function isPathLike(s: string): boolean {
  return path.isAbsolute(s) || /[\\/]/.test(s) || s.startsWith('~') || s.includes('${workspaceFolder}');
}

/** lookPath finds name in the folders of PATH, like the shell. */
export function lookPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue; // an empty entry means '.', which a language server must not trust
    }
    const p = path.join(dir, name);
    if (isExecutable(p)) {
      return path.resolve(p);
    }
  }
  return undefined;
}

/**
 * resolveServer picks the binary: the setting when it is not empty (it must
 * then exist and be executable: a wrong setting is an error, not a reason
 * to run some other krls), else `krls` on PATH. It throws NotFoundError
 * with a message for the user.
 */
export function resolveServer(setting: string | undefined, workspaceFolder: string | undefined, envPath: string | undefined): Resolved {
  const s = (setting ?? '').trim();
  if (s !== '') {
    // A bare name is looked up on PATH, like a shell command; anything
    // with a separator of either kind (C:\tools\krls.exe, .\bin\krls,
    // bin/krls), ~ or ${workspaceFolder} is a path.
    if (!isPathLike(s)) {
      const found = lookPath(s, envPath);
      if (found) {
        return { command: found, source: 'setting' };
      }
      throw new NotFoundError(`krls.server.path is "${s}", which is not on PATH.`, 'krls.server.path');
    }
    const p = expandPath(s, workspaceFolder);
    if (isExecutable(p)) {
      return { command: p, source: 'setting' };
    }
    const why = fs.existsSync(p) ? 'is not an executable file' : 'does not exist';
    throw new NotFoundError(`krls.server.path is "${s}", but ${p} ${why}.`, 'krls.server.path');
  }
  const found = lookPath('krls', envPath);
  if (found) {
    return { command: found, source: 'PATH' };
  }
  throw new NotFoundError(
    'krls was not found on PATH. Install it (go install github.com/krls-dev/krls/cmd/krls@latest) or set krls.server.path.',
    'krls.server.path',
  );
}
