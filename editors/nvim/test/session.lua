-- An editing session in a real, headless Neovim against the real server,
-- to measure the server's memory (not a test: it prints figures).
-- session.sh prepares the environment and runs:
--   nvim --headless -u NONE -i NONE -n -c 'luafile session.lua'
-- Env: KRLS_PLUGIN, KRLS_CMD, KRLS_TREE (a kernel tree, read only: the
-- session edits buffers and never writes them), KRLS_OBJ (its objtree),
-- KRLS_FILES (the files to open, space-separated, relative to the tree),
-- KRLS_ROUNDS (how many times the session goes through them).
local function log(...)
  io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n')
end
local timeout = 60000
vim.opt.runtimepath:prepend(os.getenv('KRLS_PLUGIN'))
vim.cmd('filetype on') -- -u NONE leaves filetype detection off
local tree = assert(os.getenv('KRLS_TREE'))
local files = vim.split(assert(os.getenv('KRLS_FILES')), ' ', { trimempty = true })
local rounds = tonumber(os.getenv('KRLS_ROUNDS') or '3')
require('krls').setup({ cmd = { os.getenv('KRLS_CMD'), 'serve' }, init_options = { objtree = os.getenv('KRLS_OBJ') } })

local function client()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, c in ipairs(get()) do
    if c.name == 'krls' then
      return c
    end
  end
end

local function status(pid)
  local f = io.open('/proc/' .. pid .. '/status')
  if not f then
    return '?', '?'
  end
  local s = f:read('*a')
  f:close()
  return s:match('VmHWM:%s*(%d+) kB'), s:match('VmRSS:%s*(%d+) kB')
end

-- Positions worth asking about: identifiers the server answers for
-- (errno names, CONFIG_ symbols, module! keys, kernel:: paths).
local function positions(buf)
  local out = {}
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, l in ipairs(lines) do
    for _, pat in ipairs({ 'E[A-Z][A-Z]+', 'CONFIG_[A-Z0-9_]+', 'kernel::', 'unsafe', 'SAFETY' }) do
      local s = l:find(pat)
      if s then
        table.insert(out, { i - 1, s })
        break
      end
    end
    if #out >= 40 then
      break
    end
  end
  return out
end

local started = vim.loop.hrtime()
local pid
local requests = 0
for round = 1, rounds do
  for _, rel in ipairs(files) do
    vim.cmd('edit ' .. vim.fn.fnameescape(tree .. '/' .. rel))
    local buf = vim.api.nvim_get_current_buf()
    vim.wait(timeout, function()
      return client() ~= nil and (client().attached_buffers or {})[buf]
    end, 20)
    local c = client()
    if not c then
      log('no krls client for', rel)
      vim.cmd('cquit 1')
    end
    pid = pid or (c.rpc and c.rpc.pid) or tonumber(vim.fn.systemlist({ 'pgrep', '-n', '-f', os.getenv('KRLS_CMD') .. ' serve' })[1])
    local uri = vim.uri_from_bufnr(buf)
    for _, p in ipairs(positions(buf)) do
      local params = { textDocument = { uri = uri }, position = { line = p[1], character = p[2] } }
      vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, timeout)
      vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, timeout)
      requests = requests + 2
    end
    vim.lsp.buf_request_sync(buf, 'textDocument/documentSymbol', { textDocument = { uri = uri } }, timeout)
    for _, q in ipairs({ 'Device', 'init', 'EINVAL', 'CONFIG_NET', 'kmalloc', 'Arc' }) do
      vim.lsp.buf_request_sync(buf, 'workspace/symbol', { query = q }, timeout)
      requests = requests + 1
    end
    -- Typing: a few edits at the end of the file, each analysed again.
    local n = vim.api.nvim_buf_line_count(buf)
    for k = 1, 5 do
      vim.api.nvim_buf_set_lines(buf, n, n, false, { '// SAFETY: edit ' .. round .. '.' .. k, 'fn krls_session_' .. k .. '() { unsafe { f() } }' })
      vim.wait(50)
    end
    local hwm, rss = status(pid)
    log(string.format('round %d %-45s VmHWM %s kB VmRSS %s kB', round, rel, hwm, rss))
  end
end
vim.wait(500)
local hwm, rss = status(pid)
log(string.format('done: %d files x %d rounds, %d requests in %.1f s; server VmHWM %s kB, VmRSS %s kB',
  #files, rounds, requests, (vim.loop.hrtime() - started) / 1e9, hwm, rss))
vim.cmd('qall!')
