-- The real rust-analyzer beside krls in a real, headless Neovim 0.12 (the
-- kernel toolchain chroot), on a built Linux 7.2 object tree. ra_e2e.sh
-- runs it twice:
--   KRLS_MODE=linked    rust-analyzer with the kernel's own rust-project.json
--                       (make rust-analyzer), linkedProjects
--   KRLS_MODE=discover  rust-analyzer asking krls (workspace.discoverConfig
--                       from require('krls').rust_analyzer_config()); then the
--                       .config turns a sample off: rust-analyzer must ask
--                       again by itself, and krls must report the file not built
-- Env: KRLS_PLUGIN, KRLS_CMD (krls, or a wrapper logging its arguments to
-- KRLS_CALLS), KRLS_SRC, KRLS_OBJ, KRLS_RP (linked), KRLS_OUT (where the
-- hovers are written, one per line), KRLS_TIMEOUT_MS.
-- Exits through :cquit 1 on a failure.
local function log(...)
  io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n')
  io.stdout:flush()
end
local failures = 0
local function check(cond, what)
  log((cond and 'ok   ' or 'FAIL ') .. what)
  if not cond then
    failures = failures + 1
  end
  return cond
end
local timeout = tonumber(os.getenv('KRLS_TIMEOUT_MS') or '300000')
local mode = assert(os.getenv('KRLS_MODE'))
local src, obj = assert(os.getenv('KRLS_SRC')), assert(os.getenv('KRLS_OBJ'))
local krls = assert(os.getenv('KRLS_CMD'))
vim.opt.runtimepath:prepend(os.getenv('KRLS_PLUGIN'))
vim.cmd('filetype on')

require('krls').setup({ cmd = { krls, 'serve' }, init_options = { objtree = obj, rustAnalyzer = true } })
local ra_settings
if mode == 'linked' then
  ra_settings = { linkedProjects = { assert(os.getenv('KRLS_RP')) }, checkOnSave = false, cargo = { buildScripts = { enable = false } } }
else
  ra_settings = require('krls').rust_analyzer_config({ cmd = krls, objtree = obj })
  ra_settings.checkOnSave = false
end
vim.lsp.config('rust_analyzer', {
  cmd = { 'rust-analyzer' },
  filetypes = { 'rust' },
  root_dir = function(_, on_dir)
    on_dir(src)
  end,
  init_options = ra_settings,
  settings = { ['rust-analyzer'] = ra_settings },
})
vim.lsp.enable('rust_analyzer')

local function client(name, buf)
  for _, c in ipairs(vim.lsp.get_clients({ bufnr = buf })) do
    if c.name == name then
      return c
    end
  end
end

-- hover asks rust-analyzer about the first `needle` of the file at the
-- skip-th byte of it, until it answers with want in the text.
local function hover(rel, needle, skip, want)
  vim.cmd('edit ' .. vim.fn.fnameescape(src .. '/' .. rel))
  local buf = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row, col
  for i, l in ipairs(lines) do
    local s = l:find(needle, 1, true)
    if s then
      row, col = i - 1, s - 1 + skip
      break
    end
  end
  assert(row, needle .. ' not in ' .. rel)
  local got = ''
  local ok = vim.wait(timeout, function()
    local c = client('rust_analyzer', buf)
    if not c then
      return false
    end
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col } }
    local res = c:request_sync('textDocument/hover', params, 20000, buf)
    local r = res and res.result
    if r and r.contents then
      got = type(r.contents) == 'table' and (r.contents.value or vim.inspect(r.contents)) or tostring(r.contents)
      return got:find(want, 1, true) ~= nil
    end
    return false
  end, 1000)
  check(ok, string.format('%s: rust-analyzer hovers %q (%s)', mode, needle, ok and 'ok' or ('got ' .. vim.inspect(got:sub(1, 120)))))
  return got
end

local started = vim.uv.hrtime()
local kbox = hover('samples/rust/rust_minimal.rs', 'KVec', 0, 'KVec')
log(string.format('%s: first hover after %.1f s', mode, (vim.uv.hrtime() - started) / 1e9))
local arc = hover('rust/kernel/sync/arc.rs', 'pub struct Arc', #'pub struct ', 'Arc')
local out = io.open(assert(os.getenv('KRLS_OUT')), 'w')
out:write(vim.json.encode({ kvec = kbox, arc = arc }), '\n')
out:close()

if mode == 'discover' then
  -- Turn a sample off: rust-analyzer watches the .config (filesToWatch),
  -- asks krls again with {"buildfile": ".config"}; krls reloads the
  -- .config and reports the sample's file not built.
  local calls = assert(os.getenv('KRLS_CALLS'))
  local function discovers()
    local f = io.open(calls)
    if not f then
      return 0
    end
    local n = 0
    for l in f:lines() do
      if l:find('--discover', 1, true) then
        n = n + 1
      end
    end
    f:close()
    return n
  end
  local before = discovers()
  check(before >= 1, 'rust-analyzer ran krls rust-project --discover (' .. before .. ' times)')
  local dot = obj .. '/.config'
  local text = table.concat(vim.fn.readfile(dot), '\n')
  text = text:gsub('CONFIG_SAMPLE_RUST_PRINT=[ym]', '# CONFIG_SAMPLE_RUST_PRINT is not set')
  vim.fn.writefile(vim.split(text, '\n', { plain = true }), dot)
  check(vim.wait(timeout, function()
    return discovers() > before
  end, 500), 'after the .config change, rust-analyzer asked krls again by itself')
  vim.cmd('edit ' .. vim.fn.fnameescape(src .. '/samples/rust/rust_print_main.rs'))
  local buf = vim.api.nvim_get_current_buf()
  local msg = ''
  check(vim.wait(timeout, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'not-built' then
        msg = d.message
        return true
      end
    end
    return false
  end, 500), 'krls reports rust_print_main.rs not built: ' .. msg)
  check(msg:find('CONFIG_SAMPLE_RUST_PRINT is not set', 1, true) ~= nil, 'the message names CONFIG_SAMPLE_RUST_PRINT')
end

if failures > 0 then
  vim.cmd('cquit 1')
end
vim.cmd('qall!')
