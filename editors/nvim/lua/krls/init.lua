-- krls for Neovim 0.7+: require('krls').setup(opts) and :KrlsExplain.
--
-- The client configuration is lsp/krls.lua of this plugin folder (the file
-- Neovim 0.11+ reads for vim.lsp.enable('krls')); setup() adds the user's
-- options and starts the client the way the running Neovim can:
--   0.11+     vim.lsp.config('krls', ...) and vim.lsp.enable('krls')
--   0.8-0.10  vim.lsp.start() from a FileType autocommand
--   0.7       vim.lsp.start_client() once per root + buf_attach_client()
local M = {}

local uv = vim.uv or vim.loop

-- The plugin folder: lua/krls/init.lua is two levels below it.
local plugin_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')

-- spec returns a fresh copy of lsp/krls.lua's table.
local function spec()
  return dofile(plugin_dir .. '/lsp/krls.lua')
end

local function has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

-- The options setup() merges into tables rather than replacing.
local merged = { settings = true, init_options = true }

-- with_opts returns the configuration with the user's options: cmd,
-- filetypes, on_attach, capabilities, ... replace the defaults; settings
-- and init_options are merged into them. (Lists are replaced, not merged
-- by index, on every version.)
local function with_opts(base, opts)
  local cfg = base
  for k, v in pairs(opts or {}) do
    if merged[k] and type(v) == 'table' then
      cfg[k] = vim.tbl_deep_extend('force', cfg[k] or {}, v)
    else
      cfg[k] = v
    end
  end
  return cfg
end

-- root_of returns the folder krls serves for a buffer, by lsp/krls.lua's
-- rules (its root_dir calls back at once), or nil.
local function root_of(cfg, bufnr)
  local root
  cfg.root_dir(bufnr, function(dir)
    root = dir
  end)
  return root
end

-- quiet_hover wraps the hover handler of Neovim < 0.11, which shows "No
-- information available" for every client that has nothing to say: krls
-- answers only on CONFIG_ names, error codes and module! keys, and must not
-- chatter beside rust-analyzer's hover. (0.11+ merges the clients' hovers.)
local function quiet_hover(err, result, ctx, config)
  if err or not (result and result.contents) then
    return
  end
  local c = result.contents
  if type(c) == 'table' and (c.value == '' or (c.kind == nil and c.language == nil and vim.tbl_isempty(c))) then
    return
  end
  return vim.lsp.handlers['textDocument/hover'](err, result, ctx, config)
end

-- with_severity returns a diagnostic display option (virtual_text, signs)
-- as the user's global configuration has it, limited to severities INFO
-- and above; false when the user turned it off.
local function with_severity(opt)
  if not opt then
    return false
  end
  local t = type(opt) == 'table' and vim.deepcopy(opt) or {}
  t.severity = { min = vim.diagnostic.severity.INFO }
  return t
end

--- quiet_hints shows krls's hints (the justification-comment rules: a
--- cast without `// CAST:`, ...) as underlines only: Neovim would give
--- each one a sign, and before 0.11 a line of virtual text, and a kernel
--- file has dozens. Errors and warnings show as the user configured.
--- Called on attach; setup({ quiet_hints = false }) (or
--- vim.g.krls_quiet_hints = false) keeps Neovim's way.
function M.quiet_hints(client_id)
  if vim.g.krls_quiet_hints == false then
    return
  end
  local ok, ns = pcall(vim.lsp.diagnostic.get_namespace, client_id)
  if not ok or not ns then
    return
  end
  local global = vim.diagnostic.config() or {}
  vim.diagnostic.config({
    virtual_text = with_severity(global.virtual_text),
    signs = with_severity(global.signs),
  }, ns)
end

-- Clients started by the 0.7 back-end, by root folder.
local legacy_clients = {}

-- start_legacy attaches bufnr to the client of root, starting it if needed.
local function start_legacy(cfg, bufnr, root)
  local id = legacy_clients[root]
  if not (id and vim.lsp.get_client_by_id(id)) then
    local c = vim.deepcopy(cfg)
    c.root_dir = root
    c.name = 'krls'
    id = vim.lsp.start_client(c)
    if not id then
      return
    end
    legacy_clients[root] = id
    M.quiet_hints(id) -- (0.7 has no LspAttach event)
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

-- start_with_start attaches bufnr through vim.lsp.start (0.8-0.10), which
-- reuses the client of the same name and root.
local function start_with_start(cfg, bufnr, root)
  local c = vim.deepcopy(cfg)
  c.root_dir = root
  c.name = 'krls'
  vim.api.nvim_buf_call(bufnr, function()
    vim.lsp.start(c, { bufnr = bufnr })
  end)
end

-- The configuration setup() last applied, for :KrlsExplain.
local current

--- setup starts krls on the Rust (and Kconfig) buffers of kernel trees and
--- out-of-tree modules. opts:
---   cmd           the server command (default { 'krls', 'serve' })
---   settings      e.g. { krls = { kconfig = { allowShell = false } } }
---   init_options  { srctree = ..., objtree = ..., kdir = ... }
---   quiet_hints   false: show krls's hints as Neovim shows any (default:
---                 underlined only, see quiet_hints below)
---   anything else vim.lsp takes (filetypes, on_attach, capabilities, ...)
--- Returns the back-end used: 'config' (0.11+), 'start' (0.8-0.10) or
--- 'start_client' (0.7).
function M.setup(opts)
  opts = vim.deepcopy(opts or {})
  if opts.quiet_hints ~= nil then
    vim.g.krls_quiet_hints = opts.quiet_hints
    opts.quiet_hints = nil
  end
  M.create_commands()
  if has('0.11') then
    -- lsp/krls.lua on the runtimepath supplies the rest; vim.lsp.config
    -- merges tables and replaces lists.
    vim.lsp.config('krls', opts) -- (a copy already)
    current = nil
    vim.lsp.enable('krls')
    return 'config'
  end

  local cfg = with_opts(spec(), opts)
  cfg.handlers = vim.tbl_extend('keep', cfg.handlers or {}, { ['textDocument/hover'] = quiet_hover })
  current = cfg
  local start = has('0.8') and start_with_start or start_legacy
  local group = vim.api.nvim_create_augroup('krls', { clear = true })
  local function attach(bufnr)
    local root = root_of(cfg, bufnr)
    if root then
      start(cfg, bufnr, root)
    end
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = cfg.filetypes,
    callback = function(ev)
      attach(ev.buf)
    end,
  })
  -- Buffers already open when setup() runs (lazy loading).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype) then
      attach(bufnr)
    end
  end
  return has('0.8') and 'start' or 'start_client'
end

-- krls_client returns the krls client of bufnr, else any krls client.
local function krls_client(bufnr)
  local list = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local any
  for _, c in ipairs(list) do
    if c.name == 'krls' then
      if c.attached_buffers and c.attached_buffers[bufnr] then
        return c
      end
      any = any or c
    end
  end
  return any
end

-- The active configuration: setup()'s, else vim.lsp.config's (0.11+), else
-- lsp/krls.lua's.
local function active_config()
  if current then
    return current
  end
  if has('0.11') then
    local ok, cfg = pcall(function()
      return vim.lsp.config.krls
    end)
    if ok and cfg then
      return cfg
    end
  end
  return spec()
end

-- unwrap accepts settings with or without the { krls = ... } wrapper, as
-- the server does.
local function unwrap(t)
  if type(t) ~= 'table' then
    return {}
  end
  return type(t.krls) == 'table' and t.krls or t
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

-- The server's (and lsp/krls.lua's) kernel tree: Kconfig, Makefile and
-- rust/kernel/lib.rs.
local function is_kernel_tree(dir)
  return exists(dir .. '/Kconfig') and exists(dir .. '/Makefile') and exists(dir .. '/rust/kernel/lib.rs')
end

--- srctree_of_objtree returns the source tree of a kernel folder, as the
--- server finds it: the folder itself when it has a top Kconfig and
--- Makefile, else the tree its Makefile includes (`make O=` and the
--- distributions' header packages write "include /path/to/src/Makefile"
--- there); nil: neither.
function M.srctree_of_objtree(dir)
  if exists(dir .. '/Kconfig') and exists(dir .. '/Makefile') then
    return dir
  end
  local f = io.open(dir .. '/Makefile', 'r')
  if not f then
    return nil
  end
  local text = f:read('*a') or ''
  f:close()
  for line in text:gmatch('[^\n]+') do
    local inc = vim.trim(line):match('^include%s+(.-)%s*$')
    if inc == 'Makefile' or (inc and inc:match('/Makefile$')) then
      local src = inc:match('^(.*)/Makefile$') or '.'
      if src:sub(1, 1) ~= '/' then
        src = dir .. '/' .. src
      end
      if exists(src .. '/Kconfig') then
        return src
      end
    end
  end
  return nil
end

--- expand returns a path setting as the server and the VS Code extension
--- read it: ~ and ~/ expanded, relative paths taken from root. nil for an
--- empty or missing one.
function M.expand(p, root)
  if type(p) ~= 'string' or vim.trim(p) == '' then
    return nil
  end
  p = vim.trim(p)
  local home = vim.env.HOME or ''
  if p == '~' then
    p = home
  elseif p:sub(1, 2) == '~/' then
    p = home .. p:sub(2)
  end
  if p:sub(1, 1) ~= '/' and root then
    p = root .. '/' .. p
  end
  return p
end

--- symbol_of returns the Kconfig symbol of a name as the user types it
--- (NET or CONFIG_NET): NET; nil when it is not one (so that no flag such
--- as --allow-shell reaches the command line).
function M.symbol_of(name)
  local sym = vim.trim(name or ''):gsub('^CONFIG_', '')
  if sym:match('^[%w_]+$') then
    return sym
  end
  return nil
end

--- explain_args returns the command line of `krls config explain SYMBOL`
--- for bufnr, choosing the trees as the server does: the server binary of
--- the client's cmd; --srctree: the setting (relative to the root, ~
--- expanded), else the kernel tree the buffer is in, else for a module the
--- source tree of kdir or $KDIR (itself, or the tree its Makefile
--- includes); --objtree: the setting, else for a module kdir itself;
--- --allow-shell when kconfig.allowShell is set.
function M.explain_args(symbol, bufnr)
  local client = krls_client(bufnr)
  local cfg = client and client.config or active_config()
  local o = vim.tbl_deep_extend('force', unwrap(cfg.init_options), unwrap(cfg.settings))
  local root = client and client.config.root_dir
  if not root and type(cfg.root_dir) == 'function' then
    root = root_of(cfg, bufnr)
  end
  local function abs(p)
    return M.expand(p, root)
  end
  local exe = type(cfg.cmd) == 'table' and cfg.cmd[1] or 'krls'
  local args = { exe, 'config', 'explain', symbol }
  local srctree, objtree = abs(o.srctree), abs(o.objtree)
  if not srctree and root and is_kernel_tree(root) then
    srctree = root
  end
  local kdir = abs(o.kdir) or abs(vim.env.KDIR)
  if not srctree and kdir then
    srctree = M.srctree_of_objtree(kdir)
    objtree = objtree or kdir
  end
  if srctree then
    vim.list_extend(args, { '--srctree', srctree })
  end
  if objtree then
    vim.list_extend(args, { '--objtree', objtree })
  end
  if type(o.kconfig) == 'table' and o.kconfig.allowShell == true then
    table.insert(args, '--allow-shell')
  end
  return args
end

--- explain runs `krls config explain SYMBOL` (default: the word under the
--- cursor) and shows what it prints in a scratch buffer. Returns that
--- buffer.
function M.explain(symbol)
  local bufnr = vim.api.nvim_get_current_buf()
  local given = (symbol and symbol ~= '') and symbol or vim.fn.expand('<cword>')
  symbol = M.symbol_of(given)
  if not symbol then
    vim.notify('KrlsExplain: ' .. vim.inspect(given) .. ' is not a Kconfig symbol (letters, digits and _, with or without CONFIG_)', vim.log.levels.ERROR)
    return
  end
  local args = M.explain_args(symbol, bufnr)
  local out = vim.fn.system(args)
  local failed = vim.v.shell_error ~= 0
  local lines = vim.split(out, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  local name = 'krls://explain/CONFIG_' .. symbol
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == name then
      vim.api.nvim_buf_delete(b, { force = true })
    end
  end
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_name(buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.api.nvim_win_set_height(0, math.max(3, math.min(#lines, 20)))
  if failed then
    vim.notify('krls config explain ' .. symbol .. ' failed: ' .. (lines[#lines] or ''), vim.log.levels.WARN)
  end
  return buf
end

--- create_commands defines :KrlsExplain [SYMBOL], and the client command
--- krls.explainSymbol the server's code actions name ("Why is CONFIG_X
--- off?" on a file the .config does not build).
function M.create_commands()
  if vim.fn.exists('##LspAttach') == 1 then
    vim.api.nvim_create_autocmd('LspAttach', {
      group = vim.api.nvim_create_augroup('krls_hints', { clear = true }),
      callback = function(ev)
        local client = ev.data and vim.lsp.get_client_by_id(ev.data.client_id)
        if client and client.name == 'krls' then
          M.quiet_hints(client.id)
        end
      end,
    })
  end
  vim.api.nvim_create_user_command('KrlsExplain', function(a)
    M.explain(a.args)
  end, { nargs = '?', desc = 'krls: explain a Kconfig symbol (default: the word under the cursor)' })
  vim.lsp.commands['krls.explainSymbol'] = function(command)
    local name = command.arguments and command.arguments[1]
    M.explain(type(name) == 'string' and name or nil)
  end
end

--- rust_analyzer_config returns the rust-analyzer settings that let it
--- find the kernel's crates by itself: its workspace.discoverConfig runs
--- `krls rust-project --discover` (rust-project.json from the .config,
--- reloaded when the .config changes). opts: cmd (the krls binary,
--- default the setup()'s, else 'krls'), objtree, kdir, sysroot. Pass the
--- result on, never set silently:
---   vim.lsp.config('rust_analyzer', { settings = { ['rust-analyzer'] = require('krls').rust_analyzer_config() } })
--- or, for rustaceanvim, as vim.g.rustaceanvim.server.default_settings['rust-analyzer'].
function M.rust_analyzer_config(opts)
  opts = opts or {}
  local cfg = active_config()
  local cmd = opts.cmd or (type(cfg.cmd) == 'table' and cfg.cmd[1]) or 'krls'
  local init = unwrap(cfg.init_options)
  local command = { cmd, 'rust-project', '--discover', '{arg}' }
  for _, k in ipairs({ 'objtree', 'kdir', 'sysroot' }) do
    local v = opts[k] or init[k]
    if type(v) == 'string' and v ~= '' then
      table.insert(command, 3, '--' .. k)
      table.insert(command, 4, v)
    end
  end
  return {
    workspace = {
      discoverConfig = {
        command = command,
        progressLabel = 'krls',
        filesToWatch = { '.config' },
      },
    },
  }
end

return M
