// The status bar text for the server's krls/status notification. No
// 'vscode' import: unit-tested.

/** The krls/status notification's params (lsp/status.go). */
export interface KrlsStatus {
  /** "ok": configured; "noConfig": a kernel tree without .config; "noKernel": no kernel tree for the file; "error": the configuration did not load. */
  state: 'ok' | 'noConfig' | 'noKernel' | 'error';
  arch?: string;
  /** CONFIG_RUST's value: "y", "n" ("m" cannot happen: it is a bool). */
  rust?: string;
  srctree?: string;
  objtree?: string;
  message?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
  warning: boolean;
}

/**
 * statusView is what the status bar item shows for a status; notBuilt is
 * the message of krls's not-built diagnostic on the active file, if any
 * (the .config builds no crate holding it).
 */
export function statusView(s: KrlsStatus | undefined, notBuilt?: string): StatusView {
  if (s?.state === 'ok' && notBuilt) {
    const base = statusView(s);
    return { text: '$(circle-slash) krls: file not built', tooltip: notBuilt + '\n\n' + base.tooltip, warning: false };
  }
  if (!s) {
    return { text: 'krls', tooltip: 'krls: waiting for the server', warning: false };
  }
  const trees = [s.srctree ? `srctree: ${s.srctree}` : '', s.objtree ? `objtree: ${s.objtree}` : ''].filter((x) => x !== '');
  const tip = (head: string) => [head, ...trees, s.message ?? ''].filter((x) => x !== '').join('\n') + '\n\nClick to show the krls output.';
  switch (s.state) {
    case 'ok':
      return {
        text: `krls: ${s.arch || '?'} · RUST=${s.rust || 'n'}`,
        tooltip: tip(`Kernel configuration for ${s.arch || 'an unknown arch'}, CONFIG_RUST=${s.rust || 'n'}`),
        warning: false,
      };
    case 'noConfig':
      return { text: '$(warning) krls: no .config', tooltip: tip('No .config found: Kconfig values are unknown (set krls.objtree, or configure the kernel)'), warning: true };
    case 'error':
      return { text: '$(warning) krls: Kconfig error', tooltip: tip('The kernel configuration did not load'), warning: true };
    default:
      return { text: 'krls: no kernel', tooltip: tip('No kernel tree for this file: only the SAFETY rules run'), warning: false };
  }
}

/**
 * pickStatus chooses the status to show for the active file: the one of
 * the deepest srctree containing it, else the latest received.
 */
export function pickStatus(byTree: Map<string, KrlsStatus>, latest: KrlsStatus | undefined, file: string | undefined): KrlsStatus | undefined {
  if (file) {
    let best: KrlsStatus | undefined;
    let bestLen = -1;
    for (const [tree, st] of byTree) {
      if (tree !== '' && (file === tree || file.startsWith(tree.endsWith('/') ? tree : tree + '/')) && tree.length > bestLen) {
        best = st;
        bestLen = tree.length;
      }
    }
    if (best) {
      return best;
    }
  }
  return latest;
}
