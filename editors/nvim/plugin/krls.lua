-- :KrlsExplain [SYMBOL]: `krls config explain` for the tree of the current
-- buffer, shown in a scratch buffer. Starting the server is setup()'s or
-- vim.lsp.enable('krls')'s business, not this file's.
if vim.g.loaded_krls or vim.fn.has('nvim-0.7') == 0 then
  return
end
vim.g.loaded_krls = true
require('krls').create_commands()
