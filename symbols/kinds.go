package symbols

import (
	"fmt"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Kinds are the node kind ids of tree-sitter-rust that krls looks at.
// Named kinds are node types; the Kw* fields are anonymous keyword and
// punctuation tokens.
type Kinds struct {
	SourceFile, Block, UnsafeBlock, ImplItem, TraitItem, FunctionItem,
	FunctionSignatureItem, FunctionModifiers, MacroDefinition, MacroRule,
	MacroInvocation, TokenTree, TokenTreePattern, TokenRepetition,
	LetDeclaration, ExpressionStatement, AssignmentExpression,
	CompoundAssignmentExpr, ConstItem, StaticItem, AttributeItem,
	InnerAttributeItem, Attribute, LineComment, BlockComment, DocComment,
	OuterDocCommentMarker, InnerDocCommentMarker, DeclarationList, ModItem,
	IfExpression, MatchExpression, MatchArm, MatchBlock, WhileExpression,
	ForExpression, LoopExpression, ClosureExpression, FieldInitializer,
	ShorthandFieldInitializer, BaseFieldInitializer, FieldInitializerList,
	CallExpression, Arguments, VisibilityModifier, Identifier, TypeIdentifier,
	FieldExpression, FieldIdentifier, ScopedIdentifier, GenericFunction, ScopedTypeIdentifier,
	StructItem, EnumItem, UnionItem, TypeItem, UseDeclaration,
	ExternCrateDeclaration, ForeignModItem, EmptyStatement, LetCondition,
	LetChain, ElseClause, ConstBlock, AsyncBlock, GenBlock, TryBlock,
	StringLiteral, RawStringLiteral, AssociatedType, Metavariable,
	ParenthesizedExpression, TupleExpression, ArrayExpression,
	TypeCastExpression, ReferenceExpression, UnaryExpression,
	BinaryExpression, IndexExpression, TryExpression, AwaitExpression,
	RangeExpression, ReturnExpression, BreakExpression, YieldExpression,
	StructExpression, Label, ArrayType, CharLiteral, IntegerLiteral, UseList,
	ScopedUseList, Parameter uint16

	KwUnsafe, KwImpl, KwFn, KwEq, KwLBrace, KwRBrace, KwLParen, KwLBracket,
	KwSemi, KwTrait, KwLet, KwDollar uint16

	// Expression holds every kind that is an expression, for telling a
	// block's tail expression from its statements.
	Expression map[uint16]bool
}

func loadKinds(l *sitter.Language) *Kinds {
	named := func(name string) uint16 {
		id := l.IdForNodeKind(name, true)
		if id == 0 {
			panic(fmt.Sprintf("tree-sitter-rust has no node kind %q", name))
		}
		return id
	}
	anon := func(name string) uint16 {
		id := l.IdForNodeKind(name, false)
		if id == 0 {
			panic(fmt.Sprintf("tree-sitter-rust has no token %q", name))
		}
		return id
	}
	k := &Kinds{
		SourceFile: named("source_file"), Block: named("block"), UnsafeBlock: named("unsafe_block"),
		ImplItem: named("impl_item"), TraitItem: named("trait_item"), FunctionItem: named("function_item"),
		FunctionSignatureItem: named("function_signature_item"), FunctionModifiers: named("function_modifiers"),
		MacroDefinition: named("macro_definition"), MacroRule: named("macro_rule"),
		MacroInvocation: named("macro_invocation"), TokenTree: named("token_tree"),
		TokenTreePattern: named("token_tree_pattern"), TokenRepetition: named("token_repetition"),
		LetDeclaration: named("let_declaration"), ExpressionStatement: named("expression_statement"),
		AssignmentExpression: named("assignment_expression"), CompoundAssignmentExpr: named("compound_assignment_expr"),
		ConstItem: named("const_item"), StaticItem: named("static_item"), AttributeItem: named("attribute_item"),
		InnerAttributeItem: named("inner_attribute_item"), Attribute: named("attribute"),
		LineComment: named("line_comment"), BlockComment: named("block_comment"), DocComment: named("doc_comment"),
		OuterDocCommentMarker: named("outer_doc_comment_marker"), InnerDocCommentMarker: named("inner_doc_comment_marker"),
		DeclarationList: named("declaration_list"), ModItem: named("mod_item"),
		IfExpression: named("if_expression"), MatchExpression: named("match_expression"),
		MatchArm: named("match_arm"), MatchBlock: named("match_block"), WhileExpression: named("while_expression"),
		ForExpression: named("for_expression"), LoopExpression: named("loop_expression"),
		ClosureExpression: named("closure_expression"), FieldInitializer: named("field_initializer"),
		ShorthandFieldInitializer: named("shorthand_field_initializer"), BaseFieldInitializer: named("base_field_initializer"),
		FieldInitializerList: named("field_initializer_list"), CallExpression: named("call_expression"),
		Arguments: named("arguments"), VisibilityModifier: named("visibility_modifier"),
		Identifier: named("identifier"), TypeIdentifier: named("type_identifier"),
		FieldExpression: named("field_expression"), FieldIdentifier: named("field_identifier"),
		ScopedIdentifier: named("scoped_identifier"), GenericFunction: named("generic_function"),
		ScopedTypeIdentifier: named("scoped_type_identifier"),
		StructItem:           named("struct_item"), EnumItem: named("enum_item"), UnionItem: named("union_item"),
		TypeItem: named("type_item"), UseDeclaration: named("use_declaration"),
		ExternCrateDeclaration: named("extern_crate_declaration"), ForeignModItem: named("foreign_mod_item"),
		EmptyStatement: named("empty_statement"), LetCondition: named("let_condition"), LetChain: named("let_chain"),
		ElseClause: named("else_clause"), ConstBlock: named("const_block"), AsyncBlock: named("async_block"),
		GenBlock: named("gen_block"), TryBlock: named("try_block"), StringLiteral: named("string_literal"),
		RawStringLiteral: named("raw_string_literal"), AssociatedType: named("associated_type"),
		Metavariable: named("metavariable"), ParenthesizedExpression: named("parenthesized_expression"),
		TupleExpression: named("tuple_expression"), ArrayExpression: named("array_expression"),
		TypeCastExpression: named("type_cast_expression"), ReferenceExpression: named("reference_expression"),
		UnaryExpression: named("unary_expression"), BinaryExpression: named("binary_expression"),
		IndexExpression: named("index_expression"), TryExpression: named("try_expression"),
		AwaitExpression: named("await_expression"), RangeExpression: named("range_expression"),
		ReturnExpression: named("return_expression"), BreakExpression: named("break_expression"),
		YieldExpression: named("yield_expression"), StructExpression: named("struct_expression"),
		Label: named("label"), ArrayType: named("array_type"), CharLiteral: named("char_literal"),
		IntegerLiteral: named("integer_literal"), UseList: named("use_list"),
		ScopedUseList: named("scoped_use_list"), Parameter: named("parameter"),

		KwUnsafe: anon("unsafe"), KwImpl: anon("impl"), KwFn: anon("fn"), KwEq: anon("="),
		KwLBrace: anon("{"), KwRBrace: anon("}"), KwLParen: anon("("), KwLBracket: anon("["),
		KwSemi: anon(";"), KwTrait: anon("trait"), KwLet: anon("let"), KwDollar: anon("$"),
	}
	k.Expression = map[uint16]bool{}
	for _, name := range []string{
		"array_expression", "assignment_expression", "async_block", "await_expression",
		"binary_expression", "block", "break_expression", "call_expression", "closure_expression",
		"compound_assignment_expr", "const_block", "continue_expression", "field_expression",
		"for_expression", "gen_block", "generic_function", "identifier", "if_expression",
		"index_expression", "loop_expression", "macro_invocation", "match_expression",
		"metavariable", "parenthesized_expression", "range_expression", "reference_expression",
		"return_expression", "scoped_identifier", "self", "struct_expression", "try_block",
		"try_expression", "tuple_expression", "type_cast_expression", "unary_expression",
		"unit_expression", "unsafe_block", "while_expression", "yield_expression",
		"string_literal", "raw_string_literal", "char_literal", "boolean_literal",
		"integer_literal", "float_literal",
	} {
		k.Expression[named(name)] = true
	}
	return k
}
