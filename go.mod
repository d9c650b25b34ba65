module github.com/krls-dev/krls

go 1.26.8

require (
	github.com/tree-sitter/go-tree-sitter v0.25.0
	github.com/tree-sitter/tree-sitter-rust v0.24.0
)

require github.com/mattn/go-pointer v0.0.1 // indirect
