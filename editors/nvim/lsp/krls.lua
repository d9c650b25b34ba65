-- krls: a language server for Rust in the Linux kernel, beside rust-analyzer.
-- https://github.com/krls-dev/krls
--
-- The configuration for Neovim 0.11+'s vim.lsp.config / vim.lsp.enable('krls'),
-- laid out as nvim-lspconfig's bundled configs are. `krls` must be on $PATH.
--
-- krls attaches only inside a Linux kernel tree (a folder with `Kconfig`,
-- `Makefile` and `rust/kernel/lib.rs`, the nearest above the file) or an
-- out-of-tree module folder (a `Kbuild` file, or a `Makefile` that assigns
-- `obj-m` at a line start: `obj-m +=`, `obj-m :=`, `obj-m ?=`, `obj-m =`); the kernel
-- tree wins over the module-like folders inside it. These are the rules of
-- the server (workspace/tree.go) and of the VS Code extension; the tests of
-- both clients share their cases (editors/testdata/roots.json).
--
-- It answers only what rust-analyzer cannot know (SAFETY comments, Kconfig,
-- errno values, module!) and claims no formatting or semantic tokens, so both
-- servers attach to the same buffers. Settings (init_options or settings):
--   srctree, objtree, kdir: where the kernel tree, its .config and a module's
--     kernel are (defaults: the tree above the file; its .config; $KDIR)
--   kconfig = { allowShell = false }: run Kconfig's $(shell,...) probes
--
-- root_dir calls on_dir at once and this file needs nothing newer than
-- Neovim 0.7, so the krls plugin (require('krls').setup()) loads it on
-- 0.7-0.10 too.

local uv = vim.uv or vim.loop

local function stat_type(path)
  local st = uv.fs_stat(path)
  return st and st.type
end

-- The server's test: the name exists (any kind of file).
local function exists(path)
  return uv.fs_stat(path) ~= nil
end

-- The top of a kernel source tree with Rust support: Kconfig, Makefile and
-- rust/kernel/lib.rs.
local function is_kernel_tree(dir)
  return exists(dir .. '/Kconfig') and exists(dir .. '/Makefile') and exists(dir .. '/rust/kernel/lib.rs')
end

-- An out-of-tree module folder: a Kbuild file, or a Makefile that assigns
-- obj-m at the start of a line, blanks before it allowed (`obj-m := foo.o`,
-- `obj-m += foo.o`, `obj-m ?= foo.o`, `obj-m = foo.o`).
local function is_module_dir(dir)
  if exists(dir .. '/Kbuild') then
    return true
  end
  local f = io.open(dir .. '/Makefile', 'r')
  if not f then
    return false
  end
  local text = f:read('*a') or ''
  f:close()
  for line in text:gmatch('[^\n]+') do
    if line:match('^[ \t]*obj%-m[ \t]*[:+?]?=') then
      return true
    end
  end
  return false
end

-- The folder krls serves for a file: the nearest kernel tree above it, else
-- the nearest module folder, else nil.
local function find_root(path)
  local dir = path:gsub('/+$', '')
  if stat_type(dir) ~= 'directory' then
    dir = dir:match('^(.*)/[^/]*$') or ''
  end
  local module
  while dir ~= '' do
    if is_kernel_tree(dir) then
      return dir
    end
    if not module and is_module_dir(dir) then
      module = dir
    end
    dir = dir:match('^(.*)/[^/]*$') or ''
  end
  if is_kernel_tree('/') then
    return '/'
  end
  return module
end

return {
  cmd = { 'krls', 'serve' },
  filetypes = { 'rust', 'kconfig' },
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == '' or name:match('^%a[%w+.-]*://') then
      return
    end
    local root = find_root(vim.fn.fnamemodify(name, ':p'))
    if root then
      on_dir(root)
    end
  end,
  settings = {},
}
