import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dedupeProblems, parseCheckOutput, toProblems, utf16Column } from '../../src/checkJson';

const out = JSON.stringify([
  { file: 'drivers/x.rs', line: 3, column: 6, endLine: 3, endColumn: 11, severity: 'warning', rule: 'undocumented-unsafe', message: 'unsafe block missing a safety comment' },
  { file: '/abs/y.rs', line: 1, column: 1, endLine: 2, endColumn: 1, severity: 'info', rule: 'safety-placeholder', message: 'placeholder' },
]);

describe('krls check JSON', () => {
  it('parses findings', () => {
    const f = parseCheckOutput(out);
    assert.equal(f.length, 2);
    assert.equal(f[0].rule, 'undocumented-unsafe');
    assert.deepEqual(parseCheckOutput(''), []);
    assert.deepEqual(parseCheckOutput('[]\n'), []);
  });
  it('rejects what is not a list of findings', () => {
    assert.throws(() => parseCheckOutput('{}'), /expected a JSON array/);
    assert.throws(() => parseCheckOutput('[{"line": 1}]'), /finding 0/);
    assert.throws(() => parseCheckOutput('krls: oops'));
  });
  it('converts to 0-based lines and UTF-16 columns, paths from cwd', () => {
    const lines: Record<string, string[]> = { '/ws/drivers/x.rs': ['', '', '/* ü😀 */ unsafe { }'] };
    const p = toProblems(parseCheckOutput(out), '/ws', (p) => lines[p]);
    assert.equal(p[0].path, '/ws/drivers/x.rs');
    assert.equal(p[0].startLine, 2);
    // column 6 (code points) follows "/* ü😀": 5 points, 6 UTF-16 units
    assert.equal(p[0].startChar, 6);
    assert.equal(p[0].severity, 'warning');
    assert.equal(p[1].path, '/abs/y.rs');
    assert.equal(p[1].severity, 'information');
    assert.equal(p[1].endLine, 1);
  });
  it('counts code points as UTF-16 units', () => {
    assert.equal(utf16Column('abc', 1), 0);
    assert.equal(utf16Column('😀x', 2), 2);
    assert.equal(utf16Column('😀x', 3), 3);
    assert.equal(utf16Column('ab', 6), 5, 'past the end of the line');
    assert.equal(utf16Column(undefined, 4), 3);
  });
});

describe('dedupeProblems', () => {
  it('keeps one of the findings nested folders both report', () => {
    const f = parseCheckOutput(out);
    // /ws and /ws/drivers/.. both checked: the same file, reported from two cwds.
    const a = toProblems(f, '/ws', () => undefined);
    const b = toProblems(parseCheckOutput(JSON.stringify([{ ...JSON.parse(out)[0], file: 'x.rs' }])), '/ws/drivers', () => undefined);
    const all = dedupeProblems([...a, ...b]);
    assert.equal(all.length, 2);
    assert.deepEqual(all.map((p) => p.path), ['/ws/drivers/x.rs', '/abs/y.rs']);
  });
  it('keeps different rules at the same place', () => {
    const [p] = toProblems(parseCheckOutput(out), '/ws', () => undefined);
    assert.equal(dedupeProblems([p, { ...p, rule: 'other' }]).length, 2);
  });
});
