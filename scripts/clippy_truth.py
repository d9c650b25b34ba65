#!/usr/bin/env python3
"""clippy_truth.py: ground truth for krls's four clippy rules, from real clippy.

Driven by scripts/clippy-truth.sh, which prepares a Debian sid chroot with the
kernel's Rust toolchain, a writable copy of the fixture's Linux source and an
object tree configured like the fixture's x86_64-rust one. This program then:

  1. builds the configured Rust crates with `make CLIPPY=1` (the kernel's own
     clippy flags) on the pristine copy and records the warnings of the four
     SAFETY lints;
  2. in rounds, mutates one site in each of many files (one mutation per file
     per round), rebuilds incrementally, and records the warnings clippy gives
     each mutated file, then restores the files.

The mutations (chosen from a seed, balanced over the kinds):

  delete-safety-comment   delete a whole-line `// SAFETY:` comment and the
                          `//` lines that continue it (macro_rules! bodies
                          included)
  add-safety-comment      insert `// SAFETY: x` above a statement or item
                          that holds no `unsafe`
  remove-safety-doc       remove the `# Safety` section of an unsafe fn's
                          (or unsafe trait's) docs
  add-safety-doc          add a `# Safety` section to a safe fn's (or
                          trait's) docs

Sites are found with a small Rust lexer of its own (not krls's parser, so that
the truth does not inherit krls's reading of the code).

The output (JSON) holds derived facts only, no kernel text: per mutant the
file, the pristine line numbers, the kind, SHA-256 prefixes of the pristine
lines it touches, the text it inserts (our own), and clippy's findings (rule
mapped to krls's id, line in the mutated file; for unnecessary-safety-comment
the line of the SAFETY comment clippy points its help at).
"""

import argparse
import bisect
import gzip
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

# ---------------------------------------------------------------- lexer


class Tok:
    __slots__ = ("kind", "start", "end", "text", "line", "match", "parent", "first")

    def __init__(self, kind, start, end, text):
        self.kind = kind  # ident lifetime lit punct open close comment doc
        self.start = start
        self.end = end
        self.text = text
        self.line = 0
        self.match = -1  # for open/close: the index of the other delimiter
        self.parent = -1  # index of the innermost enclosing open delimiter
        self.first = False  # first token of its line


RAW_PREFIXES = ("r", "br", "cr")
STR_PREFIXES = ("b", "c")


def lex(src):
    toks = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\r\n":
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            t = src[i:j]
            kind = "doc" if (t.startswith("///") and not t.startswith("////")) or t.startswith("//!") else "comment"
            toks.append(Tok(kind, i, j, t))
            i = j
            continue
        if src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth += 1
                    j += 2
                elif src.startswith("*/", j):
                    depth -= 1
                    j += 2
                else:
                    j += 1
            t = src[i:j]
            kind = "doc" if (t.startswith("/**") and not t.startswith("/***") and t != "/**/") or t.startswith("/*!") else "comment"
            toks.append(Tok(kind, i, j, t))
            i = j
            continue
        if c.isalpha() or c == "_" or ord(c) > 127 and c.isidentifier():
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_" or ord(src[j]) > 127 and src[j].isidentifier()):
                j += 1
            word = src[i:j]
            if word in RAW_PREFIXES and j < n and src[j] in '#"':
                k = j
                while k < n and src[k] == "#":
                    k += 1
                if k < n and src[k] == '"':
                    hashes = k - j
                    close = '"' + "#" * hashes
                    e = src.find(close, k + 1)
                    e = n if e < 0 else e + len(close)
                    toks.append(Tok("lit", i, e, src[i:e]))
                    i = e
                    continue
            if word == "r" and j < n and src[j] == "#":  # raw identifier r#foo
                k = j + 1
                while k < n and (src[k].isalnum() or src[k] == "_"):
                    k += 1
                toks.append(Tok("ident", i, k, src[j + 1:k]))
                i = k
                continue
            if word in STR_PREFIXES and j < n and src[j] == '"':
                e = scan_string(src, j)
                toks.append(Tok("lit", i, e, src[i:e]))
                i = e
                continue
            if word == "b" and j < n and src[j] == "'":
                e = scan_char(src, j)
                toks.append(Tok("lit", i, e, src[i:e]))
                i = e
                continue
            toks.append(Tok("ident", i, j, word))
            i = j
            continue
        if c == '"':
            e = scan_string(src, i)
            toks.append(Tok("lit", i, e, src[i:e]))
            i = e
            continue
        if c == "'":
            if i + 1 < n and src[i + 1] == "\\" or i + 2 < n and src[i + 2] == "'":
                e = scan_char(src, i)
                toks.append(Tok("lit", i, e, src[i:e]))
                i = e
                continue
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            toks.append(Tok("lifetime", i, j, src[i:j]))
            i = j
            continue
        if c.isdigit():
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_" or
                             src[j] == "." and j + 1 < n and src[j + 1].isdigit() and not src[i:j].startswith("0x")):
                j += 1
            toks.append(Tok("lit", i, j, src[i:j]))
            i = j
            continue
        if c in "([{":
            toks.append(Tok("open", i, i + 1, c))
        elif c in ")]}":
            toks.append(Tok("close", i, i + 1, c))
        elif src.startswith("=>", i) or src.startswith("::", i) or src.startswith("->", i) or src.startswith("||", i):
            toks.append(Tok("punct", i, i + 2, src[i:i + 2]))
            i += 2
            continue
        else:
            toks.append(Tok("punct", i, i + 1, c))
        i += 1
    return toks


def scan_string(src, i):
    j, n = i + 1, len(src)
    while j < n:
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == '"':
            return j + 1
        j += 1
    return n


def scan_char(src, i):
    j, n = i + 1, len(src)
    while j < n:
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == "'":
            return j + 1
        if src[j] == "\n":
            return j
        j += 1
    return n


# ---------------------------------------------------------------- structure

KW_BLOCK_PREV = {"else", "loop", "unsafe", "move", "async", "try", "const"}


class Source:
    """A file's tokens, lines and the kind of each brace group."""

    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for ln in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(ln) + 1)
        self.toks = lex(text)
        self.code = [k for k, t in enumerate(self.toks) if t.kind not in ("comment", "doc")]
        self.ok = True
        stack = []
        last_line = -1
        for k, t in enumerate(self.toks):
            t.line = bisect.bisect_right(self.starts, t.start) - 1
            t.first = t.line != last_line
            last_line = self.line_of(t.end - 1) if t.end > t.start else t.line
            t.parent = stack[-1] if stack else -1
            if t.kind == "open":
                stack.append(k)
            elif t.kind == "close":
                if not stack:
                    self.ok = False
                    continue
                o = stack.pop()
                t.parent = stack[-1] if stack else -1
                self.toks[o].match = k
                t.match = o
        if stack:
            self.ok = False
        self.pos = {k: p for p, k in enumerate(self.code)}  # token index -> index in code
        self.kinds = {}
        for k, t in enumerate(self.toks):
            if t.kind == "open":
                self.kinds[k] = self.group_kind(k)

    def line_of(self, off):
        return bisect.bisect_right(self.starts, off) - 1

    def prev_code(self, k, n=1):
        """The n-th code token before token k, or None."""
        p = self.pos.get(k)
        if p is None:
            # k is a comment: find the code token before it
            p = bisect.bisect_left(self.code, k)
        else:
            p = p
        q = p - n
        return self.code[q] if q >= 0 else None

    def next_code(self, k):
        p = self.pos.get(k)
        if p is None:
            p = bisect.bisect_left(self.code, k) - 1
        q = p + 1
        return self.code[q] if q < len(self.code) else None

    def txt(self, k):
        return self.toks[k].text if k is not None and k >= 0 else None

    def header(self, k):
        """Top-level code tokens before the open delimiter k back to the
        previous `;`, `{`, `}` of the same level or the parent's open."""
        out = []
        q = self.prev_code(k)
        while q is not None:
            t = self.toks[q]
            if t.kind == "close":
                if t.text == "}":
                    break
                out.append(t.match)
                q = self.prev_code(t.match)
                continue
            if t.kind == "open" or t.text == ";":
                break
            out.append(q)
            q = self.prev_code(q)
        out.reverse()
        return out

    def group_kind(self, k):
        t = self.toks[k]
        p = self.prev_code(k)
        if p is None:
            return "other"
        pt = self.txt(p)
        p2 = self.prev_code(p)
        p3 = self.prev_code(p2) if p2 is not None else None
        if self.toks[p].kind == "ident" and self.txt(p2) == "!" and self.txt(p3) == "macro_rules":
            return "macro_rules"  # macro_rules! name { ... } (or ( ... ), [ ... ])
        if pt == "!":
            return "macrocall"
        if t.text != "{":
            return "paren"
        hdr = [self.txt(q) for q in self.header(k)]
        if "fn" in hdr:
            return "fnbody"
        if "impl" in hdr or "trait" in hdr:
            return "impl"
        if "mod" in hdr:
            return "mod"
        if "struct" in hdr or "enum" in hdr or "union" in hdr:
            return "fields"
        if "extern" in hdr:
            return "foreign"
        if "match" in hdr:
            return "arms"
        if pt in ("=>", "=", "|", "||") or pt in KW_BLOCK_PREV:
            return "block"
        if any(h in ("if", "while", "for", "let") for h in hdr):
            return "block"
        return "other"

    def contexts(self, k):
        """The kinds of the groups enclosing token k, innermost first."""
        out = []
        g = self.toks[k].parent
        while g >= 0:
            out.append(self.kinds.get(g, "other"))
            g = self.toks[g].parent
        return out

    def group_of(self, k):
        g = self.toks[k].parent
        return ("file" if g < 0 else self.kinds.get(g, "other")), g


def macro_ctx(ctxs):
    if "macro_rules" in ctxs:
        return "macro_rules"
    if "macrocall" in ctxs:
        return "macro_call"
    return "code"


def h(line):
    return hashlib.sha256(line.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- sites

SAFETY_RE = re.compile(r"^//\s*safety:", re.I)
HEADING_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_START = {"pub", "fn", "struct", "enum", "union", "impl", "trait", "use", "const", "static", "type", "mod",
              "extern", "let", "unsafe", "async", "#", "crate", "macro_rules"}
QUALIFIERS = {"pub", "const", "async", "unsafe", "extern", "default", "safe"}


def indent_of(line):
    return line[: len(line) - len(line.lstrip(" \t"))]


# ---------------------------------------------------------------- cfg

def read_rustc_cfg(obj):
    """The cfgs the build passes: include/generated/rustc_cfg, and the
    names the clippy-built crates' command lines add (`--cfg kernel`,
    `--cfg MODULE`, ...): names, and name="value" pairs."""
    names, pairs = set(), set()
    for dirpath, dirnames, filenames in os.walk(obj):
        for fn in filenames:
            if fn.startswith(".") and fn.endswith(".cmd"):
                try:
                    first = open(os.path.join(dirpath, fn), encoding="utf-8", errors="replace").readline()
                except OSError:
                    continue
                if "clippy-driver" in first:
                    for m in re.finditer(r"--cfg[= ]'?([A-Za-z_][A-Za-z0-9_]*)'?(?=\s)", first):
                        if m.group(1) != "MODULE":  # set for modules only: left undecided
                            names.add(m.group(1))
    try:
        text = open(os.path.join(obj, "include", "generated", "rustc_cfg"), encoding="utf-8").read()
    except OSError:
        return None
    for ln in text.split():
        if not ln.startswith("--cfg="):
            continue
        c = ln[len("--cfg="):]
        if "=" in c:
            k, v = c.split("=", 1)
            pairs.add((k, v.strip('"')))
        else:
            names.add(c)
    return names, pairs


# cfg names rustc sets itself, left undecided.
BUILTIN_NAMES = {"MODULE", "debug_assertions", "overflow_checks", "panic", "unix", "windows", "miri", "target_thread_local",
                 "ub_checks", "relocation_model", "fmt_debug", "contract_checks", "emscripten_wasm_eh"}
TARGET = {"target_arch": "x86_64", "target_pointer_width": "64", "target_endian": "little", "target_os": "none"}


def eval_cfg(toks, ks, rcfg):
    """Evaluate the predicate in the code tokens ks (indices): True, False,
    or None when unknown."""
    names, pairs = rcfg

    def parse(i):
        t = toks[ks[i]]
        if t.kind != "ident":
            return None, len(ks)
        if i + 1 < len(ks) and toks[ks[i + 1]].text == "(" and t.text in ("all", "any", "not"):
            close = toks[ks[i + 1]].match
            j, vals = i + 2, []
            while j < len(ks) and ks[j] != close:
                v, j = parse(j)
                vals.append(v)
                if j < len(ks) and toks[ks[j]].text == ",":
                    j += 1
            j += 1
            if t.text == "not":
                v = vals[0] if vals else None
                return (None if v is None else not v), j
            if t.text == "all":
                return (False if False in vals else (True if all(v is True for v in vals) else None)), j
            return (True if True in vals else (False if all(v is False for v in vals) else None)), j
        if i + 2 < len(ks) and toks[ks[i + 1]].text == "=" and toks[ks[i + 2]].kind == "lit":
            val = toks[ks[i + 2]].text.strip('"')
            if t.text.startswith("CONFIG_"):
                return (t.text, val) in pairs, i + 3
            if t.text in TARGET:
                return TARGET[t.text] == val, i + 3
            if t.text == "feature":
                return False, i + 3  # the kernel's build passes no features
            return None, i + 3
        if t.text.startswith("CONFIG_") or t.text in names:
            return t.text in names, i + 1
        if t.text in BUILTIN_NAMES:
            return None, i + 1
        # A cfg nobody sets is false (test, doc, testlib, NR_CPUS_1, ...).
        return False, i + 1

    if not ks:
        return None
    v, _ = parse(0)
    return v


def cfg_of_attr(src, o, rcfg):
    """The false cfg of the attribute whose `[` is token o, or None; a
    `#[test]` function counts as cfg(test)."""
    toks = src.toks
    k = src.next_code(o)
    if k is not None and toks[k].text == "test" and src.next_code(k) == toks[o].match:
        return "test"
    if k is None or toks[k].text != "cfg":
        return None
    par = src.next_code(k)
    if par is None or toks[par].text != "(":
        return None
    ks = [q for q in src.code[src.pos[par] + 1:src.pos[toks[par].match]]]
    if eval_cfg(toks, ks, rcfg) is False:
        return src.text[toks[par].start:toks[toks[par].match].end]
    return None


def cfg_off(src, k, rcfg):
    """A cfg predicate, false under the build's configuration, on the item
    or statement that starts at code token k (its attributes before or
    after k) or on an item enclosing it; None when all are true or unknown."""
    if rcfg is None or k is None:
        return None
    toks = src.toks
    opens = []
    # the attributes after k (k is the `#` of the first)
    q = k
    while q is not None and toks[q].text == "#":
        n = src.next_code(q)
        if n is None or toks[n].text != "[":
            break
        opens.append(n)
        q = src.next_code(toks[n].match)
    # before k
    q = src.prev_code(k)
    while q is not None and toks[q].kind == "close" and toks[q].text == "]":
        o = toks[q].match
        p = src.prev_code(o)
        if p is None or toks[p].text != "#":
            break
        opens.append(o)
        q = src.prev_code(p)
    # the enclosing items' attributes
    g = toks[k].parent
    while g >= 0:
        for h in src.header(g):
            if toks[h].kind == "open" and toks[h].text == "[":
                p = src.prev_code(h)
                if p is not None and toks[p].text == "#":
                    opens.append(h)
        g = toks[g].parent
    # the file's inner attributes
    for p, q in enumerate(src.code[:-2]):
        if toks[q].parent >= 0:
            continue
        if toks[q].text == "#" and toks[src.code[p + 1]].text == "!" and toks[src.code[p + 2]].text == "[":
            opens.append(src.code[p + 2])
    # A #[test] function is compiled only by `rustc --test`, unless a
    # #[kunit_tests] module turns it into a KUnit case.
    kunit = False
    g = toks[k].parent
    while g >= 0:
        for h in src.header(g):
            if toks[h].kind == "open" and toks[h].text == "[" and \
                    any(t.text == "kunit_tests" for t in toks[h:toks[h].match]):
                kunit = True
        g = toks[g].parent
    for o in opens:
        c = cfg_of_attr(src, o, rcfg)
        if c and not (c == "test" and kunit):
            return c
    return None


def find_sites(src, rcfg=None):
    """Candidate mutations of a file: a list of dicts (kind, line (0-based),
    ...)."""
    sites = []
    if not src.ok:
        return sites
    toks, lines = src.toks, src.lines

    # delete-safety-comment
    for k, t in enumerate(toks):
        if t.kind != "comment" or not t.first or not t.text.startswith("//") or not SAFETY_RE.match(t.text):
            continue
        if t.text.startswith("////"):
            continue
        end = t.line + 1
        j = k + 1
        while j < len(toks) and toks[j].kind == "comment" and toks[j].first and toks[j].line == end \
                and toks[j].text.startswith("//") and not SAFETY_RE.match(toks[j].text):
            end += 1
            j += 1
        sites.append({"kind": "delete-safety-comment", "line": t.line, "count": end - t.line,
                      "context": macro_ctx(src.contexts(k)), "cfg_off": cfg_off(src, src.next_code(k), rcfg)})

    # add-safety-comment: statements and items without `unsafe`
    for p, k in enumerate(src.code):
        t = toks[k]
        if not t.first or t.kind in ("close",) or t.text in (".", "?", ")", "]", "}", ",", "=>", "|", "||", "+", "-", "=") \
                or t.kind == "lit" and t.text.startswith('"'):
            continue
        gkind, g = src.group_of(k)
        if gkind not in ("file", "fnbody", "block", "impl", "mod", "macro_rules"):
            continue
        prev = src.code[p - 1] if p > 0 else None
        if prev is not None:
            pt = toks[prev]
            ok = pt.text == ";" and pt.parent == g or prev == g or \
                pt.text == "}" and pt.parent == g and t.text not in ("else", "as")
            if not ok:
                continue
        if gkind in ("file", "impl", "mod") and t.kind != "ident" and t.text != "#":
            continue
        if gkind == "macro_rules" or "macro_rules" in src.contexts(k):
            if t.text.startswith("$") or t.text == "$":
                continue
        ctxs = src.contexts(k)
        if "macrocall" in ctxs:
            continue
        # the statement's or item's extent
        q = p
        end = None
        while q < len(src.code):
            u = toks[src.code[q]]
            if u.kind == "open":
                if u.text == "{" and gkind in ("file", "impl", "mod"):
                    end = u.match  # an item's body ends it
                    break
                q = src.pos[u.match] + 1
                if u.text == "{" and q < len(src.code):
                    nxt = toks[src.code[q]]
                    if nxt.first and nxt.text not in (".", "?", "else", "as") and gkind in ("fnbody", "block", "macro_rules"):
                        end = u.match
                        break
                continue
            if u.kind == "close":
                end = src.code[q - 1] if q > p else None
                break
            if u.text == ";":
                end = src.code[q]
                break
            q += 1
        if end is None:
            continue
        span = range(k, end + 1)
        if gkind in ("file", "impl", "mod"):
            # items: only the header decides (an fn holding unsafe blocks is
            # a safe item)
            hdr_end = end
            if toks[end].kind == "close":
                hdr_end = toks[end].match
            span = range(k, hdr_end + 1)
        if any(toks[i].kind == "ident" and toks[i].text == "unsafe" for i in span):
            continue
        line = t.line
        if line == 0:
            continue
        sites.append({"kind": "add-safety-comment", "line": line, "context": macro_ctx(ctxs),
                      "cfg_off": cfg_off(src, k, rcfg),
                      "where": gkind, "first": t.text if t.kind == "ident" or t.text == "#" else t.kind})

    # fn and trait items with their docs
    for p, k in enumerate(src.code):
        t = toks[k]
        if t.kind != "ident" or t.text not in ("fn", "trait"):
            continue
        gkind, g = src.group_of(k)
        if gkind not in ("file", "impl", "mod", "fnbody", "block"):
            continue
        ctxs = src.contexts(k)
        if "macro_rules" in ctxs or "macrocall" in ctxs or "foreign" in ctxs:
            continue
        # qualifiers before the keyword
        q = p - 1
        quals = []
        start = k
        while q >= 0:
            u = toks[src.code[q]]
            if u.kind == "ident" and u.text in QUALIFIERS or u.kind == "lit" and u.text.startswith('"'):
                quals.append(u.text)
                start = src.code[q]
                q -= 1
                continue
            if u.kind == "close" and u.text == ")":
                o = u.match
                po = src.prev_code(o)
                if src.txt(po) == "pub":
                    start = o
                    q = src.pos[o] - 1
                    continue
            break
        # what comes before the item (code): must end the previous item
        before = src.code[q] if q >= 0 else None
        if before is not None:
            bt = toks[before]
            if not (bt.text in (";", "}", "]") or before == g):
                continue
        unsafe = "unsafe" in quals
        if t.text == "fn" and ("const" in quals and q >= 0 and toks[src.code[q]].text == "=") :
            continue
        # the doc lines: walk back over comments and attributes
        doc_lines = []
        attr_lines = set()
        r = start - 1
        ok = True
        while r >= 0:
            u = toks[r]
            if u.kind == "doc" and u.text.startswith("///") and u.first:
                doc_lines.append(u.line)
                r -= 1
                continue
            if u.kind in ("doc", "comment"):
                if u.kind == "doc":
                    ok = False
                break
            if u.kind == "close" and u.text == "]":
                o = u.match
                if o >= 1 and toks[o - 1].kind == "punct" and toks[o - 1].text == "#":
                    for li in range(toks[o - 1].line, u.line + 1):
                        attr_lines.add(li)
                    r = o - 2
                    continue
            break
        if not ok:
            continue
        doc_lines.reverse()
        item_line = toks[start].line
        if any(li == item_line for li in attr_lines):
            continue
        ind = indent_of(lines[item_line])
        vis = "pub" if "pub" in quals else "private"
        item = "trait" if t.text == "trait" else ("method" if gkind == "impl" else "fn")
        heads = doc_headings(lines, doc_lines)
        if heads is None:
            continue
        safety = [hd for hd in heads if hd[2] == "Safety"]
        if unsafe and safety:
            hline, level, _ = safety[0]
            # the section: to the next heading of this level or higher, or
            # to the end of the doc lines
            endl = doc_lines[-1] + 1
            for hl, lv, _ in heads:
                if hl > hline and lv <= level:
                    endl = hl
                    break
            span = list(range(hline, endl))
            if any(li not in doc_lines for li in span):
                continue
            sites.append({"kind": "remove-safety-doc", "line": hline, "count": endl - hline,
                          "cfg_off": cfg_off(src, start, rcfg),
                          "item": item, "vis": vis, "context": "code", "item_line": item_line})
        elif not unsafe and not safety and not any(hd[2].lower() == "safety" for hd in heads):
            if doc_lines:
                contiguous = doc_lines == list(range(doc_lines[0], doc_lines[-1] + 1))
                if not contiguous:
                    continue
                at = doc_lines[-1] + 1
                dind = indent_of(lines[doc_lines[-1]])
                ins = [dind + "///", dind + "/// # Safety", dind + "///", dind + "/// x"]
            else:
                at = item_line
                ins = [ind + "/// # Safety", ind + "///", ind + "/// x"]
            sites.append({"kind": "add-safety-doc", "line": at, "insert": ins, "item": item, "vis": vis,
                          "cfg_off": cfg_off(src, start, rcfg),
                          "context": "code", "had_docs": bool(doc_lines), "item_line": item_line})
    return sites


def doc_headings(lines, doc_lines):
    """Headings of a /// doc block outside code fences: (line, level, text).
    None when a fence is left open."""
    out = []
    fence = None
    for li in doc_lines:
        text = lines[li].lstrip()[3:]
        if text.startswith(" "):
            text = text[1:]
        s = text.lstrip()
        if s.startswith("```") or s.startswith("~~~"):
            if fence is None:
                fence = s[:3]
            elif s.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        m = HEADING_RE.match(text)
        if m:
            out.append((li, len(m.group(1)), m.group(2)))
    if fence is not None:
        return None
    return out


# ---------------------------------------------------------------- mutation


def apply(text, site):
    lines = text.split("\n")
    line = site["line"]
    if site["kind"] in ("delete-safety-comment", "remove-safety-doc"):
        del lines[line: line + site["count"]]
    elif site["kind"] == "add-safety-comment":
        lines[line:line] = site["insert"]
    else:
        lines[line:line] = site["insert"]
    return "\n".join(lines)


def describe(text, site):
    """The record of an edit: pristine 1-based lines, hashes, our text."""
    lines = text.split("\n")
    line = site["line"]
    rec = {"kind": site["kind"], "line": line + 1, "context": site["context"]}
    for key in ("where", "first", "item", "vis", "had_docs"):
        if key in site:
            rec[key] = site[key]
    if "item_line" in site:
        rec["item_line"] = site["item_line"] + 1
    if site["kind"] in ("delete-safety-comment", "remove-safety-doc"):
        rec["delete"] = site["count"]
        rec["deleted_sha256"] = [h(lines[i]) for i in range(line, line + site["count"])]
    else:
        rec["insert"] = site["insert"]
        rec["anchor_sha256"] = h(lines[line]) if line < len(lines) else ""
    return rec


# ---------------------------------------------------------------- clippy output

MESSAGES = [
    (re.compile(r"^unsafe (block|impl) missing a safety comment$"), "undocumented-unsafe"),
    (re.compile(r"^.* has unnecessary safety comment$"), "unnecessary-safety-comment"),
    (re.compile(r"^unsafe function's docs are missing a `# Safety` section$"), "missing-safety-doc"),
    (re.compile(r"^docs for unsafe trait missing `# Safety` section$"), "missing-safety-doc"),
    (re.compile(r"^safe function's docs have unnecessary `# Safety` section$"), "unnecessary-safety-doc"),
    (re.compile(r"^docs for safe trait have unnecessary `# Safety` section$"), "unnecessary-safety-doc"),
]
LOC_RE = re.compile(r"^\s*-->\s+(.*?):(\d+):(\d+)\s*$")
DIAG_RE = re.compile(r"^(warning|error)(\[[^\]]*\])?: (.*)$")


def parse_clippy(out, srcroot):
    """The findings of the four lints in make's output: dicts with file,
    rule, line (primary span), help_line, message."""
    found = []
    errors = []
    cur = None
    prefix = srcroot.rstrip("/") + "/"
    for ln in out.split("\n"):
        m = DIAG_RE.match(ln)
        if m:
            cur = None
            msg = m.group(3)
            if m.group(1) == "error" and not msg.startswith("aborting") and "could not compile" not in msg:
                errors.append(msg)
            for rx, rule in MESSAGES:
                if rx.match(msg):
                    cur = {"rule": rule, "message": msg}
                    found.append(cur)
                    break
            continue
        if cur is None:
            continue
        m = LOC_RE.match(ln)
        if m:
            path = m.group(1)
            if path.startswith(prefix):
                path = path[len(prefix):]
            if "file" not in cur:
                cur["file"], cur["line"], cur["col"] = path, int(m.group(2)), int(m.group(3))
            elif cur.get("_help") and "help_line" not in cur and path == cur["file"]:
                cur["help_line"] = int(m.group(2))
            continue
        s = ln.strip()
        if s.startswith("help: consider removing the safety comment") or \
                s.startswith("help: consider changing the `safety` comment") or \
                s.startswith("help: consider changing it to a `# Safety` section"):
            cur["_help"] = True
        if s.startswith("CLIPPY") or s.startswith("RUSTC") or s.startswith("make"):
            cur = None
    for f in found:
        f.pop("_help", None)
    return found, errors


# ---------------------------------------------------------------- build


def crate_files(obj, srcroot, exclude):
    """The .rs files of srcroot each clippy-built crate reads, from kbuild's
    .cmd files: {crate object: [relative paths]}."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(obj):
        for fn in filenames:
            if not (fn.startswith(".") and fn.endswith(".cmd")):
                continue
            p = os.path.join(dirpath, fn)
            try:
                text = open(p, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            first = text.split("\n", 1)[0]
            if "clippy-driver" not in first:
                continue
            target = first.split(":=", 1)[0].replace("savedcmd_", "").strip()
            files = sorted({m[len(srcroot) + 1:] for m in re.findall(re.escape(srcroot) + r"/[^\s\\]+\.rs", text)})
            files = [f for f in files if not any(f.startswith(e) for e in exclude)]
            if files:
                out[target] = files
    return out


def run_build(args, log):
    cmd = "cd %s && make -C %s O=%s LLVM=1 CLIPPY=1 -j%d -k --output-sync=target %s 2>&1" % (
        args.work, args.work, args.obj, args.jobs, " ".join(args.targets))
    env = dict(os.environ, BIND=args.bind)
    t0 = time.time()
    p = subprocess.run([args.chroot_script, "run", args.chroot, cmd], env=env, capture_output=True, text=True,
                       errors="replace")
    dt = time.time() - t0
    with open(log, "w") as f:
        f.write(p.stdout)
        f.write(p.stderr)
    return p.stdout + p.stderr, dt


def write_file(path, text):
    tmp = path + ".clippy-truth.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)  # a new inode: never writes through a hard link


# ---------------------------------------------------------------- targets

ASSIGN_RE = re.compile(r"^([A-Za-z0-9_.-]+)-(\$\(CONFIG_([A-Za-z0-9_]+)\)|y|objs)\s*[:+]?=\s*(.*)$")


def makefile_assignments(path):
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return []
    text = re.sub(r"\\\n", " ", text)
    out = []
    for ln in text.split("\n"):
        ln = ln.split("#", 1)[0].strip()
        m = ASSIGN_RE.match(ln)
        if m:
            out.append((m.group(1), m.group(3), m.group(4).split()))
    return out


def detect_targets(src, obj):
    """rust/, samples/rust/ and the Rust objects outside them that the
    object tree's .config builds: a folder's Makefile naming STEM.o for a
    STEM.rs, under an enabled option (directly, or as a part of a composite
    object that is enabled)."""
    conf = {}
    for ln in open(os.path.join(obj, ".config"), encoding="utf-8"):
        if ln.startswith("CONFIG_") and "=" in ln:
            k, v = ln.strip().split("=", 1)
            conf[k[len("CONFIG_"):]] = v
    on = lambda c: c is None or conf.get(c) in ("y", "m")
    targets = ["rust/", "samples/rust/"]
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if rel == "." or rel == "rust" or rel.startswith("rust/") or rel.startswith("samples/rust") \
                or rel.startswith("scripts") or rel.startswith("tools") or rel.startswith("Documentation"):
            continue
        stems = [f[:-3] for f in filenames if f.endswith(".rs")]
        if not stems or "Makefile" not in filenames and "Kbuild" not in filenames:
            continue
        mk = os.path.join(dirpath, "Kbuild" if "Kbuild" in filenames else "Makefile")
        assigns = makefile_assignments(mk)
        for stem in stems:
            for var, cfg, objs in assigns:
                if stem + ".o" not in objs or not on(cfg):
                    continue
                if var == "obj" or any(v == "obj" and var + ".o" in o and on(c) for v, c, o in assigns):
                    targets.append(os.path.join(rel, stem + ".o"))
                    break
    return sorted(set(targets), key=targets.index)


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pristine", required=True, help="the fixture's Linux source (read only)")
    ap.add_argument("--work", required=True, help="the writable copy that is built")
    ap.add_argument("--obj", required=True)
    ap.add_argument("--chroot", required=True)
    ap.add_argument("--chroot-script", required=True)
    ap.add_argument("--bind", required=True)
    ap.add_argument("--targets", nargs="+", help="make targets (default: detected from the .config)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--max-rounds", type=int, default=1000)
    ap.add_argument("--fixture", required=True, help="the Debian package version of the fixture")
    ap.add_argument("--out", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--sites-only", action="store_true", help="list the candidate sites and stop")
    args = ap.parse_args()
    # Killed mid-round, leave no mutated file behind: SystemExit runs the
    # `finally` that restores them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    os.makedirs(args.logs, exist_ok=True)
    rng = random.Random(args.seed)
    exclude = ("rust/syn/", "rust/quote/", "rust/proc-macro2/", "rust/zerocopy")
    if not args.targets:
        args.targets = detect_targets(args.pristine, args.obj)
    print("targets:", " ".join(args.targets), flush=True)

    t_start = time.time()
    # The pristine build: a built object tree is made to compile every
    # linted crate again (its files touched), so that clippy speaks.
    for fs in crate_files(args.obj, args.work, exclude).values():
        for f in fs:
            p = os.path.join(args.work, f)
            write_file(p, open(p, encoding="utf-8").read())  # a new file: never touches a hard-linked one
    out, dt = run_build(args, os.path.join(args.logs, "round-0.log"))
    pristine, errors = parse_clippy(out, args.work)
    print("pristine build: %.0fs, %d findings, %d errors" % (dt, len(pristine), len(errors)), flush=True)
    if errors:
        sys.exit("the pristine build failed: %s" % errors[:3])
    crates = crate_files(args.obj, args.work, exclude)
    files = sorted({f for fs in crates.values() for f in fs})
    print("%d crates linted, %d files" % (len(crates), len(files)), flush=True)

    rcfg = read_rustc_cfg(args.obj)
    if rcfg is None:
        sys.exit("no include/generated/rustc_cfg in %s" % args.obj)
    texts, sites, hashes = {}, {}, {}
    skipped = {}
    for f in files:
        text = open(os.path.join(args.pristine, f), encoding="utf-8").read()
        work = open(os.path.join(args.work, f), encoding="utf-8").read()
        if work != text:
            sys.exit("%s: the work tree differs from the pristine tree" % f)
        texts[f] = text
        hashes[f] = hashlib.sha256(text.encode()).hexdigest()
        src = Source(text)
        if not src.ok:
            print("warning: %s: unbalanced delimiters, no sites" % f, file=sys.stderr)
        s = []
        for x in find_sites(src, rcfg):
            if x["cfg_off"]:
                # code the build leaves out: clippy has nothing to say
                skipped[x["kind"]] = skipped.get(x["kind"], 0) + 1
            else:
                s.append(x)
        rng.shuffle(s)
        sites[f] = s
    counts = {}
    for f in files:
        for s in sites[f]:
            key = s["kind"] + "/" + s["context"]
            counts[key] = counts.get(key, 0) + 1
    print("candidate sites:", json.dumps(counts, sort_keys=True), flush=True)
    print("left out, under a cfg the .config makes false:", json.dumps(skipped, sort_keys=True), flush=True)
    if args.sites_only:
        for f in files:
            for s in sites[f]:
                print(f, s["line"] + 1, s["kind"], s["context"], s.get("where", ""), s.get("item", ""))
        return

    clippy_version = subprocess.run([args.chroot_script, "run", args.chroot, "clippy-driver --version; rustc --version"],
                                    env=dict(os.environ, BIND=args.bind), capture_output=True, text=True).stdout.split("\n")
    result = {
        "fixture": args.fixture,
        "kernel": "7.2",
        "arch": "x86_64",
        "clippy": clippy_version[0].strip(),
        "rustc": clippy_version[1].strip() if len(clippy_version) > 1 else "",
        "seed": args.seed,
        "make": "make LLVM=1 CLIPPY=1 " + " ".join(args.targets) + " (the fixture's .config, CONFIG_WERROR off)",
        "crates": {c: len(fs) for c, fs in sorted(crates.items())},
        "files": {f: hashes[f] for f in files},
        "sites": counts,
        "cfg_off_sites_left_out": skipped,
        "pristine": [{"file": p.get("file"), "rule": p["rule"], "line": p.get("line")} for p in pristine],
        "rounds": [],
        "mutants": [],
    }
    done = {}  # kind -> count
    used = {f: set() for f in files}
    rnd = 0
    while rnd < args.max_rounds and (time.time() - t_start) / 60 < args.minutes:
        rnd += 1
        chosen = {}
        order = list(files)
        rng.shuffle(order)
        for f in order:
            avail = [i for i, s in enumerate(sites[f]) if i not in used[f]]
            if not avail:
                continue
            kinds = {}
            for i in avail:
                kinds.setdefault(sites[f][i]["kind"], []).append(i)
            least = min(done.get(k, 0) for k in kinds)
            kind = rng.choice(sorted(k for k in kinds if done.get(k, 0) == least))
            cands = kinds[kind]
            # the rarer contexts first: macro_rules bodies, then the rest
            rare = [i for i in cands if sites[f][i]["context"] != "code"]
            if rare and rng.random() < 0.5:
                cands = rare
            i = rng.choice(cands)
            used[f].add(i)
            done[kind] = done.get(kind, 0) + 1
            chosen[f] = sites[f][i]
        if not chosen:
            break
        try:
            for f, s in chosen.items():
                s["insert"] = s.get("insert") or [indent_of(texts[f].split("\n")[s["line"]]) + "// SAFETY: x"]
                write_file(os.path.join(args.work, f), apply(texts[f], s))
            out, dt = run_build(args, os.path.join(args.logs, "round-%d.log" % rnd))
        finally:
            for f in chosen:
                write_file(os.path.join(args.work, f), texts[f])
        found, errors = parse_clippy(out, args.work)
        byfile = {}
        stray = []
        for x in found:
            if x.get("file") in chosen:
                byfile.setdefault(x["file"], []).append(x)
            else:
                stray.append(x)
        result["rounds"].append({"round": rnd, "seconds": round(dt), "mutants": len(chosen),
                                 "findings": len(found), "errors": len(errors),
                                 "stray": [{"file": x.get("file"), "rule": x["rule"], "line": x.get("line")}
                                           for x in stray]})
        bad = bool(errors)
        for f in sorted(chosen):
            rec = {"round": rnd, "file": f}
            rec.update(describe(texts[f], chosen[f]))
            fs = []
            seen = set()
            for x in byfile.get(f, []):
                line = x.get("help_line", x["line"]) if x["rule"] == "unnecessary-safety-comment" else x["line"]
                key = (x["rule"], line)
                if key in seen:
                    continue  # one finding per place (a macro expanded twice warns twice)
                seen.add(key)
                d = {"rule": x["rule"], "line": line}
                if x["rule"] == "unnecessary-safety-comment":
                    d["stmt_line"] = x["line"]
                fs.append(d)
            rec["clippy"] = sorted(fs, key=lambda d: (d["line"], d["rule"]))
            if bad:
                rec["build_error"] = True
            result["mutants"].append(rec)
        print("round %d: %d mutants, %d findings, %d stray, %d errors, build %.0fs" % (
            rnd, len(chosen), len(found), len(stray), len(errors), dt), flush=True)
        if errors:
            print("  errors:", errors[:5], flush=True)
        write_json(args.out, result)
    # the last build leaves the object tree built from mutated files;
    # nothing else to undo: every file is pristine again.
    for f in files:
        if open(os.path.join(args.work, f), encoding="utf-8").read() != texts[f]:
            sys.exit("%s was not restored" % f)
    write_json(args.out, result)
    per = {}
    for m in result["mutants"]:
        per[m["kind"]] = per.get(m["kind"], 0) + 1
    print("done: %d rounds, %d mutants %s, %.1f min" % (rnd, len(result["mutants"]), per, (time.time() - t_start) / 60))


def write_json(path, result):
    """JSON, one mutant a line; gzip'd when path ends in .gz (mtime 0, so
    that the same truth gives the same bytes)."""
    head = {k: v for k, v in result.items() if k != "mutants"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "mutants": [\n'
    text += ",\n".join(json.dumps(m, separators=(",", ":")) for m in result["mutants"])
    text += "\n ]\n}\n"
    data = text.encode()
    if path.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
