// The krls extension: starts `krls serve` for kernel trees and out-of-tree
// modules, beside rust-analyzer, and adds the commands and the status bar
// item. The decisions (which folder, which binary, which settings, how to
// read krls check) live in modules without 'vscode' so they are
// unit-tested; this file is the glue.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  ClientCapabilities,
  DidChangeConfigurationNotification,
  DocumentSelector,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  StaticFeature,
} from 'vscode-languageclient/node';

import { Root, findRoot, shouldActivate, srctreeOfObjtree } from './activation';
import { Problem, dedupeProblems, parseCheckOutput, toProblems } from './checkJson';
import { rootFilters, rootOf, withRoot } from './selector';
import { NotFoundError, resolveServer } from './serverPath';
import { checkArgs, discoverConfig, explainArgs, restartSettings, serverSettings, symbolOf, validSymbolName } from './settings';
import { KrlsStatus, pickStatus, statusView } from './status';

const explainScheme = 'krls-explain';

// The documents krls serves: the Rust, Kconfig and .config files on disk
// in the roots found (selector.ts), not every Rust file of the window. No
// formatting, semantic tokens or other features rust-analyzer owns: the
// server announces none, so the client registers none.
function selectorOf(roots: readonly Root[], objtrees: readonly string[]): DocumentSelector {
  // vscode-languageclient hands the pattern to vscode.languages.match as
  // it is, so a vscode.RelativePattern works (and needs no glob escaping
  // of the root's path).
  return rootFilters(roots, objtrees).map((f) => ({
    scheme: 'file',
    language: f.language,
    pattern: new vscode.RelativePattern(vscode.Uri.file(f.base), f.pattern),
  })) as unknown as DocumentSelector;
}

/** Asks the server for krls/status notifications (lsp/status.go), as rust-analyzer asks for its serverStatus. */
class StatusFeature implements StaticFeature {
  fillClientCapabilities(caps: ClientCapabilities): void {
    caps.experimental = { ...(caps.experimental ?? {}), krlsStatus: true };
  }
  initialize(): void {}
  getState(): FeatureState {
    return { kind: 'static' };
  }
  clear(): void {}
}

class Krls implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The kernel trees and module folders served; the client's selector covers these only. */
  private roots: Root[] = [];
  private readonly output = vscode.window.createOutputChannel('krls');
  private readonly status = vscode.window.createStatusBarItem('krls.status', vscode.StatusBarAlignment.Left, 0);
  private readonly checkDiags = vscode.languages.createDiagnosticCollection('krls check');
  private readonly explains = new Map<string, string>();
  private readonly explainChanged = new vscode.EventEmitter<vscode.Uri>();
  private statuses = new Map<string, KrlsStatus>();
  private latestStatus: KrlsStatus | undefined;
  private starting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: vscode.ExtensionContext) {
    this.status.name = 'krls';
    this.status.command = 'krls.showOutput';
    this.disposables.push(this.output, this.status, this.checkDiags, this.explainChanged);
  }

  log(msg: string): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${msg}`);
  }

  register(): void {
    const reg = (cmd: string, f: (...args: unknown[]) => unknown) => this.disposables.push(vscode.commands.registerCommand(cmd, f));
    reg('krls.restartServer', () => this.restart(true));
    reg('krls.showOutput', () => this.output.show(true));
    reg('krls.explainSymbol', (name?: unknown) => this.explain(typeof name === 'string' ? name : undefined));
    reg('krls.checkWorkspace', () => this.checkWorkspace());
    reg('krls.configureRustAnalyzer', () => this.configureRustAnalyzer());
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(explainScheme, {
        onDidChange: this.explainChanged.event,
        provideTextDocumentContent: (uri) => this.explains.get(uri.toString()) ?? '',
      }),
      vscode.workspace.onDidChangeConfiguration((e) => this.configChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log('workspace trusted: krls.kconfig.allowShell is honoured now');
        this.sendSettings();
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.maybeStart(d)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.foldersChanged()),
      vscode.window.onDidChangeActiveTextEditor(() => this.showStatus()),
      // The status says when the active file is not built (krls's
      // not-built diagnostic).
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some((u) => u.toString() === active)) {
          this.showStatus();
        }
      }),
      // A check's findings for a file are stale once it is edited; the
      // server's own diagnostics take over.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.checkDiags.has(e.document.uri)) {
          this.checkDiags.delete(e.document.uri);
        }
      }),
    );
  }

  private folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** The workspace folder the settings are read for: the one holding the (first) root, else the first. */
  private folder(root: Root | undefined = this.roots[0]): vscode.WorkspaceFolder | undefined {
    const all = vscode.workspace.workspaceFolders ?? [];
    if (root) {
      const inRoot = all.find((f) => f.uri.fsPath === root.dir || f.uri.fsPath.startsWith(root.dir + path.sep) || root.dir.startsWith(f.uri.fsPath + path.sep));
      if (inRoot) {
        return inRoot;
      }
    }
    return all[0];
  }

  /** The roots of the workspace folders (each folder's kernel tree or module folder), without repeats. */
  private folderRoots(): Root[] {
    let roots: Root[] = [];
    for (const f of this.folders()) {
      const r = findRoot(f);
      roots = (r && withRoot(roots, r)) || roots;
    }
    return roots;
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('krls', this.folder()?.uri);
  }

  /** settings are what the server gets: those of folder (default: the folder of the first root). */
  private settings(folder: vscode.Uri | undefined = this.folder()?.uri) {
    const c = vscode.workspace.getConfiguration('krls', folder);
    const trusted = vscode.workspace.isTrusted;
    const raw = {
      srctree: c.get('srctree'),
      objtree: c.get('objtree'),
      kdir: c.get('kdir'),
      allowShell: c.get('kconfig.allowShell'),
      checkPrivateItems: c.get('checkPrivateItems'),
      rules: c.get('rules'),
      rustAnalyzer: c.get('rustAnalyzer'),
    };
    if (raw.allowShell === true && !trusted) {
      this.log('krls.kconfig.allowShell is ignored: the workspace is not trusted');
    }
    return serverSettings(raw, trusted, folder?.scheme === 'file' ? folder.fsPath : undefined);
  }

  /**
   * maybeStart starts the server when the window shows a kernel tree or
   * module (or such a Rust file opens). A Rust file of a root not served yet
   * adds its root: the client restarts with the wider selector.
   */
  async maybeStart(doc?: vscode.TextDocument): Promise<void> {
    if (doc && (doc.languageId !== 'rust' || doc.uri.scheme !== 'file')) {
      return;
    }
    const active = vscode.window.activeTextEditor?.document;
    const rustFile = doc?.uri.fsPath ?? (active?.languageId === 'rust' && active.uri.scheme === 'file' ? active.uri.fsPath : undefined);
    if (this.client || this.starting) {
      if (rustFile && !rootOf(this.roots, rustFile)) {
        const r = findRoot(path.dirname(rustFile));
        const more = r && withRoot(this.roots, r);
        if (r && more) {
          this.roots = more;
          this.log(`${r.kind === 'kernel' ? 'kernel tree' : 'out-of-tree module'} ${r.dir}: restarting to serve it too`);
          await this.restart(false);
        }
      }
      return;
    }
    let roots = this.folderRoots();
    const fileRoot = rustFile ? findRoot(path.dirname(rustFile)) : undefined;
    roots = (fileRoot && withRoot(roots, fileRoot)) || roots;
    if (roots.length === 0) {
      this.log(`not a kernel tree or out-of-tree module (folders: ${this.folders().join(', ') || 'none'}); krls waits for a Rust file of one`);
      return;
    }
    this.roots = roots;
    for (const r of roots) {
      this.log(`${r.kind === 'kernel' ? 'kernel tree' : 'out-of-tree module'} ${r.dir}`);
    }
    await this.start();
  }

  /** foldersChanged serves the roots of added folders (and keeps those of the files opened). */
  private async foldersChanged(): Promise<void> {
    if (!this.client && !this.starting) {
      return this.maybeStart();
    }
    let roots = this.roots;
    for (const r of this.folderRoots()) {
      roots = withRoot(roots, r) ?? roots;
    }
    if (roots !== this.roots) {
      this.roots = roots;
      this.log('workspace folders changed: restarting to serve their trees');
      await this.restart(false);
    }
  }

  private async start(): Promise<void> {
    if (this.starting) {
      return this.starting;
    }
    this.starting = this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const folder = this.folder();
    const c = this.config();
    let command: string;
    try {
      const r = resolveServer(c.get<string>('server.path'), folder?.uri.fsPath, process.env.PATH);
      command = r.command;
      this.log(`server ${command} (from ${r.source === 'PATH' ? 'PATH' : 'krls.server.path'})`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log(msg);
      this.setStatus('$(error) krls: not found', msg, true);
      if (e instanceof NotFoundError) {
        void this.offerLocate(msg);
      }
      return;
    }
    const extra = (c.get<unknown[]>('server.extraArgs') ?? []).filter((a): a is string => typeof a === 'string');
    const serverOptions: ServerOptions = {
      command,
      args: ['serve', ...extra],
      options: { cwd: folder?.uri.fsPath ?? this.roots[0]?.dir },
    };
    const s = this.settings();
    const clientOptions: LanguageClientOptions = {
      documentSelector: selectorOf(this.roots, [s.krls.objtree, s.krls.kdir].filter((p) => path.isAbsolute(p))),
      initializationOptions: s,
      outputChannel: this.output,
      markdown: { isTrusted: false, supportHtml: false },
      workspaceFolder: folder,
    };
    const client = new LanguageClient('krls', 'krls', serverOptions, clientOptions);
    client.registerFeature(new StatusFeature());
    this.disposables.push(
      client.onNotification('krls/status', (st: KrlsStatus) => {
        this.statuses.set(st.srctree ?? '', st);
        this.latestStatus = st;
        this.showStatus();
      }),
    );
    this.client = client;
    this.setStatus('$(sync~spin) krls', 'krls: starting', false);
    try {
      await client.start();
      this.log(`started (krls ${client.initializeResult?.serverInfo?.version ?? '?'})`);
      this.showStatus();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log(`the server did not start: ${msg}`);
      this.setStatus('$(error) krls', `krls did not start: ${msg}`, true);
      this.client = undefined;
      void vscode.window.showErrorMessage(`krls did not start: ${msg}`, 'Show Output').then((a) => {
        if (a) {
          this.output.show(true);
        }
      });
    }
  }

  private async offerLocate(msg: string): Promise<void> {
    const locate = 'Locate krls…';
    const settings = 'Open Settings';
    const a = await vscode.window.showErrorMessage(msg, locate, settings);
    if (a === settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'krls.server.path');
    } else if (a === locate) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this krls', title: 'Locate the krls binary' });
      if (picked && picked[0]) {
        // The setting change restarts the server (configChanged).
        await vscode.workspace.getConfiguration('krls').update('server.path', picked[0].fsPath, vscode.ConfigurationTarget.Global);
      }
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.statuses = new Map();
    this.latestStatus = undefined;
    if (c) {
      try {
        await c.stop(5000);
      } catch (e) {
        this.log(`stopping the server: ${e instanceof Error ? e.message : String(e)}`);
      }
      await c.dispose().catch(() => undefined);
    }
  }

  async restart(userAsked: boolean): Promise<void> {
    if (this.starting) {
      await this.starting.catch(() => undefined);
    }
    await this.stop();
    if (userAsked) {
      this.log('restart');
    }
    if (this.roots.length === 0) {
      const r = shouldActivate(this.folders(), vscode.window.activeTextEditor?.document.uri.fsPath);
      this.roots = r ? [r] : [];
    }
    if (this.roots.length === 0) {
      void vscode.window.showWarningMessage('krls: this window shows no kernel tree or out-of-tree module.');
      return;
    }
    await this.start();
  }

  private configChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration('krls')) {
      return;
    }
    if (restartSettings.some((s) => e.affectsConfiguration(s))) {
      this.log('server path or arguments changed: restarting');
      void this.restart(false);
      return;
    }
    this.sendSettings();
  }

  /** sendSettings tells the running server the settings (no restart needed). */
  private sendSettings(): void {
    const c = this.client;
    if (!c || !c.isRunning()) {
      return;
    }
    const settings = this.settings();
    this.log(`settings: ${JSON.stringify(settings.krls)}`);
    void c.sendNotification(DidChangeConfigurationNotification.type, { settings }).catch((err: unknown) => this.log(`didChangeConfiguration: ${String(err)}`));
  }

  private setStatus(text: string, tooltip: string, warning: boolean): void {
    this.status.text = text;
    this.status.tooltip = tooltip;
    this.status.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.status.show();
  }

  private showStatus(): void {
    if (!this.client) {
      return;
    }
    const file = vscode.window.activeTextEditor?.document.uri;
    const st = pickStatus(this.statuses, this.latestStatus, file?.scheme === 'file' ? file.fsPath : undefined);
    const notBuilt = file && vscode.languages.getDiagnostics(file).find((d) => d.source === 'krls' && d.code === 'not-built');
    const v = statusView(st, notBuilt?.message);
    this.setStatus(v.text, v.tooltip, v.warning);
  }

  /** The krls binary for the CLI commands, or undefined after telling the user. */
  private cli(): string | undefined {
    try {
      return resolveServer(this.config().get<string>('server.path'), this.folder()?.uri.fsPath, process.env.PATH).command;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      void this.offerLocate(msg);
      return undefined;
    }
  }

  /**
   * run runs a krls command; it rejects when the command cannot run. A
   * cancelled run resolves with cancelled set (its killed process has no
   * exit status: that is not a failure to report).
   */
  private run(cmd: string, args: string[], cwd: string | undefined, token?: vscode.CancellationToken): Promise<{ code: number; stdout: string; stderr: string; cancelled?: boolean }> {
    this.log(`$ ${cmd} ${args.join(' ')}${cwd ? `   (in ${cwd})` : ''}`);
    return new Promise((resolve, reject) => {
      const child = cp.execFile(cmd, args, { cwd, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
        if (token?.isCancellationRequested) {
          resolve({ code: -1, stdout, stderr, cancelled: true });
          return;
        }
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      });
      const sub = token?.onCancellationRequested(() => child.kill());
      child.on('close', () => sub?.dispose());
    });
  }

  /**
   * configureRustAnalyzer writes rust-analyzer.workspace.discoverConfig
   * into the workspace settings, once the user agrees: rust-analyzer then
   * finds the kernel's crates by itself (krls rust-project --discover).
   * krls.rustAnalyzer tells krls to leave rust-analyzer what it answers.
   */
  private async configureRustAnalyzer(): Promise<void> {
    const cmd = this.cli();
    if (!cmd) {
      return;
    }
    const value = discoverConfig(cmd, this.settings());
    const write = 'Write to Workspace Settings';
    const answer = await vscode.window.showInformationMessage(
      'krls: let rust-analyzer ask krls for the kernel\'s project (rust-analyzer.workspace.discoverConfig runs `krls rust-project --discover`)?',
      { modal: true, detail: JSON.stringify(value, null, 2) },
      write,
    );
    if (answer !== write) {
      return;
    }
    await vscode.workspace.getConfiguration('rust-analyzer').update('workspace.discoverConfig', value, vscode.ConfigurationTarget.Workspace);
    await this.config().update('rustAnalyzer', true, vscode.ConfigurationTarget.Workspace);
    this.log(`rust-analyzer.workspace.discoverConfig set: ${JSON.stringify(value)}`);
  }

  private async explain(given?: string): Promise<void> {
    let name = given;
    if (name !== undefined && name.trim() !== '' && !symbolOf(name)) {
      // From a command: link or another extension: say why nothing opens.
      void vscode.window.showErrorMessage(`krls: "${name}" is not a Kconfig symbol name (letters, digits and _, with or without CONFIG_).`);
      return;
    }
    if (!name?.trim()) {
      // Offer the CONFIG_ name under the cursor.
      const ed = vscode.window.activeTextEditor;
      let guess = '';
      if (ed) {
        const r = ed.document.getWordRangeAtPosition(ed.selection.active, /CONFIG_[A-Za-z0-9_]+/);
        guess = r ? ed.document.getText(r) : '';
      }
      name = await vscode.window.showInputBox({
        title: 'krls: Explain Kconfig Symbol',
        prompt: 'A Kconfig symbol, with or without CONFIG_',
        value: guess,
        placeHolder: 'CONFIG_RUST',
        validateInput: (v) => (v.trim() === '' || validSymbolName(v) ? undefined : 'Letters, digits and _ only'),
      });
    }
    const sym = name === undefined ? undefined : symbolOf(name);
    if (!sym) {
      return; // the input box was dismissed
    }
    const cmd = this.cli();
    if (!cmd) {
      return;
    }
    // The tree of the file in front of the user, else the first root.
    const active = vscode.window.activeTextEditor?.document.uri;
    const file = active?.scheme === 'file' ? active.fsPath : undefined;
    const root = (file && (rootOf(this.roots, file) ?? findRoot(path.dirname(file)))) || this.roots[0];
    const wf = (active && vscode.workspace.getWorkspaceFolder(active)) ?? this.folder(root);
    const folder = wf?.uri.fsPath;
    const args = explainArgs(sym, this.settings(wf?.uri), folder, root?.kind === 'kernel' ? root.dir : undefined, srctreeOfObjtree, process.env.KDIR);
    let text: string;
    try {
      const r = await this.run(cmd, args, folder ?? root?.dir);
      text = r.code === 0 ? r.stdout : `krls ${args.join(' ')}\nexited with status ${r.code}\n\n${r.stderr}${r.stdout}`;
      if (r.code !== 0) {
        this.log(r.stderr.trim());
      }
    } catch (e) {
      text = `krls ${args.join(' ')}\ndid not run: ${e instanceof Error ? e.message : String(e)}\n`;
    }
    const uri = vscode.Uri.from({ scheme: explainScheme, path: `/CONFIG_${sym}.txt` });
    this.explains.set(uri.toString(), text);
    this.explainChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private async checkWorkspace(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      // krls check reads the tree's .clippy.toml and runs git in it: not in
      // a repository the user has not trusted.
      void vscode.window.showWarningMessage('krls: Check Workspace runs krls in the repository, which Restricted Mode does not allow. Trust the workspace to use it.', 'Manage Workspace Trust').then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      return;
    }
    const cmd = this.cli();
    if (!cmd) {
      return;
    }
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (folders.length === 0) {
      void vscode.window.showWarningMessage('krls: Check Workspace needs an open folder.');
      return;
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'krls check', cancellable: true },
      async (progress, token) => {
        this.checkDiags.clear();
        const byFile = new Map<string, vscode.Diagnostic[]>();
        const found: Problem[] = [];
        const failed = (folder: string, why: string) => {
          void vscode.window.showErrorMessage(`krls check failed on ${folder}: ${why}`, 'Show Output').then((a) => a && this.output.show(true));
        };
        for (const wf of folders) {
          const folder = wf.uri.fsPath;
          progress.report({ message: folder });
          let r;
          try {
            r = await this.run(cmd, checkArgs(this.settings(wf.uri), folder), folder, token);
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            this.log(`krls check did not run: ${msg}`);
            failed(folder, msg);
            return;
          }
          if (r.cancelled || token.isCancellationRequested) {
            this.log('krls check: cancelled');
            return;
          }
          if (r.code > 1) {
            this.log(r.stderr.trim());
            failed(folder, r.stderr.trim().split('\n')[0] || `exit status ${r.code}`);
            continue;
          }
          const lines = (p: string) => {
            const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === p);
            try {
              return (open ? open.getText() : fs.readFileSync(p, 'utf8')).split('\n');
            } catch {
              return undefined;
            }
          };
          try {
            found.push(...toProblems(parseCheckOutput(r.stdout), folder, lines));
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            this.log(`krls check printed what the extension cannot read (${msg}):\n${r.stdout.slice(0, 2000)}`);
            failed(folder, `unexpected output (${msg})`);
          }
        }
        const problems = dedupeProblems(found);
        const total = problems.length;
        for (const p of problems) {
          const d = new vscode.Diagnostic(
            new vscode.Range(p.startLine, p.startChar, p.endLine, p.endChar),
            p.message,
            { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, information: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint }[p.severity],
          );
          d.source = 'krls check';
          d.code = p.rule;
          const list = byFile.get(p.path) ?? [];
          list.push(d);
          byFile.set(p.path, list);
        }
        for (const [p, diags] of byFile) {
          this.checkDiags.set(vscode.Uri.file(p), diags);
        }
        this.log(`krls check: ${total} finding(s) in ${byFile.size} file(s)`);
        if (total > 0) {
          await vscode.commands.executeCommand('workbench.actions.view.problems');
        } else {
          void vscode.window.showInformationMessage('krls check: no findings.');
        }
      },
    );
  }

  async dispose(): Promise<void> {
    await this.stop();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

let krls: Krls | undefined;

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  krls = new Krls(ctx);
  krls.register();
  await krls.maybeStart();
}

export async function deactivate(): Promise<void> {
  await krls?.dispose();
  krls = undefined;
}
