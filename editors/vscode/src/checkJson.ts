// Reading `krls check --format json` for the Problems panel. No 'vscode'
// import: unit-tested.
import * as path from 'path';

/** One finding as krls check prints it: lines 1-based, columns 1-based in characters (code points), endColumn exclusive. */
export interface CheckFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  rule: string;
  message: string;
}

/** A finding in editor terms: absolute path, 0-based lines and UTF-16 columns. */
export interface Problem {
  path: string;
  startLine: number;
  startChar: number;
  endLine: number;
  endChar: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  rule: string;
  message: string;
}

/** parseCheckOutput reads krls check's JSON; it throws on output that is not the expected array. */
export function parseCheckOutput(stdout: string): CheckFinding[] {
  const data: unknown = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  if (!Array.isArray(data)) {
    throw new Error('krls check --format json: expected a JSON array');
  }
  return data.map((d, i) => {
    const f = d as Partial<CheckFinding>;
    if (typeof f.file !== 'string' || typeof f.line !== 'number' || typeof f.message !== 'string') {
      throw new Error(`krls check --format json: finding ${i} lacks file, line or message`);
    }
    return {
      file: f.file,
      line: f.line,
      column: typeof f.column === 'number' ? f.column : 1,
      endLine: typeof f.endLine === 'number' ? f.endLine : f.line,
      endColumn: typeof f.endColumn === 'number' ? f.endColumn : (typeof f.column === 'number' ? f.column : 1),
      severity: typeof f.severity === 'string' ? f.severity : 'warning',
      rule: typeof f.rule === 'string' ? f.rule : '',
      message: f.message,
    };
  });
}

/**
 * utf16Column converts a 1-based column counted in code points (what krls
 * check prints, like rustc) to a 0-based UTF-16 offset in lineText (what
 * VS Code counts). Without the line's text it assumes one unit per point.
 */
export function utf16Column(lineText: string | undefined, column: number): number {
  const n = Math.max(0, column - 1);
  if (lineText === undefined) {
    return n;
  }
  let units = 0;
  let points = 0;
  for (const ch of lineText) {
    if (points === n) {
      break;
    }
    units += ch.length;
    points++;
  }
  return units + Math.max(0, n - points);
}

function severityOf(s: string): Problem['severity'] {
  switch (s) {
    case 'error':
      return 'error';
    case 'info':
    case 'information':
    case 'note':
      return 'information';
    case 'hint':
      return 'hint';
    default:
      return 'warning';
  }
}

/**
 * toProblems converts findings; paths are taken from cwd (where krls check
 * ran). lines(path) gives a file's lines for the column conversion
 * (undefined when it cannot be read).
 */
export function toProblems(findings: CheckFinding[], cwd: string, lines: (path: string) => string[] | undefined): Problem[] {
  return findings.map((f) => {
    const p = path.resolve(cwd, f.file);
    const text = lines(p);
    return {
      path: p,
      startLine: f.line - 1,
      startChar: utf16Column(text?.[f.line - 1], f.column),
      endLine: f.endLine - 1,
      endChar: utf16Column(text?.[f.endLine - 1], f.endColumn),
      severity: severityOf(f.severity),
      rule: f.rule,
      message: f.message,
    };
  });
}

/**
 * dedupeProblems drops repeated findings (same path, line, column and
 * rule): nested workspace folders are checked twice over their common
 * files.
 */
export function dedupeProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify([p.path, p.startLine, p.startChar, p.rule]);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
