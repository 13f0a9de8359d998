"""The TypeScript / JavaScript front end, construct by construct.

Each test builds the AST-level graph of an inline snippet (``build`` also checks
``schema.validate``) and asserts the nodes and edges the passes and the slicer rely on: kinds,
names, full names, argument order, writes, REF targets, control-structure child order, imports,
members, modifiers, types and positions.
"""

from __future__ import annotations

import time

import pytest

from cpg_helpers import ast_children, ast_parent, build, kinds, nodes, one, out, prop
from typeinfer.cpg.file_graph import FileGraph
from typeinfer.cpg.frontends import build_ast
from typeinfer.cpg.frontends.typescript import MAX_DEPTH
from typeinfer.cpg.passes import run_file_passes
from typeinfer.cpg.schema import Control, EdgeKind, NodeKind, Op, Prop, validate
from typeinfer.cpg.source import source_from_text

M, P, B, C, I, L = (NodeKind.METHOD, NodeKind.METHOD_PARAMETER_IN, NodeKind.BLOCK, NodeKind.CALL,
                    NodeKind.IDENTIFIER, NodeKind.LOCAL)
CS, TD, MEM, IMP, LIT = (NodeKind.CONTROL_STRUCTURE, NodeKind.TYPE_DECL, NodeKind.MEMBER, NodeKind.IMPORT,
                         NodeKind.LITERAL)


def g_of(code: str, path: str = "m.ts"):
    return build(code, path)[1]


def args(g, call: int) -> list[int]:
    """ARGUMENT children of a call in ARGUMENT_INDEX order."""
    return sorted(out(g, call, EdgeKind.ARGUMENT), key=lambda n: prop(g, n, "ARGUMENT_INDEX"))


def names(g, ns: list[int]) -> list[str | None]:
    return [prop(g, n, "NAME") for n in ns]


def ref(g, ident: int) -> int | None:
    targets = out(g, ident, EdgeKind.REF)
    assert len(targets) <= 1
    return targets[0] if targets else None


def module_block(g) -> int:
    module = one(g, M, NAME="<module>")
    return ast_children(g, module)[0]


def statements(g, block: int) -> list[int]:
    """Children of a BLOCK without its LOCALs."""
    return [n for n in ast_children(g, block) if g.nodes[n][Prop.KIND] != L]


def op_calls(g, op: str) -> list[int]:
    return nodes(g, C, NAME=op)


# ---------------------------------------------------------------------------------- module
def test_module_method_under_namespace_block():
    fg, g = build("let x = 1;\n", "src/a.ts")
    file_node = one(g, NodeKind.FILE)
    assert prop(g, file_node, "LANGUAGE") == "typescript"
    ns = one(g, NodeKind.NAMESPACE_BLOCK)
    module = one(g, M, NAME="<module>")
    assert ast_parent(g, module) == ns
    assert prop(g, module, "FULL_NAME") == "src/a.ts:<module>"
    assert kinds(g, ast_children(g, module)) == [B, NodeKind.METHOD_RETURN]
    local = one(g, L, NAME="x")
    assert ast_parent(g, local) == module_block(g)


# ---------------------------------------------------------------------------------- functions
def test_function_declaration_parameters_and_return_type():
    g = g_of("function f<T>(this: Foo, a: number, b?: string, c = 1, ...rest: T[]): void { return a; }\n")
    f = one(g, M, NAME="f")
    assert prop(g, f, "FULL_NAME") == "m.ts:f"
    assert ast_parent(g, f) == module_block(g)  # a statement of the module body
    kids = ast_children(g, f)
    assert kinds(g, kids) == [P, P, P, P, B, NodeKind.METHOD_RETURN]
    a, b, c, rest = kids[:4]
    assert [prop(g, p, "NAME") for p in kids[:4]] == ["a", "b", "c", "rest"]  # `this` excluded
    assert [prop(g, p, "INDEX") for p in kids[:4]] == [0, 1, 2, 3]
    assert prop(g, a, "TYPE_FULL_NAME") == "number"
    assert prop(g, b, "MODIFIERS") == ("optional",)
    assert prop(g, c, "DEFAULT_VALUE") == "1"
    (default,) = ast_children(g, c)
    assert g.nodes[default][Prop.KIND] == LIT and prop(g, default, "CODE") == "1"
    assert prop(g, rest, "IS_VARIADIC") is True and prop(g, rest, "TYPE_FULL_NAME") == "T[]"
    assert prop(g, kids[5], "TYPE_FULL_NAME") == "void"
    use = one(g, I, NAME="a")
    assert ref(g, use) == a
    assert ref(g, one(g, I, NAME="a")) == a
    assert prop(g, one(g, L, NAME="f"), "LINE_NUMBER") == 1  # the name is bound in the module


def test_arrow_named_after_variable_hangs_under_enclosing_method():
    g = g_of("""\
        const handler = async (req: Request) => req.body;
        function outer() {
          const inner = function () {};
          [1].map(x => x);
          return () => 2;
        }
        """)
    handler = one(g, M, NAME="handler")
    assert prop(g, handler, "FULL_NAME") == "m.ts:handler"
    assert prop(g, handler, "MODIFIERS") == ("async", "arrow")
    module = one(g, M, NAME="<module>")
    assert ast_parent(g, handler) == module  # not in a BLOCK
    assert kinds(g, ast_children(g, module)) == [B, NodeKind.METHOD_RETURN, M]
    # expression body: RETURN in a BLOCK
    body = ast_children(g, handler)[1]
    (ret,) = ast_children(g, body)
    assert g.nodes[ret][Prop.KIND] == NodeKind.RETURN
    assert prop(g, args(g, ret)[0], "NAME") == Op.FIELD_ACCESS
    # the assignment's value is a METHOD_REF to it
    assign = next(c for c in op_calls(g, Op.ASSIGNMENT) if prop(g, c, "CODE").startswith("handler"))
    target, value = args(g, assign)
    assert prop(g, target, "IS_WRITE") is True and ref(g, target) == one(g, L, NAME="handler")
    assert g.nodes[value][Prop.KIND] == NodeKind.METHOD_REF
    assert prop(g, value, "METHOD_FULL_NAME") == "m.ts:handler"
    outer = one(g, M, NAME="outer")
    assert prop(g, one(g, M, NAME="inner"), "FULL_NAME") == "m.ts:outer.inner"
    anons = nodes(g, M, NAME="<anonymous>")
    assert [prop(g, n, "FULL_NAME") for n in anons] == ["m.ts:outer.<anonymous>0", "m.ts:outer.<anonymous>1"]
    assert all(ast_parent(g, n) == outer for n in anons)
    x_param = one(g, P, NAME="x")
    assert ref(g, one(g, I, NAME="x")) == x_param


def test_object_literal_functions_are_named_after_their_keys():
    g = g_of("""\
        const api = { run: () => 1, stop() { return 2; }, nested: { deep: function () {} }, a, ...rest, [k]: 3 };
        obj = { go: () => 1 };
        """)
    assert prop(g, one(g, M, NAME="run"), "FULL_NAME") == "m.ts:api.run"
    stop = one(g, M, NAME="stop")
    assert prop(g, stop, "FULL_NAME") == "m.ts:api.stop"
    assert prop(g, stop, "MODIFIERS") == ("method",)
    assert prop(g, one(g, M, NAME="deep"), "FULL_NAME") == "m.ts:api.nested.deep"
    assert prop(g, one(g, M, NAME="go"), "FULL_NAME") == "m.ts:obj.go"
    lit = next(c for c in op_calls(g, Op.OBJECT_LITERAL) if prop(g, c, "CODE").startswith("{ run"))
    items = args(g, lit)
    assert names(g, items) == [Op.KEY_VALUE, Op.KEY_VALUE, Op.KEY_VALUE, Op.KEY_VALUE, Op.SPREAD, Op.KEY_VALUE]
    key, value = args(g, items[0])
    assert g.nodes[key][Prop.KIND] == LIT and prop(g, key, "CODE") == "run"
    assert prop(g, value, "METHOD_FULL_NAME") == "m.ts:api.run"
    key, value = args(g, items[1])
    assert g.nodes[value][Prop.KIND] == NodeKind.METHOD_REF and prop(g, value, "METHOD_FULL_NAME") == "m.ts:api.stop"
    key, value = args(g, items[3])  # shorthand {a}: key literal, identifier read
    assert prop(g, key, "CODE") == "a" and g.nodes[value][Prop.KIND] == I and not prop(g, value, "IS_WRITE")
    key, _ = args(g, items[5])  # computed key: the expression
    assert g.nodes[key][Prop.KIND] == I and prop(g, key, "NAME") == "k"


def test_async_await_and_generators():
    g = g_of("""\
        async function af() { const v = await load(); }
        function* gen() { yield 1; yield* other(); }
        async function* ag() { for await (const y of src) {} }
        """)
    assert prop(g, one(g, M, NAME="af"), "MODIFIERS") == ("async",)
    assert prop(g, one(g, M, NAME="gen"), "MODIFIERS") == ("generator",)
    assert prop(g, one(g, M, NAME="ag"), "MODIFIERS") == ("async", "generator")
    (aw,) = op_calls(g, Op.AWAIT)
    assert names(g, args(g, aw)) == ["load"]
    (y,) = op_calls(g, Op.YIELD)
    assert prop(g, args(g, y)[0], "CODE") == "1"
    (yf,) = op_calls(g, Op.YIELD_FROM)
    assert names(g, args(g, yf)) == ["other"]
    loop = one(g, CS, CONTROL_STRUCTURE_TYPE=Control.FOR_EACH)
    assert prop(g, loop, "MODIFIERS") == ("await",)


def test_destructured_parameters_assign_in_the_body():
    g = g_of("export function ef({a, b: c}: Props = {}, [d]: Q) { return a + c + d; }\n")
    ef = one(g, M, NAME="ef")
    assert prop(g, ef, "MODIFIERS") == ("export",)
    p0, p1 = nodes(g, P)
    assert prop(g, p0, "NAME") == "{a, b: c}" and prop(g, p0, "TYPE_FULL_NAME") == "Props"
    assert prop(g, p0, "DEFAULT_VALUE") == "{}" and prop(g, p0, "INDEX") == 0
    assert prop(g, p1, "NAME") == "[d]" and prop(g, p1, "INDEX") == 1
    body = ast_children(g, ef)[2]
    first, second, ret = statements(g, body)
    assert prop(g, first, "NAME") == Op.ASSIGNMENT
    pattern, source = args(g, first)
    assert prop(g, pattern, "NAME") == Op.OBJECT_LITERAL
    assert g.nodes[source][Prop.KIND] == I and ref(g, source) == p0
    a_write = next(n for n in nodes(g, I, NAME="a") if prop(g, n, "IS_WRITE"))
    a_local = one(g, L, NAME="a")
    assert ref(g, a_write) == a_local and ast_parent(g, a_local) == body
    a_read = next(n for n in nodes(g, I, NAME="a") if not prop(g, n, "IS_WRITE"))
    assert ref(g, a_read) == a_local
    assert prop(g, args(g, second)[0], "NAME") == Op.TUPLE_LITERAL
    # the generic passes see the bound names as defined in the body
    fg = build_ast(source_from_text("function f({a}) { return a; }\n", "m.ts"))
    run_file_passes(fg)
    rg = fg.to_networkx()
    assert validate(rg) == []
    use = next(n for n in nodes(rg, I, NAME="a") if not prop(rg, n, "IS_WRITE"))
    defs = [s for s, _, k in rg.in_edges(use, keys=True) if k == EdgeKind.REACHING_DEF]
    assert len(defs) == 1 and prop(rg, defs[0], "IS_WRITE") is True


# ---------------------------------------------------------------------------------- classes
def test_class_members_methods_and_modifiers():
    g = g_of("""\
        @Component({selector: 'x'})
        export class A<T> extends Base<T> implements I, J {
          @Input() x: number = 1;
          private readonly y?: string;
          static z;
          #p = 2;
          constructor(private q: number, public r = 2, plain: string) { super(q); this.w = 3; this.w = 4; this.x = 5; }
          @log static async *gen(): AsyncGenerator<number> {}
          get v() { return 1 }
          set v(val) {}
          onClick = () => { this.m(); };
          protected abstract m(): void;
        }
        """)
    a = one(g, TD, NAME="A")
    assert prop(g, a, "FULL_NAME") == "m.ts:A"
    assert prop(g, a, "MODIFIERS") == ("class", "export")
    assert prop(g, a, "INHERITS_FROM_TYPE_FULL_NAME") == ("Base<T>", "I", "J")
    assert prop(g, a, "DECORATORS") == ("Component({selector: 'x'})",)
    assert ast_parent(g, a) == module_block(g)
    kids = ast_children(g, a)
    members, body = kids[:-1], kids[-1]
    assert kinds(g, members) == [MEM] * len(members) and g.nodes[body][Prop.KIND] == B
    assert names(g, members) == ["x", "y", "z", "#p", "q", "r", "w", "onClick"]  # source order
    x, y, z = members[:3]
    assert prop(g, x, "TYPE_FULL_NAME") == "number" and prop(g, x, "DECORATORS") == ("Input()",)
    assert prop(g, ast_children(g, x)[0], "CODE") == "1"  # initializer under the MEMBER
    assert prop(g, y, "MODIFIERS") == ("private", "readonly", "optional") and prop(g, y, "TYPE_FULL_NAME") == "string"
    assert prop(g, z, "MODIFIERS") == ("static",)
    q, r = members[4:6]
    assert prop(g, q, "MODIFIERS") == ("private",) and prop(g, q, "TYPE_FULL_NAME") == "number"
    assert prop(g, r, "MODIFIERS") == ("public",)
    assert prop(g, members[6], "LINE_NUMBER") == 7 and prop(g, members[6], "CODE") == "this.w"  # first write
    methods = ast_children(g, body)
    assert names(g, methods) == ["constructor", "gen", "v", "v", "onClick", "m"]
    ctor, gen, getter, setter, on_click, m = methods
    assert prop(g, ctor, "FULL_NAME") == "m.ts:A.constructor"
    assert prop(g, ctor, "MODIFIERS") == ("method", "constructor")
    assert names(g, nodes(g, P)[:3]) == ["q", "r", "plain"]
    assert prop(g, gen, "MODIFIERS") == ("method", "static", "async", "generator")
    assert prop(g, gen, "DECORATORS") == ("log",)
    assert prop(g, ast_children(g, gen)[-1], "TYPE_FULL_NAME") == "AsyncGenerator<number>"
    assert prop(g, getter, "MODIFIERS") == ("method", "getter")
    assert prop(g, setter, "MODIFIERS") == ("method", "setter")
    assert prop(g, on_click, "FULL_NAME") == "m.ts:A.onClick" and prop(g, on_click, "MODIFIERS") == ("arrow",)
    (ref_node,) = ast_children(g, members[7])
    assert prop(g, ref_node, "METHOD_FULL_NAME") == "m.ts:A.onClick"
    assert prop(g, m, "MODIFIERS") == ("method", "protected", "abstract", "signature")
    # class names are bound, method names are not
    assert nodes(g, L, NAME="A") and not nodes(g, L, NAME="gen")
    super_call = one(g, C, NAME="super")
    assert prop(g, super_call, "METHOD_FULL_NAME") == "<unresolved>.super"
    this_call = one(g, C, NAME="m")
    (receiver,) = out(g, this_call, EdgeKind.RECEIVER)
    assert prop(g, receiver, "NAME") == "this" and prop(g, receiver, "ARGUMENT_INDEX") == 0


def test_nested_classes_and_functions_full_names():
    g = g_of("""\
        function f() {
          class C { m() { function inner() {} return class {}; } }
          return new C();
        }
        const K = class Named {};
        """)
    c = one(g, TD, NAME="C")
    assert prop(g, c, "FULL_NAME") == "m.ts:f.C"
    assert prop(g, one(g, M, NAME="m"), "FULL_NAME") == "m.ts:f.C.m"
    assert prop(g, one(g, M, NAME="inner"), "FULL_NAME") == "m.ts:f.C.m.inner"
    anon = one(g, TD, NAME="<anonymous>")
    assert prop(g, anon, "FULL_NAME") == "m.ts:f.C.m.<anonymous>0"
    assert ast_parent(g, anon) == one(g, M, NAME="m")
    k = one(g, TD, NAME="K")  # a class expression takes its variable's name
    assert ast_parent(g, k) == one(g, M, NAME="<module>")
    trefs = nodes(g, NodeKind.TYPE_REF)
    assert [prop(g, t, "TYPE_FULL_NAME") for t in trefs] == ["m.ts:f.C.m.<anonymous>0", "m.ts:K"]
    new = one(g, C, NAME="C")
    assert prop(g, new, "METHOD_FULL_NAME") == "<unresolved>.new:C" and prop(g, new, "MODIFIERS") == ("new",)


def test_interfaces_type_aliases_enums_namespaces():
    g = g_of("""\
        export interface Props<T> extends Base, Other<T> { name: string; readonly id?: number; run(a: T, b: string): void; go(); }
        type Handler<T> = (x: T) =>
            void;
        enum Color { Red, Green = 2, "Blue" = Green + 1 }
        const enum Flag { A }
        namespace NS.Inner { export const v = 1; export function helper() { return v; } }
        declare module "ext" { }
        declare const g: number;
        """)
    props = one(g, TD, NAME="Props")
    assert prop(g, props, "MODIFIERS") == ("interface", "export")
    assert prop(g, props, "INHERITS_FROM_TYPE_FULL_NAME") == ("Base", "Other<T>")
    members = ast_children(g, props)
    assert names(g, members) == ["name", "id", "run", "go"]
    assert prop(g, members[0], "TYPE_FULL_NAME") == "string"
    assert prop(g, members[1], "MODIFIERS") == ("readonly", "optional")
    assert prop(g, members[2], "MODIFIERS") == ("method",)
    assert prop(g, members[2], "TYPE_FULL_NAME") == "(a: T, b: string) => void"
    assert prop(g, members[3], "TYPE_FULL_NAME") == "() => any"
    alias = one(g, TD, NAME="Handler")
    assert prop(g, alias, "MODIFIERS") == ("alias",)
    assert prop(g, alias, "ALIAS_TYPE_FULL_NAME") == "(x: T) => void"
    color = one(g, TD, NAME="Color")
    assert prop(g, color, "MODIFIERS") == ("enum",)
    assert names(g, ast_children(g, color)) == ["Red", "Green", "Blue"]
    blue = ast_children(g, color)[2]
    (init,) = ast_children(g, blue)
    assert prop(g, init, "NAME") == Op.BINARY["+"]
    assert prop(g, one(g, TD, NAME="Flag"), "MODIFIERS") == ("enum", "const")
    ns = one(g, TD, NAME="NS.Inner")
    assert prop(g, ns, "MODIFIERS") == ("namespace",)
    assert prop(g, one(g, M, NAME="helper"), "FULL_NAME") == "m.ts:NS.Inner.helper"
    (ns_block,) = ast_children(g, ns)
    v_read = next(n for n in nodes(g, I, NAME="v") if not prop(g, n, "IS_WRITE"))
    assert ast_parent(g, ref(g, v_read)) == ns_block
    assert prop(g, one(g, TD, NAME="ext"), "MODIFIERS") == ("namespace", "declare")
    assert prop(g, one(g, L, NAME="g"), "TYPE_FULL_NAME") == "number"
    for name in ("Props", "Handler", "Color", "NS"):
        assert nodes(g, L, NAME=name), name


def test_generics_are_text_only():
    g = g_of("function id<T extends object>(x: T): Map<string, T> { return new Map<string, T>(); }\n")
    x = one(g, P, NAME="x")
    assert prop(g, x, "TYPE_FULL_NAME") == "T"
    assert prop(g, ast_children(g, one(g, M, NAME="id"))[-1], "TYPE_FULL_NAME") == "Map<string, T>"
    assert prop(g, one(g, C, NAME="Map"), "METHOD_FULL_NAME") == "<unresolved>.new:Map"
    assert not nodes(g, I, NAME="T") and not nodes(g, I, NAME="string")


# ---------------------------------------------------------------------------------- statements
def test_variable_declarations_and_scoping():
    g = g_of("""\
        let u: string;
        var v = 1, w;
        function f() { return later + v; }
        const later = 2;
        undeclared = 3;
        """)
    u = one(g, L, NAME="u")
    assert prop(g, u, "TYPE_FULL_NAME") == "string"
    assert not any(ref(g, n) == u for n in nodes(g, I))  # no initializer: just the LOCAL
    assert nodes(g, L, NAME="w")
    later_read = next(n for n in nodes(g, I, NAME="later") if not prop(g, n, "IS_WRITE"))
    assert ref(g, later_read) == one(g, L, NAME="later")  # use before definition binds
    glob = one(g, I, NAME="undeclared")
    assert prop(g, glob, "IS_WRITE") is True and ref(g, glob) is None and not nodes(g, L, NAME="undeclared")


def test_destructuring_and_spread():
    g = g_of("""\
        const {a, b: c, d = 1, ...rest} = o;
        const [x, , y = 2, ...zs] = arr;
        [x, y] = [y, x];
        f(...zs, 1);
        """)
    top = [c for c in op_calls(g, Op.ASSIGNMENT) if ast_parent(g, c) == module_block(g)]
    first, second, swap = top
    pattern, source = args(g, first)
    assert prop(g, source, "NAME") == "o"
    assert prop(g, pattern, "NAME") == Op.OBJECT_LITERAL
    items = args(g, pattern)
    assert [g.nodes[n][Prop.KIND] for n in items] == [I, C, C, C]
    assert names(g, items) == ["a", Op.KEY_VALUE, Op.ASSIGNMENT, Op.SPREAD]
    key, c_target = args(g, items[1])
    assert prop(g, key, "CODE") == "b" and prop(g, c_target, "NAME") == "c" and prop(g, c_target, "IS_WRITE")
    d_target, default = args(g, items[2])
    assert prop(g, d_target, "IS_WRITE") and prop(g, default, "CODE") == "1"
    (rest,) = args(g, items[3])
    assert prop(g, rest, "NAME") == "rest" and prop(g, rest, "IS_WRITE")
    for name in ("a", "c", "d", "rest", "x", "y", "zs"):
        local = one(g, L, NAME=name)
        writes = [n for n in nodes(g, I, NAME=name) if prop(g, n, "IS_WRITE")]
        assert writes and all(ref(g, n) == local for n in writes), name
    tup = args(g, second)[0]
    assert prop(g, tup, "NAME") == Op.TUPLE_LITERAL
    assert names(g, args(g, tup)) == ["x", Op.ASSIGNMENT, Op.SPREAD]  # the hole is skipped
    target, value = args(g, swap)
    assert all(prop(g, n, "IS_WRITE") for n in args(g, target))
    assert prop(g, value, "NAME") == Op.LIST_LITERAL and not any(prop(g, n, "IS_WRITE") for n in args(g, value))
    call = one(g, C, NAME="f")
    spread, lit = args(g, call)
    assert prop(g, spread, "NAME") == Op.SPREAD and prop(g, lit, "ARGUMENT_INDEX") == 2


def test_assignments_compound_and_update():
    g = g_of("x = 1; x += 2; x ??= 3; x ||= 4; x &&= 5; x **= 6; i++; --j; o.n++;\n")
    calls = [c for c in nodes(g, C) if ast_parent(g, c) == module_block(g)]
    assert names(g, calls) == [
        Op.ASSIGNMENT, "<operator>.assignmentAddition", "<operator>.assignmentNullishCoalescing",
        "<operator>.assignmentLogicalOr", "<operator>.assignmentLogicalAnd", "<operator>.assignmentExponentiation",
        "<operator>.increment", "<operator>.decrement", "<operator>.increment",
    ]
    for call in calls[1:8]:
        target = args(g, call)[0]
        assert g.nodes[target][Prop.KIND] == I and prop(g, target, "IS_WRITE") is True
    field = args(g, calls[8])[0]
    assert prop(g, field, "NAME") == Op.FIELD_ACCESS and prop(g, field, "IS_WRITE") is True


def test_if_else_chain_while_do():
    g = g_of("""\
        if (a) b(); else if (c) { d(); } else e();
        while (k < 3) { k++; }
        do { k--; } while (k);
        """)
    inner, outer = nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.IF)  # built bottom-up
    cond, then, other = ast_children(g, outer)
    assert prop(g, cond, "NAME") == "a"
    assert g.nodes[then][Prop.KIND] == B and names(g, ast_children(g, then)) == ["b"]
    assert other == inner
    cond, then, other = ast_children(g, inner)
    assert prop(g, cond, "NAME") == "c" and names(g, ast_children(g, other)) == ["e"]
    wh = one(g, CS, CONTROL_STRUCTURE_TYPE=Control.WHILE)
    cond, body = ast_children(g, wh)
    assert prop(g, cond, "NAME") == Op.BINARY["<"] and g.nodes[body][Prop.KIND] == B
    do = one(g, CS, CONTROL_STRUCTURE_TYPE=Control.DO)
    body, cond = ast_children(g, do)
    assert g.nodes[body][Prop.KIND] == B and prop(g, cond, "NAME") == "k"


def test_c_style_for_loops():
    g = g_of("for (let i = 0, j = 1; i < n; i++, j--) { use(i); }\nfor (;;) { break; }\n")
    full, empty = nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.FOR)
    init, cond, update, body = ast_children(g, full)
    assert g.nodes[init][Prop.KIND] == B and names(g, ast_children(g, init)) == [Op.ASSIGNMENT, Op.ASSIGNMENT]
    assert prop(g, cond, "NAME") == Op.BINARY["<"]
    assert prop(g, update, "NAME") == "<operator>.sequence"
    assert names(g, ast_children(g, body)) == ["use"]
    init, cond, update, body = ast_children(g, empty)
    assert [ast_children(g, n) for n in (init, cond, update)] == [[], [], []]
    assert kinds(g, [init, cond, update]) == [B, B, B]
    assert prop(g, ast_children(g, body)[0], "CONTROL_STRUCTURE_TYPE") == Control.BREAK


def test_for_of_in_and_await():
    g = g_of("""\
        for (const x of xs) { x; }
        for (k in o) ;
        async function f() { for await (const [a, b] of pairs) {} }
        """)
    of, forin, aw = nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.FOR_EACH)
    iterable, target, body = ast_children(g, of)
    assert prop(g, iterable, "NAME") == "xs"
    assert prop(g, target, "NAME") == "x" and prop(g, target, "IS_WRITE") is True
    assert ref(g, target) == one(g, L, NAME="x") and prop(g, of, "MODIFIERS") is None
    assert g.nodes[body][Prop.KIND] == B
    iterable, target, body = ast_children(g, forin)
    assert prop(g, forin, "MODIFIERS") == ("in",)
    assert prop(g, target, "IS_WRITE") is True and not nodes(g, L, NAME="k")  # not declared
    assert prop(g, aw, "MODIFIERS") == ("await",)
    target = ast_children(g, aw)[1]
    assert prop(g, target, "NAME") == Op.TUPLE_LITERAL
    f_body = ast_children(g, one(g, M, NAME="f"))[0]
    assert ast_parent(g, one(g, L, NAME="a")) == f_body


def test_switch_cases_fall_through_in_order():
    g = g_of("switch (x) { case 1: case 2: f(); break; default: g(); }\n")
    sw = one(g, CS, CONTROL_STRUCTURE_TYPE=Control.SWITCH)
    subject, *cases = ast_children(g, sw)
    assert prop(g, subject, "NAME") == "x"
    assert [prop(g, c, "CONTROL_STRUCTURE_TYPE") for c in cases] == [Control.CASE] * 3
    one_case = ast_children(g, cases[0])
    assert prop(g, one_case[0], "CODE") == "1" and ast_children(g, one_case[1]) == []
    test, body = ast_children(g, cases[1])
    assert names(g, ast_children(g, body)) == ["f", None]
    (default_body,) = ast_children(g, cases[2])
    assert names(g, ast_children(g, default_body)) == ["g"]


def test_try_catch_finally_and_throw():
    g = g_of("""\
        try { risky(); } catch (e: unknown) { throw e; } finally { done(); }
        try { } catch { }
        try { } catch ({message}) { message; }
        """)
    t1, t2, t3 = nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.TRY)
    body, catch, fin = ast_children(g, t1)
    assert g.nodes[body][Prop.KIND] == B
    assert prop(g, catch, "CONTROL_STRUCTURE_TYPE") == Control.CATCH
    binding, handler = ast_children(g, catch)
    assert prop(g, binding, "NAME") == "e" and prop(g, binding, "IS_WRITE") is True
    e_local = one(g, L, NAME="e")
    assert ref(g, binding) == e_local and prop(g, e_local, "TYPE_FULL_NAME") == "unknown"
    (throw,) = ast_children(g, handler)
    assert prop(g, throw, "CONTROL_STRUCTURE_TYPE") == Control.THROW
    assert ref(g, ast_children(g, throw)[0]) == e_local
    assert prop(g, fin, "CONTROL_STRUCTURE_TYPE") == Control.FINALLY
    assert names(g, ast_children(g, ast_children(g, fin)[0])) == ["done"]
    _, catch2 = ast_children(g, t2)
    assert kinds(g, ast_children(g, catch2)) == [B]  # no binding
    _, catch3 = ast_children(g, t3)
    pattern, _ = ast_children(g, catch3)
    assert prop(g, pattern, "NAME") == Op.OBJECT_LITERAL and nodes(g, L, NAME="message")


def test_labels_break_continue_return():
    g = g_of("function f() { outer: for (;;) { if (a) break outer; continue outer; } return; }\n")
    assert nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.BREAK)
    assert nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.CONTINUE)
    body = ast_children(g, one(g, M, NAME="f"))[0]
    loop, ret = ast_children(g, body)
    assert prop(g, loop, "CONTROL_STRUCTURE_TYPE") == Control.FOR
    assert g.nodes[ret][Prop.KIND] == NodeKind.RETURN and ast_children(g, ret) == []


# ---------------------------------------------------------------------------------- imports & exports
def test_import_forms():
    g = g_of("""\
        import React from 'react';
        import * as fs from 'fs';
        import d, {helper as h, type T, plain} from './util';
        import type {U} from './types';
        import x2 = require('m');
        import './side';
        React; h; fs;
        """)
    imports = nodes(g, IMP)
    got = [(prop(g, n, "IMPORTED_ENTITY"), prop(g, n, "IMPORTED_AS"), prop(g, n, "MODIFIERS")) for n in imports]
    assert got == [
        ("react:default", "React", None),
        ("fs:*", "fs", None),
        ("./util:default", "d", None),
        ("./util:helper", "h", None),
        ("./util:T", "T", ("type",)),
        ("./util:plain", "plain", None),
        ("./types:U", "U", ("type",)),
        ("m:*", "x2", ("require",)),
        ("./side:*", "", None),
    ]
    assert all(ast_parent(g, n) == module_block(g) for n in imports)
    for name in ("React", "fs", "h"):
        assert ref(g, one(g, I, NAME=name)) == one(g, L, NAME=name)
    assert prop(g, one(g, IMP, IMPORTED_AS="h"), "LINE_NUMBER") == 3


def test_commonjs_require_is_a_call_and_an_import():
    g = g_of("const express = require('express');\nconst {join, resolve: r} = require('path');\n", "m.js")
    imports = nodes(g, IMP)
    got = [(prop(g, n, "IMPORTED_ENTITY"), prop(g, n, "IMPORTED_AS"), prop(g, n, "MODIFIERS")) for n in imports]
    assert got == [("express:*", "express", ("require",)), ("path:join", "join", ("require",)),
                   ("path:resolve", "r", ("require",))]
    stmts = statements(g, module_block(g))
    assert kinds(g, stmts) == [IMP, C, IMP, IMP, C]
    target, value = args(g, stmts[1])
    assert prop(g, value, "NAME") == "require" and prop(g, value, "METHOD_FULL_NAME") == "<unresolved>.require"


def test_export_forms_and_reexports():
    g = g_of("""\
        export function f() {}
        export default class {}
        export const k = 1;
        export {k as kk};
        export {a as b} from './m';
        export * from './all';
        export * as ns from './ns';
        export type {T} from './t';
        """)
    assert prop(g, one(g, M, NAME="f"), "MODIFIERS") == ("export",)
    default = one(g, TD, NAME="default")
    assert prop(g, default, "MODIFIERS") == ("class", "export", "default")
    assert prop(g, default, "FULL_NAME") == "m.ts:default"
    assert nodes(g, L, NAME="k")
    got = [(prop(g, n, "IMPORTED_ENTITY"), prop(g, n, "IMPORTED_AS"), prop(g, n, "MODIFIERS")) for n in nodes(g, IMP)]
    assert got == [("./m:a", "b", ("reexport",)), ("./all:*", "", ("reexport",)), ("./ns:*", "ns", ("reexport",)),
                   ("./t:T", "T", ("reexport",))]
    assert not nodes(g, L, NAME="b")  # re-exports bind nothing locally
    g2 = g_of("export default (req) => req;\n")
    fn = one(g2, M, NAME="default")
    assert prop(g2, fn, "MODIFIERS") == ("arrow", "export", "default")
    assert ast_parent(g2, fn) == module_block(g2)


# ---------------------------------------------------------------------------------- expressions
def test_calls_method_calls_and_receivers():
    g = g_of("f(a, b); obj.m(x); a.b().c(1).d(); getFn()(2); super.run(); import('mod');\n", "m.js")
    f = one(g, C, NAME="f")
    assert prop(g, f, "METHOD_FULL_NAME") == "<unresolved>.f"
    assert names(g, args(g, f)) == ["a", "b"] and out(g, f, EdgeKind.RECEIVER) == []
    assert not [n for n in nodes(g, I, NAME="f")]  # the callee name is not an IDENTIFIER
    m = one(g, C, NAME="m")
    assert prop(g, m, "METHOD_FULL_NAME") == "<unresolved>.m"
    receiver, x = args(g, m)
    assert prop(g, receiver, "NAME") == "obj" and prop(g, receiver, "ARGUMENT_INDEX") == 0
    assert out(g, m, EdgeKind.RECEIVER) == [receiver] and prop(g, x, "ARGUMENT_INDEX") == 1
    d = one(g, C, NAME="d")
    (c,) = out(g, d, EdgeKind.RECEIVER)
    assert prop(g, c, "NAME") == "c"
    (b,) = out(g, c, EdgeKind.RECEIVER)
    assert prop(g, b, "NAME") == "b"
    (a,) = out(g, b, EdgeKind.RECEIVER)
    assert prop(g, a, "NAME") == "a" and g.nodes[a][Prop.KIND] == I
    dyn = one(g, C, NAME="<dynamic>")
    (callee,) = out(g, dyn, EdgeKind.RECEIVER)
    assert prop(g, callee, "NAME") == "getFn"
    run = one(g, C, NAME="run")
    assert prop(g, out(g, run, EdgeKind.RECEIVER)[0], "NAME") == "super"
    assert one(g, C, NAME="import")


def test_optional_chaining_and_member_access():
    g = g_of("a?.b; a.b.c; a?.m(); f?.(1); a[i]; a?.[j]; a.b!.c;\n")
    (opt,) = op_calls(g, Op.OPTIONAL_FIELD_ACCESS)
    obj, field = args(g, opt)
    assert prop(g, obj, "NAME") == "a" and g.nodes[field][Prop.KIND] == NodeKind.FIELD_IDENTIFIER
    assert prop(g, field, "NAME") == "b"
    assert prop(g, one(g, C, NAME="m"), "MODIFIERS") == ("optional",)
    assert prop(g, one(g, C, NAME="f"), "MODIFIERS") == ("optional",)
    plain, optional = op_calls(g, Op.INDEX_ACCESS)
    assert names(g, args(g, plain)) == ["a", "i"] and prop(g, optional, "MODIFIERS") == ("optional",)
    (nonnull,) = op_calls(g, Op.CAST)
    assert prop(g, nonnull, "TYPE_FULL_NAME") == "" and prop(g, nonnull, "MODIFIERS") == ("nonNull",)


def test_new_expressions():
    g = g_of("new Foo(1, x); new ns.Bar; new (factory())();\n")
    foo = one(g, C, NAME="Foo")
    assert prop(g, foo, "METHOD_FULL_NAME") == "<unresolved>.new:Foo" and prop(g, foo, "MODIFIERS") == ("new",)
    assert [prop(g, n, "ARGUMENT_INDEX") for n in args(g, foo)] == [1, 2]
    assert out(g, foo, EdgeKind.RECEIVER) == []
    bar = one(g, C, NAME="ns.Bar")
    assert prop(g, bar, "METHOD_FULL_NAME") == "<unresolved>.new:ns.Bar" and args(g, bar) == []
    dyn = one(g, C, NAME="<dynamic>")
    assert prop(g, dyn, "MODIFIERS") == ("new",)
    assert prop(g, out(g, dyn, EdgeKind.RECEIVER)[0], "NAME") == "factory"


def test_operators_literals_templates_casts():
    g = g_of("""\
        a === b && c instanceof D || 'k' in o ?? z;
        !x; typeof y; -n; void 0; delete o.p;
        cond ? 1 : 2;
        [1, 'two', true, null, undefined, /re/g, 10n, 1.5];
        `hi ${name} and ${other}`; `plain`;
        tag`x${y}`;
        (v as T); <U>w; q satisfies R; (s, t, u);
        """)
    for op in ("===", "&&", "instanceof", "||", "in", "??"):
        assert op_calls(g, Op.BINARY[op]), op
    for op in ("!", "typeof", "-", "void", "delete"):
        assert op_calls(g, Op.UNARY[op]), op
    (cond,) = op_calls(g, Op.CONDITIONAL)
    assert [prop(g, n, "CODE") for n in args(g, cond)] == ["cond", "1", "2"]
    (arr,) = op_calls(g, Op.LIST_LITERAL)
    assert [prop(g, n, "TYPE_FULL_NAME") for n in args(g, arr)] == [
        "number", "string", "boolean", "null", "undefined", "RegExp", "bigint", "number"]
    assert kinds(g, args(g, arr)) == [LIT] * 8
    fmt = next(c for c in op_calls(g, Op.FORMAT_STRING) if prop(g, c, "LINE_NUMBER") == 5)
    assert names(g, args(g, fmt)) == ["name", "other"]
    assert one(g, LIT, CODE="`plain`")
    tag = one(g, C, NAME="tag")
    (tmpl,) = args(g, tag)
    assert prop(g, tmpl, "NAME") == Op.FORMAT_STRING
    casts = op_calls(g, Op.CAST)
    assert [prop(g, c, "TYPE_FULL_NAME") for c in casts] == ["T", "U", "R"]
    assert prop(g, casts[2], "MODIFIERS") == ("satisfies",)
    (seq,) = op_calls(g, "<operator>.sequence")
    assert names(g, args(g, seq)) == ["s", "t", "u"]


def test_this_is_unbound_and_positions():
    g = g_of("function f(a) {\n  return this.x + a;\n}\n")
    this = one(g, I, NAME="this")
    assert ref(g, this) is None
    a = next(n for n in nodes(g, I, NAME="a"))
    assert (prop(g, a, "LINE_NUMBER"), prop(g, a, "COLUMN_NUMBER")) == (2, 18)
    assert (prop(g, a, "LINE_NUMBER_END"), prop(g, a, "COLUMN_NUMBER_END")) == (2, 19)


# ---------------------------------------------------------------------------------- JSX and JS
def test_jsx_elements_are_calls():
    g = g_of("""\
        import Foo from './Foo';
        const el = <Foo a={x} b="s" disabled {...props}><div>hi {name}</div><X.Y /></Foo>;
        const fr = <></>;
        """, "m.tsx")
    jsx = nodes(g, C, NAME="<jsx>")
    foo = next(c for c in jsx if prop(g, c, "METHOD_FULL_NAME") == "<jsx>.Foo")
    tag, a, b, disabled, spread, div, xy = args(g, foo)
    assert g.nodes[tag][Prop.KIND] == I and ref(g, tag) == one(g, L, NAME="Foo")
    assert [prop(g, n, "ARGUMENT_NAME") for n in (a, b, disabled)] == ["a", "b", "disabled"]
    assert prop(g, a, "NAME") == "x" and prop(g, b, "TYPE_FULL_NAME") == "string"
    assert prop(g, disabled, "CODE") == "true"
    assert prop(g, spread, "NAME") == Op.SPREAD
    assert prop(g, div, "METHOD_FULL_NAME") == "<jsx>.div"
    div_tag, name = args(g, div)
    assert g.nodes[div_tag][Prop.KIND] == LIT and prop(g, name, "NAME") == "name"
    assert prop(g, xy, "METHOD_FULL_NAME") == "<jsx>.X.Y"
    assert prop(g, args(g, xy)[0], "NAME") == Op.FIELD_ACCESS
    assert any(prop(g, c, "METHOD_FULL_NAME") == "<jsx>" for c in jsx)  # fragment
    g2 = g_of("const App = () => <Button onClick={() => go()}>ok</Button>;\n", "m.jsx")
    assert prop(g2, one(g2, C, NAME="<jsx>"), "METHOD_FULL_NAME") == "<jsx>.Button"
    assert prop(g2, one(g2, M, NAME="<anonymous>"), "FULL_NAME") == "m.jsx:App.<anonymous>0"


def test_plain_javascript_classes_and_params():
    g = g_of("""\
        class A extends mixin(B) {
          x = 1;
          static y;
          #z;
          m(a, b = 2, ...c) { this.q = a; }
        }
        function f({p}, [r]) { return p + r; }
        """, "m.mjs")
    a = one(g, TD, NAME="A")
    assert prop(g, a, "INHERITS_FROM_TYPE_FULL_NAME") == ("mixin(B)",)
    assert names(g, ast_children(g, a)[:-1]) == ["x", "y", "#z", "q"]
    params = [n for n in ast_children(g, one(g, M, NAME="m")) if g.nodes[n][Prop.KIND] == P]
    assert names(g, params) == ["a", "b", "c"]
    assert prop(g, params[1], "DEFAULT_VALUE") == "2" and prop(g, params[2], "IS_VARIADIC") is True
    assert names(g, nodes(g, P, INDEX=0)) == ["a", "{p}"]
    for path in ("m.js", "m.cjs"):
        assert g_of("module.exports = { run() {} };\nexports.go = function () {};\n", path)


# ---------------------------------------------------------------------------------- robustness
def test_non_ascii_identifiers_and_emoji():
    g = g_of('const größe = "😀 ünïcode";\nconst 变量 = größe + "🎉"; // 💥\n')
    local = one(g, L, NAME="größe")
    read = next(n for n in nodes(g, I, NAME="größe") if not prop(g, n, "IS_WRITE"))
    assert ref(g, read) == local
    assert nodes(g, L, NAME="变量")
    (emoji,) = [n for n in nodes(g, LIT) if prop(g, n, "CODE") == '"😀 ünïcode"']
    assert prop(g, emoji, "TYPE_FULL_NAME") == "string"
    assert prop(g, read, "COLUMN_NUMBER") == len("const 变量 = ".encode())  # bytes


@pytest.mark.parametrize("path", ["m.ts", "m.tsx", "m.js"])
def test_syntax_errors_build_and_are_counted(path):
    code = "function f( {\n  const x = ;\n  if (x { y(); }\n}\nclass { m( }\nlet ok = 1;\n"
    fg, g = build(code, path)
    assert fg.parse_errors > 0
    assert prop(g, one(g, NodeKind.FILE), "PARSE_ERRORS") == fg.parse_errors
    assert nodes(g, M, NAME="<module>")


def test_every_prefix_of_a_realistic_file_builds():
    code = """\
import {a, b as c} from './x';
@dec() export class Svc<T> extends Base implements I {
  private cache = new Map<string, T>();
  constructor(private readonly http: Http, public n = 2) { super(); }
  async get(id: string): Promise<T | undefined> {
    const {data, ...rest} = await this.http.get(`/api/${id}`);
    for (const [k, v] of Object.entries(rest)) { this.cache.set(k, v as T); }
    switch (data?.kind) { case 'a': return data!; default: throw new Error('x'); }
  }
}
export const view = ({items}: Props) => <ul>{items.map(i => <li key={i.id}>{i.name}</li>)}</ul>;
"""
    for cut in range(0, len(code), 7):
        for path in ("m.ts", "m.tsx"):
            fg = build_ast(source_from_text(code[:cut], path))
            assert validate(fg.to_networkx()) == [], (cut, path)


def test_deep_nesting_becomes_unknown():
    depth = MAX_DEPTH + 200
    for code in ("x = " + "(" * depth + "1" + ")" * depth + ";\n",
                 "x = " + "[" * depth + "]" * depth + ";\n",
                 "{" * depth + "}" * depth + "\n",
                 "x = " + "{a: " * depth + "1" + "}" * depth + ";\n",
                 "const f = " + "() => " * depth + "1;\n",
                 "function f() { " * depth + "}" * depth + "\n",
                 "x = " + "a ? " * depth + "1" + " : 2" * depth + ";\n",
                 "a = " * 3000 + "1;\n",
                 "x = " + "!" * 3000 + "a;\n"):
        fg, g = build(code, "m.ts")
        assert nodes(g, NodeKind.UNKNOWN), code[:20]


def test_long_binary_chain_is_iterative():
    n = 10_000
    fg, g = build("x = " + "+".join(["a"] * n) + ";\n", "m.ts")
    adds = op_calls(g, Op.BINARY["+"])
    assert len(adds) == n - 1
    top = next(c for c in adds if prop(g, c, "ARGUMENT_INDEX") == 2)
    left, right = args(g, top)
    assert prop(g, left, "NAME") == Op.BINARY["+"] and prop(g, right, "NAME") == "a"
    assert len(nodes(g, I, NAME="a")) == n


def test_long_member_call_chain_is_iterative():
    n = 5_000
    fg, g = build("a" + "".join(f".m{i}()" for i in range(n)) + ";\n", "m.ts")
    assert len([c for c in nodes(g, C) if out(g, c, EdgeKind.RECEIVER)]) == n
    last = one(g, C, NAME=f"m{n - 1}")
    (receiver,) = out(g, last, EdgeKind.RECEIVER)
    assert prop(g, receiver, "NAME") == f"m{n - 2}"
    g2 = build("x = a" + ".b" * n + ";\n", "m.ts")[1]
    assert len(op_calls(g2, Op.FIELD_ACCESS)) == n


def test_long_else_if_chain_is_iterative():
    n = 2_000
    code = "if (x === 0) f(0);\n" + "".join(f"else if (x === {i}) f({i});\n" for i in range(1, n)) + "else g();\n"
    fg, g = build(code, "m.ts")
    ifs = nodes(g, CS, CONTROL_STRUCTURE_TYPE=Control.IF)
    assert len(ifs) == n
    assert sum(1 for i in ifs if len(ast_children(g, i)) == 3) == n


def test_speed_smoke():
    """Far below the budget measured in the report; catches accidental quadratic behaviour."""
    unit = """\
export class Store{i} extends Base {{
  private items: Map<string, Item> = new Map();
  constructor(private readonly api: Api) {{ super(); }}
  async load(id: string): Promise<Item | undefined> {{
    const {{data, status}} = await this.api.get(`/items/${{id}}`, {{ retries: 3 }});
    if (status !== 200) {{ throw new Error('bad ' + status); }}
    for (const item of data.items ?? []) {{ this.items.set(item.id, {{ ...item, seen: true }}); }}
    return this.items.get(id);
  }}
}}
"""
    code = "".join(unit.format(i=i) for i in range(100))
    start = time.perf_counter()
    fg = build_ast(source_from_text(code, "m.ts"))
    elapsed = time.perf_counter() - start
    assert fg.loc == 1000 and fg.parse_errors == 0
    assert elapsed < 5.0


def test_file_graph_round_trip():
    fg = build_ast(source_from_text("const f = (x: number) => x * 2;\n", "m.ts"))
    g = fg.to_networkx()
    again = FileGraph.from_networkx(g, fg).to_networkx()
    assert sorted(g.nodes) == sorted(again.nodes)


def test_type_declarations_count_their_type_parameters_without_a_default():
    g = g_of("type Values<T extends string[], U = number> = { a: T };\n"
             "class Box<T = unknown> {}\ninterface Pair<K, V> {}\nclass Plain {}\n")
    required = {prop(g, n, "NAME"): prop(g, n, "REQUIRED_TYPE_PARAMETERS") for n in nodes(g, TD)}
    assert required == {"Values": 1, "Box": None, "Pair": 2, "Plain": None}
    assert prop(g, one(g, TD, NAME="Values"), "TYPE_PARAMETERS") == ("T", "U")
