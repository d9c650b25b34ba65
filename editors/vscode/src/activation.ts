// Which folders krls serves: a Linux kernel tree (Kconfig, Makefile and
// rust/kernel/lib.rs) or an out-of-tree module (Kbuild, or a Makefile that
// assigns obj-m at a line start). The server's rules (workspace/tree.go:
// IsSrctree, IsModuleDir); editors/testdata/roots.json holds the cases the
// VS Code and Neovim tests share. This module must not import 'vscode', so
// that it is unit-tested with plain node.
import * as fs from 'fs';
import * as path from 'path';

export type RootKind = 'kernel' | 'module';

export interface Root {
  kind: RootKind;
  dir: string;
}

/** exists is the server's test (os.Stat succeeds): any kind of file. */
function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A kernel source tree with Rust support has a top-level Kconfig, Makefile and rust/kernel/lib.rs. */
export function isKernelTree(dir: string): boolean {
  return ['Kconfig', 'Makefile', path.join('rust', 'kernel', 'lib.rs')].every((n) => exists(path.join(dir, n)));
}

// obj-m assigned at the start of a line (blanks before it allowed):
// `obj-m += foo.o`, `obj-m := foo.o`, `obj-m ?= foo.o`, `obj-m = foo.o`;
// not in a comment or mid-line.
const objM = /^[ \t]*obj-m[ \t]*(\+=|:=|\?=|=)/m;

/** An out-of-tree module folder has a Kbuild file, or a Makefile assigning obj-m. */
export function isModuleDir(dir: string): boolean {
  if (exists(path.join(dir, 'Kbuild'))) {
    return true;
  }
  const mk = path.join(dir, 'Makefile');
  if (!isFile(mk)) {
    return false;
  }
  try {
    return objM.test(fs.readFileSync(mk, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * findRoot says which tree dir belongs to, looking at dir and its parents:
 * the nearest kernel tree wins over module folders below it (a folder in
 * the kernel tree has a Kbuild-style Makefile too), and a module folder
 * counts when no kernel tree encloses it. undefined: neither.
 */
export function findRoot(dir: string): Root | undefined {
  let mod: Root | undefined;
  let d = path.resolve(dir);
  for (;;) {
    if (isKernelTree(d)) {
      return { kind: 'kernel', dir: d };
    }
    if (!mod && isModuleDir(d)) {
      mod = { kind: 'module', dir: d };
    }
    const parent = path.dirname(d);
    if (parent === d) {
      return mod;
    }
    d = parent;
  }
}

/**
 * shouldActivate says whether krls serves a window with these workspace
 * folders and this Rust file open (either may be absent): some folder, or
 * the file's folder, is in a kernel tree or a module folder.
 */
export function shouldActivate(folders: readonly string[], rustFile?: string): Root | undefined {
  for (const f of folders) {
    const r = findRoot(f);
    if (r) {
      return r;
    }
  }
  if (rustFile) {
    return findRoot(path.dirname(rustFile));
  }
  return undefined;
}

/**
 * srctreeOfObjtree is the source tree of a kernel folder, as the server
 * finds it (workspace.SrctreeOfObjtree): the folder itself when it has a
 * top Kconfig and Makefile, else the tree its Makefile includes (`make O=`
 * and distributions' header packages write "include /path/to/src/Makefile"
 * there). undefined: neither.
 */
export function srctreeOfObjtree(dir: string): string | undefined {
  if (exists(path.join(dir, 'Kconfig')) && exists(path.join(dir, 'Makefile'))) {
    return dir;
  }
  let mk: string;
  try {
    mk = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mk.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('include ')) {
      continue;
    }
    const inc = t.slice('include '.length).trim();
    if (path.basename(inc) !== 'Makefile') {
      continue;
    }
    const src = path.resolve(dir, path.dirname(inc));
    if (exists(path.join(src, 'Kconfig'))) {
      return src;
    }
  }
  return undefined;
}
