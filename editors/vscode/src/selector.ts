// Which documents the language client hands to krls: the Rust and Kconfig
// files of the kernel trees and module folders found (and the .config of
// the object trees the settings name), never every Rust file of the window:
// an ordinary Cargo project beside a kernel tree must not get krls's SAFETY
// diagnostics. No 'vscode' import: unit-tested with plain node; the
// extension turns each filter into a DocumentFilter with a RelativePattern.
import * as path from 'path';

import { Root } from './activation';

/** A document filter: files under base matching the glob pattern (relative to base), of language when set. */
export interface RootFilter {
  language?: string;
  base: string;
  pattern: string;
}

/** rootFilters are the filters for roots, plus the .config of each extra object tree. */
export function rootFilters(roots: readonly Root[], objtrees: readonly string[] = []): RootFilter[] {
  const out: RootFilter[] = [];
  for (const r of roots) {
    out.push(
      { language: 'rust', base: r.dir, pattern: '**/*.rs' },
      { base: r.dir, pattern: '**/Kconfig' },
      { base: r.dir, pattern: '**/Kconfig.*' },
      { base: r.dir, pattern: '**/.config' },
    );
  }
  for (const o of objtrees) {
    if (o !== '' && !roots.some((r) => inside(r.dir, o))) {
      out.push({ base: o, pattern: '.config' });
    }
  }
  return out;
}

/** inside says whether file is dir or below it. */
export function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** rootOf is the root a file is served by (the deepest that holds it), or undefined. */
export function rootOf(roots: readonly Root[], file: string): Root | undefined {
  let best: Root | undefined;
  for (const r of roots) {
    if (inside(r.dir, file) && (!best || r.dir.length > best.dir.length)) {
      best = r;
    }
  }
  return best;
}

/** withRoot returns roots with r added, or undefined when it is there already. */
export function withRoot(roots: readonly Root[], r: Root): Root[] | undefined {
  if (roots.some((x) => x.dir === r.dir)) {
    return undefined;
  }
  return [...roots, r];
}
