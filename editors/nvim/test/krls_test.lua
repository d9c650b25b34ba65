-- End-to-end test of the krls Neovim plugin in a real, headless Neovim
-- (0.7 to 0.12) against the real server and a Linux 6.12 tree. run.sh
-- prepares the files and runs:
--   nvim --headless -u NONE -i NONE -n -c 'luafile krls_test.lua'
-- Env (all set by run.sh):
--   KRLS_PLUGIN   the plugin folder (editors/nvim)
--   KRLS_CMD      the krls binary
--   KRLS_FAKE_RA  testdata/fake-rust-analyzer, started beside krls on every
--                 Rust buffer as rust-analyzer would be
--   KRLS_SETUP    setup: require('krls').setup(); enable: the 0.11+ user
--                 path, vim.lsp.config/enable with lsp/krls.lua from the
--                 runtimepath and krls on $PATH
--   KRLS_TREE     a kernel tree whose rust/kernel/lib.rs lacks the
--                 `// SAFETY: FFI call.` of panic()
--   KRLS_OBJ      the x86_64 objtree (its .config), given as init_options
--   KRLS_MODULE   an out-of-tree module folder (Makefile with obj-m)
--   KRLS_PLAIN    a Rust file in no kernel tree or module
--   KRLS_ROOT_CASES  editors/testdata/roots.json: the root cases the VS Code
--                 tests share
--   KRLS_TIMEOUT_MS  per-wait timeout (default 60000)
-- Exits through :cquit 1 on any failure.
local failures, passed = {}, 0
local function log(...)
  io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n')
end
local function check(cond, what)
  log((cond and 'ok   ' or 'FAIL ') .. what)
  if cond then
    passed = passed + 1
  else
    table.insert(failures, what)
  end
  return cond
end
local function has(v)
  return vim.fn.has('nvim-' .. v) == 1
end
local function all_clients()
  return vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
end
local function clients_named(name, buf)
  local r = {}
  for _, c in ipairs(all_clients()) do
    if c.name == name and (buf == nil or (c.attached_buffers and c.attached_buffers[buf])) then
      table.insert(r, c)
    end
  end
  return r
end
local function krls_clients(buf)
  return clients_named('krls', buf)
end
local function finish()
  for _, c in ipairs(all_clients()) do
    if has('0.11') then
      c:stop()
    else
      c.stop()
    end
  end
  vim.wait(3000, function()
    return #all_clients() == 0
  end, 50)
  log(string.format('\n%d passed, %d failed', passed, #failures))
  vim.cmd((#failures == 0) and 'qall!' or 'cquit 1')
end

-- Messages Neovim shows, to see that krls does not chatter (no "No
-- information available" for hovers it has nothing to say about).
local notes = {}
local notify = vim.notify
vim.notify = function(msg, level, o)
  table.insert(notes, tostring(msg))
  return notify(msg, level, o)
end

local ok, err = xpcall(function()
  local plugin = assert(os.getenv('KRLS_PLUGIN'), 'KRLS_PLUGIN not set')
  local cmd = assert(os.getenv('KRLS_CMD'), 'KRLS_CMD not set')
  local tree = assert(os.getenv('KRLS_TREE'), 'KRLS_TREE not set')
  local obj = assert(os.getenv('KRLS_OBJ'), 'KRLS_OBJ not set')
  local module = assert(os.getenv('KRLS_MODULE'), 'KRLS_MODULE not set')
  local plain = assert(os.getenv('KRLS_PLAIN'), 'KRLS_PLAIN not set')
  local fake_ra = assert(os.getenv('KRLS_FAKE_RA'), 'KRLS_FAKE_RA not set')
  local how = os.getenv('KRLS_SETUP') or 'setup'
  local timeout = tonumber(os.getenv('KRLS_TIMEOUT_MS') or '60000')
  local v = vim.version()
  log(string.format('nvim %d.%d.%d, %s', v.major, v.minor, v.patch, how))

  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('filetype on') -- -u NONE leaves filetype detection off
  -- What Neovim does at startup for a plugin on the runtimepath.
  vim.cmd('runtime! plugin/krls.lua')
  check(vim.fn.exists(':KrlsExplain') == 2, ':KrlsExplain is defined by plugin/krls.lua')

  local spec = dofile(plugin .. '/lsp/krls.lua')
  check(type(spec) == 'table' and spec.filetypes[1] == 'rust' and type(spec.root_dir) == 'function', 'lsp/krls.lua is a config table')

  -- The root rule, on the cases the VS Code tests share with it.
  local cases_file = assert(os.getenv('KRLS_ROOT_CASES'), 'KRLS_ROOT_CASES not set')
  local f = assert(io.open(cases_file, 'r'))
  local cases = vim.fn.json_decode(f:read('*a')).cases
  f:close()
  local function under(t, rel)
    return rel == '.' and t or (t .. '/' .. rel)
  end
  local bad = {}
  for i, c in ipairs(cases) do
    local t = vim.fn.tempname() .. '-root' .. i
    vim.fn.mkdir(t, 'p')
    for name, text in pairs(c.files) do
      if name:sub(-1) == '/' then
        vim.fn.mkdir(t .. '/' .. name, 'p')
      else
        vim.fn.mkdir(vim.fn.fnamemodify(t .. '/' .. name, ':h'), 'p')
        local w = assert(io.open(t .. '/' .. name, 'wb'))
        w:write(text)
        w:close()
      end
    end
    local b = vim.fn.bufadd(under(t, c.from))
    local got
    spec.root_dir(b, function(dir)
      got = dir
    end)
    vim.api.nvim_buf_delete(b, { force = true })
    local want = c.root ~= '' and under(t, c.root) or nil
    if got ~= want then
      table.insert(bad, c.name .. ': got ' .. tostring(got))
    end
  end
  check(#cases > 10 and #bad == 0, 'root_dir follows the shared root cases (' .. #cases .. ')' .. (#bad > 0 and (': ' .. table.concat(bad, '; ')) or ''))

  -- "rust-analyzer" on every Rust buffer, one client per Neovim.
  local ra_id
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'rust',
    callback = function(ev)
      local cfg = { name = 'rust_analyzer', cmd = { fake_ra }, root_dir = vim.loop.cwd() }
      if has('0.8') then
        vim.api.nvim_buf_call(ev.buf, function()
          vim.lsp.start(cfg, { bufnr = ev.buf })
        end)
      else
        ra_id = ra_id or vim.lsp.start_client(cfg)
        vim.lsp.buf_attach_client(ev.buf, ra_id)
      end
    end,
  })

  local init_options = { objtree = obj }
  if how == 'enable' then
    -- The README's 0.11+ lines: krls on $PATH, lsp/krls.lua on the runtimepath.
    check(vim.fn.executable('krls') == 1, 'krls is on $PATH')
    vim.lsp.config('krls', { init_options = init_options })
    vim.lsp.enable('krls')
    check(vim.lsp.config.krls.cmd[1] == 'krls', 'vim.lsp.config.krls comes from lsp/krls.lua')
  else
    local mode = require('krls').setup({ cmd = { cmd, 'serve' }, init_options = init_options })
    local want = has('0.11') and 'config' or has('0.8') and 'start' or 'start_client'
    check(mode == want, 'setup() uses ' .. want .. ' (got ' .. tostring(mode) .. ')')
  end

  -- A Rust file in no kernel tree: krls stays away.
  vim.cmd('edit ' .. vim.fn.fnameescape(plain))
  local plain_buf = vim.api.nvim_get_current_buf()

  local file = tree .. '/rust/kernel/lib.rs'
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'rust', 'filetype is rust')
  local attached = vim.wait(timeout, function()
    return #krls_clients(buf) > 0
  end, 20)
  if not check(attached, 'krls attached to lib.rs') then
    return
  end
  local client = krls_clients(buf)[1]
  check(vim.wait(timeout, function()
    return #clients_named('rust_analyzer', buf) > 0
  end, 20), '(fake) rust-analyzer attached to the same buffer')
  check(client.config.root_dir == tree, 'root is the kernel tree (got ' .. tostring(client.config.root_dir) .. ')')
  check(#krls_clients(plain_buf) == 0, 'krls did not attach to a Rust file outside any kernel tree')
  check(vim.wait(timeout, function()
    return client.initialized or (client.server_capabilities and next(client.server_capabilities) ~= nil)
  end, 20), 'client initialized')
  -- Beside rust-analyzer: nothing that would compete with it.
  local caps = client.server_capabilities or {}
  check(caps.hoverProvider and caps.codeActionProvider, 'krls offers hover and code actions')
  check(not caps.documentFormattingProvider and not caps.documentRangeFormattingProvider
      and not caps.semanticTokensProvider and not caps.renameProvider and not caps.inlayHintProvider,
    'krls claims no formatting, semantic tokens, rename or inlay hints')

  -- The SAFETY diagnostic on `unsafe { bindings::BUG() };`.
  local unsafe_line = vim.fn.search('unsafe { bindings::BUG() }', 'nw') - 1
  check(unsafe_line >= 0, 'the undocumented unsafe block is in the file')
  local function safety_diags()
    local r = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'undocumented-unsafe' or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == 'undocumented-unsafe') then
        table.insert(r, d)
      end
    end
    return r
  end
  local t0 = vim.loop.hrtime()
  check(vim.wait(timeout, function()
    return #safety_diags() > 0
  end, 20), 'an undocumented-unsafe diagnostic arrived')
  log(string.format('      (after %d ms)', (vim.loop.hrtime() - t0) / 1e6))
  local d = safety_diags()[1]
  if not d then
    return
  end
  check(#safety_diags() == 1 and d.lnum == unsafe_line, 'exactly one, on line ' .. (unsafe_line + 1) .. ' (got ' .. (d.lnum + 1) .. ')')
  check(d.message:find('safety comment', 1, true) ~= nil, 'message: ' .. d.message)

  -- The quick fix, through the UI path where Neovim has one (0.8+:
  -- vim.lsp.buf.code_action with a filter and apply), else by hand.
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local title
  local function is_safety_fix(action)
    return action.kind == 'quickfix' and action.title:find('SAFETY', 1, true) ~= nil
  end
  if has('0.8') then
    vim.lsp.buf.code_action({
      filter = function(action)
        if is_safety_fix(action) then
          title = action.title
          return true
        end
        return false
      end,
      apply = true,
    })
  else
    local params = vim.lsp.util.make_range_params()
    params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) }
    local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, timeout) or {}
    for _, r in pairs(res) do
      for _, action in ipairs(r.result or {}) do
        if not title and is_safety_fix(action) then
          title = action.title
          vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        end
      end
    end
  end
  check(vim.wait(timeout, function()
    return title ~= nil and vim.api.nvim_buf_get_lines(buf, unsafe_line, unsafe_line + 1, false)[1]:find('SAFETY', 1, true) ~= nil
  end, 20), 'code action "' .. tostring(title) .. '" inserted a SAFETY line above the block')
  check(vim.wait(timeout, function()
    return #safety_diags() == 0
  end, 20), 'the undocumented-unsafe diagnostic went away')
  -- The fix may quote the callee's contract over several comment lines;
  -- below them comes the block, unchanged.
  local after = vim.api.nvim_buf_get_lines(buf, unsafe_line, unsafe_line + 12, false)
  local block_ok = false
  for i, l in ipairs(after) do
    if l:find('unsafe { bindings::BUG() }', 1, true) then
      block_ok = i > 1
      break
    end
    if not l:match('^%s*//') then
      break
    end
  end
  check(block_ok, 'the block itself is unchanged, below the inserted comment lines')

  -- The kernel's other justification comments show as hints: a cast
  -- without `// CAST:` gets one, and its fix inserts the comment.
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { 'fn krls_cast(x: u64) -> u32 {', '    x as u32', '}' })
  local cast_line = last + 1
  -- The file has casts of its own: only the hints on the new one count.
  local function cast_hints()
    local r = {}
    for _, dg in ipairs(vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.HINT })) do
      local code = dg.code or (dg.user_data and dg.user_data.lsp and dg.user_data.lsp.code)
      if code == 'undocumented-cast' and dg.lnum == cast_line then
        table.insert(r, dg)
      end
    end
    return r
  end
  check(vim.wait(timeout, function()
    return #cast_hints() == 1
  end, 20), 'a cast without a CAST comment gets a hint on its line')
  local hint = cast_hints()[1]
  -- Hints are quiet (a kernel file has dozens): underlined, without a
  -- sign or, before Neovim 0.11, a line of virtual text.
  if hint then
    local ns = vim.lsp.diagnostic.get_namespace(client.id)
    local conf = vim.diagnostic.config(nil, ns) or {}
    local function shows_hints(opt)
      if not opt then
        return false
      end
      local sev = type(opt) == 'table' and opt.severity
      return not (type(sev) == 'table' and sev.min and sev.min < vim.diagnostic.severity.HINT)
    end
    -- What the namespace does not set, the global configuration decides.
    local global = vim.diagnostic.config() or {}
    local function effective(key)
      if conf[key] == nil then
        return global[key]
      end
      return conf[key]
    end
    check(not shows_hints(effective('virtual_text')) and not shows_hints(effective('signs')),
      'krls\'s hints have no virtual text and no sign (' .. vim.inspect({ effective('virtual_text'), effective('signs') }) .. ')')
    local vt = vim.diagnostic.get_namespace(ns).user_data.virt_text_ns
    if vt then
      local marks = vim.api.nvim_buf_get_extmarks(buf, vt, { cast_line, 0 }, { cast_line, -1 }, { details = true })
      check(#marks == 0, 'no virtual text on the hinted line')
    end
  end
  if hint then
    vim.api.nvim_win_set_cursor(0, { hint.lnum + 1, hint.col })
    local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
    params.context = { diagnostics = { hint.user_data and hint.user_data.lsp or hint } }
    local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, timeout) or {}
    local cast_title
    for _, r in pairs(res) do
      for _, action in ipairs(r.result or {}) do
        if not cast_title and action.title:find('CAST', 1, true) and action.edit then
          cast_title = action.title
          vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        end
      end
    end
    check(vim.wait(timeout, function()
      local l = vim.api.nvim_buf_get_lines(buf, cast_line, cast_line + 1, false)[1] or ''
      return cast_title ~= nil and l:find('// CAST:', 1, true) ~= nil
    end, 20), 'its fix "' .. tostring(cast_title) .. '" inserted a CAST line above the cast')
    check(vim.wait(timeout, function()
      for _, dg in ipairs(vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.HINT })) do
        if (dg.code or (dg.user_data and dg.user_data.lsp and dg.user_data.lsp.code)) == 'undocumented-cast' and dg.lnum == cast_line + 1 then
          return false
        end
      end
      return true
    end, 20), 'the hint went away')
  end

  -- Hover on CONFIG_NET in #[cfg(CONFIG_NET)]: the Kconfig entry and its
  -- help, the value from the x86_64 .config of init_options.objtree.
  local net = vim.fn.search('#\\[cfg(CONFIG_NET)\\]', 'w')
  check(net > 0, '#[cfg(CONFIG_NET)] is in the file')
  vim.api.nvim_win_set_cursor(0, { net, #'#[cfg(CONFIG_N' })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding or 'utf-16')
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, timeout) or {}
  local value = ''
  for _, r in pairs(res) do
    if r.result and r.result.contents then
      value = value .. (r.result.contents.value or vim.inspect(r.result.contents))
    end
  end
  check(value:find('Networking support', 1, true) ~= nil and value:find('you should say Y here', 1, true) ~= nil,
    'hover on CONFIG_NET has its prompt and Kconfig help')
  check(value:find('**CONFIG_NET** = `y`', 1, true) ~= nil, 'hover says CONFIG_NET = y (from the objtree of init_options)')

  -- The real UI path: vim.lsp.buf.hover() opens a float with the help.
  -- hover_float waits for a float and returns its text, closing it.
  local function float_wins()
    local r = {}
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        table.insert(r, w)
      end
    end
    return r
  end
  local function hover_float()
    vim.wait(timeout, function()
      return #float_wins() > 0
    end, 20)
    vim.wait(300) -- a late second answer would show now
    local text
    for _, w in ipairs(float_wins()) do
      text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
      vim.api.nvim_win_close(w, true)
    end
    return text
  end
  vim.lsp.buf.hover()
  local float_text = hover_float()
  check(float_text and float_text:find('you should say Y here', 1, true) ~= nil, 'the hover float shows the Kconfig help')

  -- Hover where krls has nothing to say: rust-analyzer's float, and no
  -- message from krls.
  vim.api.nvim_win_set_cursor(0, { unsafe_line + 2, 8 })
  local before = #notes
  vim.lsp.buf.hover()
  local ra_text = hover_float()
  check(ra_text and ra_text:find('fake rust-analyzer hover', 1, true) ~= nil, "hover elsewhere shows rust-analyzer's answer (got " .. vim.inspect(ra_text) .. ')')
  local said = table.concat(vim.list_slice(notes, before + 1), ' | ')
  check(said == '', 'hover elsewhere: no message (got ' .. vim.inspect(said) .. ')')

  -- :KrlsExplain NET: `krls config explain` with the client's objtree.
  vim.cmd('KrlsExplain NET')
  local ebuf = vim.api.nvim_get_current_buf()
  local text = table.concat(vim.api.nvim_buf_get_lines(ebuf, 0, -1, false), '\n')
  check(vim.api.nvim_buf_get_name(ebuf) == 'krls://explain/CONFIG_NET', ':KrlsExplain opened krls://explain/CONFIG_NET')
  check(text:find('CONFIG_NET=y (bool)', 1, true) ~= nil and text:find('net/Kconfig:6', 1, true) ~= nil,
    ':KrlsExplain shows CONFIG_NET=y from net/Kconfig:6 (got ' .. vim.inspect(text:sub(1, 80)) .. ')')
  check(vim.bo[ebuf].buftype == 'nofile' and not vim.bo[ebuf].modifiable, 'the explain buffer is a read-only scratch buffer')
  vim.cmd('close')
  -- The word under the cursor, with its CONFIG_ prefix.
  vim.api.nvim_win_set_cursor(0, { net, #'#[cfg(CONFIG_N' })
  vim.cmd('KrlsExplain')
  check(vim.api.nvim_buf_get_name(0) == 'krls://explain/CONFIG_NET', ':KrlsExplain without an argument explains the CONFIG_ name under the cursor')
  vim.cmd('close')
  -- The server's "Why is CONFIG_X off?" code action names the client
  -- command krls.explainSymbol, which the plugin defines.
  check(type(vim.lsp.commands['krls.explainSymbol']) == 'function', 'krls.explainSymbol is a client command')
  vim.lsp.commands['krls.explainSymbol']({ title = 'Explain', command = 'krls.explainSymbol', arguments = { 'NET' } }, {})
  check(vim.api.nvim_buf_get_name(0) == 'krls://explain/CONFIG_NET', 'krls.explainSymbol explains its argument')
  vim.cmd('close')
  -- The rust-analyzer settings the plugin offers: discoverConfig runs
  -- krls rust-project with the client's objtree.
  local ra = require('krls').rust_analyzer_config()
  local dc = ra.workspace and ra.workspace.discoverConfig or {}
  local line = table.concat(dc.command or {}, ' ')
  check(line:find('rust-project', 1, true) ~= nil and line:find('--objtree ' .. obj, 1, true) ~= nil and line:find('--discover {arg}', 1, true) ~= nil
    and vim.deep_equal(dc.filesToWatch, { '.config' }), 'rust_analyzer_config() runs krls rust-project --discover with the objtree (got ' .. line .. ')')
  -- Only a symbol reaches the command line: no flag, no empty name.
  for _, bad in ipairs({ '--allow-shell', 'CONFIG_', 'NET;id' }) do
    local before_notes, before_buf = #notes, vim.api.nvim_get_current_buf()
    pcall(vim.cmd, 'KrlsExplain ' .. bad) -- an ERROR notification raises inside :command
    local msg = table.concat(vim.list_slice(notes, before_notes + 1), ' | ')
    check(vim.api.nvim_get_current_buf() == before_buf and msg:find('not a Kconfig symbol', 1, true) ~= nil,
      ':KrlsExplain ' .. bad .. ' is refused with a message (got ' .. vim.inspect(msg) .. ')')
  end
  local krls = require('krls')
  check(krls.expand('~/k', '/r') == os.getenv('HOME') .. '/k' and krls.expand('~', '/r') == os.getenv('HOME')
      and krls.expand('rel', '/r') == '/r/rel' and krls.expand('/abs', '/r') == '/abs' and krls.expand('', '/r') == nil,
    'paths: ~ expanded, relative ones from the root')
  check(krls.srctree_of_objtree(tree) == tree and krls.srctree_of_objtree(obj) ~= nil
      and vim.fn.filereadable(krls.srctree_of_objtree(obj) .. '/Kconfig') == 1 and krls.srctree_of_objtree(plain) == nil,
    'srctree_of_objtree: a source tree is its own, an object tree has the one its Makefile includes')

  -- Formatting is rust-analyzer's alone: no "select a client" prompt.
  vim.api.nvim_set_current_buf(buf)
  if has('0.8') then
    vim.lsp.buf.format({ bufnr = buf, timeout_ms = timeout })
  else
    vim.lsp.buf.formatting_sync(nil, timeout)
  end
  check(vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == '// formatted by fake-rust-analyzer', 'vim.lsp.buf.format() formats with rust-analyzer only')

  -- An out-of-tree module: the module folder is the root (a second client).
  vim.cmd('edit ' .. vim.fn.fnameescape(module .. '/src/hello.rs'))
  local mbuf = vim.api.nvim_get_current_buf()
  check(vim.wait(timeout, function()
    return #krls_clients(mbuf) > 0
  end, 20), 'krls attached to a module file')
  local mc = krls_clients(mbuf)[1]
  check(mc and mc.config.root_dir == module, 'root is the module folder (got ' .. tostring(mc and mc.config.root_dir) .. ')')
  check(mc and mc.id ~= client.id, 'the module has its own client')
  -- KDIR an object tree (a distribution's headers, make O=): explain uses
  -- the source tree its Makefile includes, and KDIR as objtree.
  local kdir_was = vim.env.KDIR
  vim.env.KDIR = obj
  local margs = require('krls').explain_args('NET', mbuf)
  local want_src = require('krls').srctree_of_objtree(obj)
  check(table.concat(margs, ' '):find('--srctree ' .. want_src, 1, true) ~= nil and table.concat(margs, ' '):find('--objtree ' .. obj, 1, true) ~= nil,
    'a module with KDIR an object tree: --srctree its source tree, --objtree KDIR (got ' .. table.concat(margs, ' ') .. ')')
  vim.cmd('KrlsExplain NET')
  local mtext = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check(mtext:find('CONFIG_NET=y (bool)', 1, true) ~= nil, ':KrlsExplain in the module explains CONFIG_NET=y (got ' .. vim.inspect(mtext:sub(1, 80)) .. ')')
  vim.cmd('close')
  vim.env.KDIR = kdir_was
  -- A second file of the kernel tree reuses the first client.
  vim.cmd('edit ' .. vim.fn.fnameescape(tree .. '/rust/kernel/prelude.rs'))
  local pbuf = vim.api.nvim_get_current_buf()
  check(vim.wait(timeout, function()
    return #krls_clients(pbuf) > 0
  end, 20) and krls_clients(pbuf)[1].id == client.id, 'another file of the tree shares the client')
end, debug.traceback)
if not ok then
  check(false, 'no Lua error: ' .. tostring(err))
end
finish()
