// Drives code-server's workbench in Debian's chromium (playwright-core):
// the krls extension on a Linux 6.12 tree. Every wait is on real UI state
// with a timeout and the name of what was awaited; a screenshot is taken
// after each step and on failure.
//
//   node e2e.js URL TREE UNSAFE_POS_JSON ARTIFACTS PLAIN_RS
// The window shows two folders: TREE and an ordinary Cargo project, whose
// PLAIN_RS has an undocumented unsafe block krls must not report.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const [url, tree, posFile, shots, plainRs] = process.argv.slice(2);
const T = Number(process.env.E2E_TIMEOUT_MS || 90000);
const objtree = process.env.KRLS_KERNEL_OBJ_X86_64; // krls.objtree in the user settings
const unsafePos = JSON.parse(fs.readFileSync(posFile, 'utf8')); // 1-based line/column of the undocumented block
const errorRs = path.join(tree, 'rust/kernel/error.rs');
const libRs = path.join(tree, 'rust/kernel/lib.rs');
const WARNING = 'unsafe block missing a safety comment';

const t0 = Date.now();
const lap = (what) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);

/** lineCol finds needle in a file: 1-based line, and column of its start plus skip. */
function lineCol(file, needle, skip = 0) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${file}: ${needle} not found`);
  return { line: i + 1, column: lines[i].indexOf(needle) + 1 + skip };
}

(async () => {
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  let n = 0;
  const shot = async (name) => {
    const file = path.join(shots, `${String(++n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    lap(`screenshot ${path.basename(file)}`);
  };
  // step runs one step; a timeout names the step and what it waited for.
  let current = '';
  const step = async (name, f) => {
    current = name;
    await f();
    lap(`ok: ${name}`);
  };
  const waitFor = (locator, what, opts = {}) =>
    locator.first().waitFor({ timeout: T, ...opts }).catch((e) => {
      throw new Error(`timed out after ${T / 1000}s waiting for ${what} (${e.message.split('\n')[0]})`);
    });
  const editor = page.locator('.editor-group-container.active .monaco-editor');

  const quickOpen = async (file) => {
    await page.keyboard.press('Control+P');
    await waitFor(page.locator('.quick-input-widget input'), 'Quick Open');
    await page.keyboard.type(file);
    await waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }), `${path.basename(file)} in Quick Open`);
    await page.keyboard.press('Enter');
    await waitFor(page.locator('.tab.active', { hasText: path.basename(file) }), `the editor tab of ${path.basename(file)}`);
    await waitFor(editor.locator('.view-lines'), 'the editor text');
  };
  const goTo = async (line, column) => {
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+G');
    await waitFor(page.locator('.quick-input-widget input'), 'Go to Line');
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    // The status bar shows the cursor position once the editor has it.
    await waitFor(page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }), `the cursor at Ln ${line}, Col ${column}`);
  };
  const runCommand = async (title) => {
    await page.keyboard.press('Control+Shift+P');
    await waitFor(page.locator('.quick-input-widget input'), 'the Command Palette');
    await page.keyboard.type(title);
    await waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: title }), `"${title}" in the Command Palette`);
    await page.keyboard.press('Enter');
  };
  const hover = async (what, texts) => {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    let h = page.locator('.monaco-hover:visible');
    for (const t of texts) {
      h = h.filter({ hasText: t });
    }
    await waitFor(h, `a hover on ${what} with ${texts.map((t) => JSON.stringify(t)).join(', ')}`);
    return (await h.first().innerText()).trim();
  };

  let ok = false;
  try {
    await step('workbench loads', async () => {
      await page.goto(url, { timeout: T });
      await waitFor(page.locator('.monaco-workbench'), 'the workbench');
      await waitFor(page.locator('.explorer-folders-view, .explorer-viewlet'), 'the explorer');
    });

    await step('a Rust file of the other folder opens first', async () => {
      await quickOpen(plainRs);
    });

    await step('error.rs opens, the status bar shows the configuration', async () => {
      await quickOpen(errorRs);
      await waitFor(page.locator('.statusbar-item', { hasText: 'krls: x86_64 · RUST=y' }), 'the status bar item "krls: x86_64 · RUST=y"');
    });

    await step('the SAFETY warning is in the Problems panel', async () => {
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: WARNING });
      await waitFor(row, `"${WARNING}" in the Problems panel`);
      const text = await row.first().innerText();
      if (!text.includes(`[Ln ${unsafePos.line}, Col ${unsafePos.column}]`)) {
        throw new Error(`the warning is not at Ln ${unsafePos.line}, Col ${unsafePos.column}: ${JSON.stringify(text)}`);
      }
      // One row: the kernel tree's. The Cargo project's main.rs (opened
      // before error.rs, with the same kind of block) gets nothing.
      const all = await page.locator('.markers-panel .monaco-list-row', { hasText: WARNING }).count();
      if (all !== 1) throw new Error(`${all} rows with the warning, want 1 (krls must not serve ${plainRs})`);
      const plain = await page.locator('.markers-panel .monaco-list-row', { hasText: 'main.rs' }).count();
      if (plain !== 0) throw new Error(`the Problems panel lists main.rs of the Cargo project: krls served a file outside the kernel tree`);
      await shot('problems-safety-warning');
    });

    await step('the quick fix is offered in the editor', async () => {
      await goTo(unsafePos.line, unsafePos.column + 2);
      await waitFor(editor.locator('.squiggly-warning'), 'the warning squiggle in the editor');
      await page.keyboard.press('Control+.');
      await waitFor(page.locator('.action-widget .monaco-list-row', { hasText: 'SAFETY' }), 'the quick fix "Add a `// SAFETY:` comment" in the Quick Fix menu');
      await shot('quick-fix-menu');
    });

    await step('the quick fix applies and the warning goes', async () => {
      // The menu opens with its first item focused (the fix is the only
      // one): Enter applies it, as a user would.
      const item = page.locator('.action-widget .monaco-list-row', { hasText: 'SAFETY' }).first();
      if (!(await item.evaluate((el) => el.classList.contains('focused')))) {
        await item.hover();
      }
      await page.keyboard.press('Enter');
      // The row goes from a panel that is still shown (a hidden panel has
      // no rows either), and the squiggle from the editor.
      await waitFor(page.locator('.markers-panel .monaco-list-row', { hasText: WARNING }), 'the warning to leave the Problems panel', { state: 'detached' });
      await waitFor(page.locator('.markers-panel'), 'the Problems panel, still shown', { state: 'visible' });
      await waitFor(editor.locator('.squiggly-warning'), 'the warning squiggle to leave the editor', { state: 'detached' });
      await page.keyboard.press('Control+S');
      await waitFor(page.locator('.tab.active:not(.dirty)', { hasText: 'error.rs' }), 'error.rs to be saved');
      // The save reaches the disk through code-server: poll the file.
      let lines = [];
      let at = -1;
      const documented = () => {
        lines = fs.readFileSync(errorRs, 'utf8').split('\n');
        at = lines.findIndex((l) => l.includes('unsafe { bindings::ERR_PTR(self.0.get() as _) as *mut _ }'));
        // The comment may quote the callee's contract over several lines:
        // the run of // lines right above the block must start with SAFETY:.
        let first = at;
        while (first >= 1 && lines[first - 1].trim().startsWith('//')) first--;
        return at >= 1 && first < at && lines[first].trim().startsWith('// SAFETY:');
      };
      for (const end = Date.now() + T; !documented(); ) {
        if (Date.now() > end) {
          throw new Error(`no // SAFETY: comment above the block on disk after the fix and a save: ${JSON.stringify(lines.slice(Math.max(0, at - 4), at + 1))}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`   inserted: ${lines[at - 1].trim()}`);
      await shot('warning-gone-after-fix');
    });

    await step('a CAST hint on the same block, and its fix', async () => {
      // The block casts twice (`as _`, `as *mut _`) without a `// CAST:`
      // comment: krls shows hints (faint dots, not in the Problems
      // panel), and one comment above the statement documents both.
      const p = lineCol(errorRs, 'self.0.get() as _', 'self.0.get() '.length + 1);
      await goTo(p.line, p.column);
      await waitFor(editor.locator('.squiggly-hint'), 'the hint dots of the undocumented casts in the editor');
      const before = await editor.locator('.squiggly-hint').count();
      // The menu holds the actions of the moment it opens: right after the
      // SAFETY fix edited the file, the casts' hints of the new text may
      // not be published yet ("No code actions available"). Reopen it
      // until the fix is there, as a user would.
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'CAST' }).first();
      for (const end = Date.now() + T; ; ) {
        await page.keyboard.press('Control+.');
        if (await fix.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
        if (Date.now() > end) throw new Error(`timed out after ${T / 1000}s waiting for the quick fix "Add a \`// CAST:\` comment" in the Quick Fix menu`);
        await page.keyboard.press('Escape');
      }
      await shot('cast-hint-quick-fix-menu');
      // As the SAFETY fix: Enter applies the focused (only) item.
      if (!(await fix.evaluate((el) => el.classList.contains('focused')))) {
        await fix.hover();
      }
      await page.keyboard.press('Enter');
      // Both casts are documented by the one comment: their hints go.
      for (const end = Date.now() + T; (await editor.locator('.squiggly-hint').count()) > before - 2; ) {
        if (Date.now() > end) throw new Error(`the cast hints did not go after the fix (${before} before)`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.keyboard.press('Control+S');
      await waitFor(page.locator('.tab.active:not(.dirty)', { hasText: 'error.rs' }), 'error.rs to be saved');
      let run = [];
      const documented = () => {
        const lines = fs.readFileSync(errorRs, 'utf8').split('\n');
        const at = lines.findIndex((l) => l.includes('unsafe { bindings::ERR_PTR(self.0.get() as _) as *mut _ }'));
        let first = at;
        while (first >= 1 && lines[first - 1].trim().startsWith('//')) first--;
        run = lines.slice(first, at);
        return run.some((l) => l.trim().startsWith('// CAST:'));
      };
      for (const end = Date.now() + T; !documented(); ) {
        if (Date.now() > end) throw new Error(`no // CAST: comment above the block on disk after the fix and a save: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`   comments above the block: ${JSON.stringify(run.map((l) => l.trim()))}`);
      await shot('cast-hint-gone-after-fix');
    });

    await step('hover on EINVAL', async () => {
      const p = lineCol(errorRs, 'return code::EINVAL;', 'return code::'.length + 2);
      await goTo(p.line, p.column);
      const text = await hover('EINVAL', ['EINVAL = 22 on x86_64', 'Invalid argument']);
      console.log(`   hover: ${text.split('\n')[0]}`);
      await shot('hover-einval');
      await page.keyboard.press('Escape');
    });

    await step('hover on CONFIG_NET', async () => {
      await quickOpen(libRs);
      const p = lineCol(libRs, '#[cfg(CONFIG_NET)]', '#[cfg(CONFIG_'.length);
      await goTo(p.line, p.column);
      const text = await hover('CONFIG_NET', ['cfg(CONFIG_NET) holds', 'CONFIG_NET = y (bool)', 'Networking support']);
      console.log(`   hover: ${text.split('\n')[0]}`);
      await shot('hover-config-net');
      await page.keyboard.press('Escape');
    });

    await step('krls: Explain Kconfig Symbol… shows krls config explain', async () => {
      await runCommand('krls: Explain Kconfig Symbol');
      await waitFor(page.locator('.quick-input-widget', { hasText: 'A Kconfig symbol' }), 'the symbol input box');
      await page.keyboard.type('CONFIG_RUST');
      await page.keyboard.press('Enter');
      await waitFor(page.locator('.tab', { hasText: 'CONFIG_RUST.txt' }), 'the explain document tab');
      await waitFor(page.locator('.monaco-editor .view-lines', { hasText: 'CONFIG_RUST=y (bool)' }), 'the explanation text');
      await shot('explain-config-rust');
    });

    await step('krls: Check Workspace fills the Problems panel', async () => {
      await runCommand('krls: Check Workspace');
      await waitFor(page.locator('.markers-panel .monaco-list-row', { hasText: 'krls check' }), 'a "krls check" finding in the Problems panel');
      await shot('check-workspace');
    });
    await step('a settings change in the Settings editor reaches the server without a restart', async () => {
      // An objtree without .config: the status bar warns; then back.
      const empty = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'objtree-'));
      const setObjtree = async (value) => {
        const input = page.locator('.settings-editor .setting-item', { hasText: 'Objtree' }).locator('input').first();
        await waitFor(input, 'the krls.objtree input in the Settings editor');
        await input.fill(value);
        await input.press('Tab');
      };
      await page.keyboard.press('Control+,');
      await waitFor(page.locator('.settings-editor .settings-header input, .settings-editor .suggest-input-container'), 'the Settings editor');
      await page.keyboard.type('krls.objtree');
      await setObjtree(empty);
      await waitFor(page.locator('.statusbar-item', { hasText: 'krls: no .config' }), 'the status bar warning "krls: no .config"');
      await shot('settings-objtree-no-config');
      await setObjtree(objtree);
      await waitFor(page.locator('.statusbar-item', { hasText: 'krls: x86_64 · RUST=y' }), 'the status bar back at "krls: x86_64 · RUST=y"');
    });
    ok = true;
  } catch (e) {
    console.log(`FAIL in step "${current}": ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => {});
    console.log(`   screenshot ${path.join(shots, 'failure.png')}`);
  } finally {
    await context.close();
  }
  lap(ok ? 'all steps passed' : 'failed');
  process.exit(ok ? 0 : 1);
})();
