"""Python front end, construct by construct: each test builds a graph from an inline snippet and
checks the nodes and edges the passes and the slicer rely on (kinds, names, argument order,
writes, REF targets, control-structure child order, imports, members, modifiers, positions).
Every snippet is also checked against the schema (`cpg_helpers.build` runs `validate`).
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

import pytest

from cpg_helpers import ast_children, ast_parent, build, kinds, nodes, one, out, prop
from typeinfer.cpg.frontends import python as pyfront
from typeinfer.cpg.schema import UNRESOLVED_PREFIX, Control, EdgeKind, NodeKind, Op


def py(code: str):
    return build(code, "pkg/m.py")[1]


def ref(g, ident: int) -> int | None:
    targets = out(g, ident, EdgeKind.REF)
    assert len(targets) <= 1
    return targets[0] if targets else None


def args(g, call: int) -> list[int]:
    """ARGUMENT children of a call in ARGUMENT_INDEX order (0 = receiver first)."""
    return sorted(out(g, call, EdgeKind.ARGUMENT), key=lambda a: prop(g, a, "ARGUMENT_INDEX"))


def names(g, ns: list[int]) -> list[str]:
    return [prop(g, n, "NAME") for n in ns]


def body(g, method: int) -> int:
    return next(c for c in ast_children(g, method) if prop(g, c, "kind") == NodeKind.BLOCK)


def statements(g, block: int) -> list[int]:
    return [c for c in ast_children(g, block) if prop(g, c, "kind") != NodeKind.LOCAL]


def control(g, ctype: Control) -> list[int]:
    return nodes(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=ctype)


# ------------------------------------------------------------------------- module and file
def test_module_method_holds_top_level_statements_and_locals():
    g = py("x = 1\nprint(x)\n")
    module = one(g, NodeKind.METHOD, NAME="<module>")
    assert prop(g, module, "FULL_NAME") == "pkg/m.py:<module>"
    assert prop(g, ast_parent(g, module), "kind") == NodeKind.NAMESPACE_BLOCK
    assert kinds(g, ast_children(g, module)) == [NodeKind.BLOCK, NodeKind.METHOD_RETURN]
    block = body(g, module)
    local = one(g, NodeKind.LOCAL, NAME="x")
    assert ast_parent(g, local) == block
    assign, call = statements(g, block)
    assert prop(g, assign, "NAME") == Op.ASSIGNMENT
    target, value = args(g, assign)
    assert prop(g, target, "IS_WRITE") is True and ref(g, target) == local
    assert (prop(g, value, "kind"), prop(g, value, "TYPE_FULL_NAME")) == (NodeKind.LITERAL, "int")
    assert prop(g, call, "NAME") == "print" and prop(g, call, "METHOD_FULL_NAME") == UNRESOLVED_PREFIX + "print"
    (arg,) = args(g, call)
    assert ref(g, arg) == local and prop(g, arg, "IS_WRITE") is None
    assert (prop(g, arg, "LINE_NUMBER"), prop(g, arg, "COLUMN_NUMBER")) == (2, 6)


def test_use_before_definition_binds_at_scope_close():
    g = py("def f():\n    return g()\ndef g():\n    return h\nh = 1\n")
    (h_read,) = nodes(g, NodeKind.IDENTIFIER, NAME="h", IS_WRITE=None)
    assert ref(g, h_read) == one(g, NodeKind.LOCAL, NAME="h")
    assert ast_parent(g, one(g, NodeKind.LOCAL, NAME="g")) == body(g, one(g, NodeKind.METHOD, NAME="<module>"))


# ------------------------------------------------------------------------- functions
def test_def_parameters_defaults_annotations_and_variadics():
    g = py("""
        D = 3
        def f(a, b: int = 2, /, *args: str, c, d=D, **kw) -> list[int]:
            return a
    """)
    f = one(g, NodeKind.METHOD, NAME="f")
    assert prop(g, f, "FULL_NAME") == "pkg/m.py:f"
    kids = ast_children(g, f)
    assert kinds(g, kids) == [NodeKind.METHOD_PARAMETER_IN] * 6 + [NodeKind.BLOCK, NodeKind.METHOD_RETURN]
    params = kids[:6]
    assert names(g, params) == ["a", "b", "args", "c", "d", "kw"]
    assert [prop(g, p, "INDEX") for p in params] == [0, 1, 2, 3, 4, 5]
    assert [prop(g, p, "TYPE_FULL_NAME") for p in params] == [None, "int", "str", None, None, None]
    assert [prop(g, p, "DEFAULT_VALUE") for p in params] == [None, "2", None, None, "D", None]
    assert [p for p in params if prop(g, p, "IS_VARIADIC")] == [params[2]]
    assert [p for p in params if prop(g, p, "IS_KEYWORD_VARIADIC")] == [params[5]]
    assert prop(g, kids[-1], "TYPE_FULL_NAME") == "list[int]"
    # the default is an AST child of its parameter, read in the enclosing (module) scope
    (default,) = ast_children(g, params[4])
    assert prop(g, default, "NAME") == "D" and ref(g, default) == one(g, NodeKind.LOCAL, NAME="D")
    (lit,) = ast_children(g, params[1])
    assert prop(g, lit, "TYPE_FULL_NAME") == "int"
    # the parameter sits on its name; the return slot on the parameter list when unannotated
    assert (prop(g, params[1], "LINE_NUMBER"), prop(g, params[1], "COLUMN_NUMBER")) == (3, 9)
    assert prop(g, params[1], "CODE") == "b: int = 2"
    (ret,) = nodes(g, NodeKind.RETURN)
    (a_read,) = ast_children(g, ret)
    assert ref(g, a_read) == params[0]
    # the def binds its name in the enclosing scope
    assert ast_parent(g, one(g, NodeKind.LOCAL, NAME="f")) == body(g, one(g, NodeKind.METHOD, NAME="<module>"))
    assert f in statements(g, body(g, one(g, NodeKind.METHOD, NAME="<module>")))


def test_unannotated_return_slot_ends_where_the_annotation_goes():
    g = py("def f(x):\n    pass\n")
    ret = one(g, NodeKind.METHOD_RETURN, TYPE_FULL_NAME=None, LINE_NUMBER=1)
    assert (prop(g, ret, "COLUMN_NUMBER"), prop(g, ret, "COLUMN_NUMBER_END")) == (5, 8)


def test_nested_functions_full_names_and_closure_reads():
    g = py("""
        def outer(x):
            def inner(y):
                return x + y
            return inner
    """)
    inner = one(g, NodeKind.METHOD, NAME="inner")
    assert prop(g, inner, "FULL_NAME") == "pkg/m.py:outer.inner"
    outer = one(g, NodeKind.METHOD, NAME="outer")
    assert inner in statements(g, body(g, outer))
    x_param = one(g, NodeKind.METHOD_PARAMETER_IN, NAME="x")
    (x_read,) = nodes(g, NodeKind.IDENTIFIER, NAME="x")
    assert ref(g, x_read) == x_param
    (inner_read,) = nodes(g, NodeKind.IDENTIFIER, NAME="inner")
    assert ref(g, inner_read) == one(g, NodeKind.LOCAL, NAME="inner")


def test_async_def_await_and_generator_modifiers():
    g = py("""
        async def fetch(s):
            r = await s.get(1)
            return r
        def gen():
            yield 1
            yield from other()
            def nested():
                pass
        def not_gen():
            def inner():
                yield 1
    """)
    assert prop(g, one(g, NodeKind.METHOD, NAME="fetch"), "MODIFIERS") == ("async",)
    assert prop(g, one(g, NodeKind.METHOD, NAME="gen"), "MODIFIERS") == ("generator",)
    assert prop(g, one(g, NodeKind.METHOD, NAME="nested"), "MODIFIERS") is None
    assert prop(g, one(g, NodeKind.METHOD, NAME="not_gen"), "MODIFIERS") is None
    assert prop(g, one(g, NodeKind.METHOD, NAME="inner"), "MODIFIERS") == ("generator",)
    aw = one(g, NodeKind.CALL, NAME=Op.AWAIT)
    (get,) = args(g, aw)
    assert prop(g, get, "NAME") == "get"
    assert len(nodes(g, NodeKind.CALL, NAME=Op.YIELD)) == 2
    (yf,) = nodes(g, NodeKind.CALL, NAME=Op.YIELD_FROM)
    assert names(g, args(g, yf)) == ["other"]
    g = py("async def agen():\n    yield 1\n")
    assert prop(g, one(g, NodeKind.METHOD, NAME="agen"), "MODIFIERS") == ("async", "generator")


def test_decorators_are_text_and_set_modifiers():
    g = py("""
        import abc
        class C:
            @staticmethod
            def s(x): pass
            @classmethod
            def c(cls): pass
            @property
            def p(self): return 1
            @p.setter
            def p(self, v): pass
            @abc.abstractmethod
            def a(self): pass
            @app.route("/x", methods=["GET"])
            def r(self): pass
    """)
    def mods(name):
        return [prop(g, m, "MODIFIERS") for m in nodes(g, NodeKind.METHOD, NAME=name)]
    assert mods("s") == [("method", "staticmethod")]
    assert mods("c") == [("method", "classmethod")]
    assert mods("p") == [("method", "property"), ("method", "property")]
    assert mods("a") == [("method", "abstract")]
    r = one(g, NodeKind.METHOD, NAME="r")
    assert prop(g, r, "DECORATORS") == ('app.route("/x", methods=["GET"])',)
    assert prop(g, r, "MODIFIERS") == ("method",)
    # decorator expressions are not nodes: METHOD children stay parameters, BLOCK, METHOD_RETURN
    assert kinds(g, ast_children(g, r)) == [NodeKind.METHOD_PARAMETER_IN, NodeKind.BLOCK, NodeKind.METHOD_RETURN]
    assert nodes(g, NodeKind.IDENTIFIER, NAME="app") == []
    # the METHOD starts at `def`, not at the decorator
    assert prop(g, r, "LINE_NUMBER") == 15


def test_docstring_stays_a_literal_statement():
    g = py('def f():\n    """Doc."""\n    return 1\n')
    first = statements(g, body(g, one(g, NodeKind.METHOD, NAME="f")))[0]
    assert (prop(g, first, "kind"), prop(g, first, "TYPE_FULL_NAME")) == (NodeKind.LITERAL, "str")


# ------------------------------------------------------------------------- classes
def test_class_members_from_body_and_self_assignments():
    g = py("""
        class Point(Base, Generic[T], metaclass=Meta):
            dims: int = 2
            origin = None
            label: str
            def __init__(self, x: float):
                self.x = x
                self.y: float = 0.0
                self.x = 2
                other.z = 1
                self.pair, self.w = 1, 2
            def move(self):
                self.moved = True
                self.x += 1
    """)
    cls = one(g, NodeKind.TYPE_DECL, NAME="Point")
    assert prop(g, cls, "FULL_NAME") == "pkg/m.py:Point"
    assert prop(g, cls, "INHERITS_FROM_TYPE_FULL_NAME") == ("Base", "Generic[T]")
    assert prop(g, cls, "MODIFIERS") == ("class",)
    members = [c for c in ast_children(g, cls) if prop(g, c, "kind") == NodeKind.MEMBER]
    assert names(g, members) == ["dims", "origin", "label", "x", "y", "pair", "w", "moved"]
    types = {prop(g, m, "NAME"): prop(g, m, "TYPE_FULL_NAME") for m in members}
    assert types == {"dims": "int", "origin": None, "label": "str", "x": None, "y": "float",
                     "pair": None, "w": None, "moved": None}
    x = members[3]
    assert (prop(g, x, "LINE_NUMBER"), prop(g, x, "COLUMN_NUMBER")) == (7, 8)
    # class body: a BLOCK child of the TYPE_DECL, methods are METHOD statements in it
    block = ast_children(g, cls)[-1]
    assert prop(g, block, "kind") == NodeKind.BLOCK
    init = one(g, NodeKind.METHOD, NAME="__init__")
    assert prop(g, init, "FULL_NAME") == "pkg/m.py:Point.__init__"
    assert prop(g, init, "MODIFIERS") == ("method",)
    assert ast_parent(g, init) == block
    # class-level names are LOCALs of the class body (annotation-only too, with its type)
    assert prop(g, one(g, NodeKind.LOCAL, NAME="label"), "TYPE_FULL_NAME") == "str"
    assert ast_parent(g, one(g, NodeKind.LOCAL, NAME="label")) == block
    # the self.x write is a written fieldAccess on the parameter
    (fa,) = [c for c in nodes(g, NodeKind.CALL, NAME=Op.FIELD_ACCESS, IS_WRITE=True, LINE_NUMBER=7)]
    obj, field = ast_children(g, fa)
    assert ref(g, obj) == one(g, NodeKind.METHOD_PARAMETER_IN, NAME="self", LINE_NUMBER=6)
    assert prop(g, field, "NAME") == "x"


def test_class_body_loop_targets_are_members_but_comprehension_targets_are_not():
    g = py("""
        class K:
            names = [n.upper() for n in RAW]
            for i in range(3):
                pass
    """)
    k = one(g, NodeKind.TYPE_DECL, NAME="K")
    assert names(g, [c for c in ast_children(g, k) if prop(g, c, "kind") == NodeKind.MEMBER]) == ["names", "i"]


def test_class_scope_is_not_visible_from_methods():
    g = py("""
        y = 0
        class C:
            y = 1
            z = y
            def m(self):
                return y
    """)
    module_y = one(g, NodeKind.LOCAL, NAME="y", LINE_NUMBER=2)
    class_y = one(g, NodeKind.LOCAL, NAME="y", LINE_NUMBER=4)
    z_value = one(g, NodeKind.IDENTIFIER, NAME="y", LINE_NUMBER=5)
    assert ref(g, z_value) == class_y
    assert ref(g, one(g, NodeKind.IDENTIFIER, NAME="y", LINE_NUMBER=7)) == module_y


def test_nested_classes_full_names_and_modifiers():
    g = py("""
        from dataclasses import dataclass
        import enum, abc
        class Outer:
            class Inner:
                def method(self):
                    pass
        @dataclass(frozen=True)
        class D:
            a: int
        class Color(enum.Enum):
            RED = 1
            GREEN = 2
        class TD(TypedDict, total=False):
            k: str
        class P(Protocol[T]): pass
        class NT(NamedTuple): pass
        class A(abc.ABC): pass
        class M(metaclass=abc.ABCMeta): pass
    """)
    assert prop(g, one(g, NodeKind.TYPE_DECL, NAME="Inner"), "FULL_NAME") == "pkg/m.py:Outer.Inner"
    assert prop(g, one(g, NodeKind.METHOD, NAME="method"), "FULL_NAME") == "pkg/m.py:Outer.Inner.method"
    # a nested class binds its name in the class body but is not a MEMBER
    assert nodes(g, NodeKind.MEMBER, NAME="Inner") == []
    mods = {prop(g, t, "NAME"): prop(g, t, "MODIFIERS") for t in nodes(g, NodeKind.TYPE_DECL)}
    assert mods == {"Outer": ("class",), "Inner": ("class",), "D": ("class", "dataclass"),
                    "Color": ("class", "enum"), "TD": ("class", "typeddict"), "P": ("class", "protocol"),
                    "NT": ("class", "namedtuple"), "A": ("class", "abstract"), "M": ("class", "abstract")}
    assert prop(g, one(g, NodeKind.TYPE_DECL, NAME="D"), "DECORATORS") == ("dataclass(frozen=True)",)
    assert prop(g, one(g, NodeKind.TYPE_DECL, NAME="TD"), "INHERITS_FROM_TYPE_FULL_NAME") == ("TypedDict",)
    assert prop(g, one(g, NodeKind.TYPE_DECL, NAME="M"), "INHERITS_FROM_TYPE_FULL_NAME") == ()
    color = one(g, NodeKind.TYPE_DECL, NAME="Color")
    enum_members = [c for c in ast_children(g, color) if prop(g, c, "kind") == NodeKind.MEMBER]
    assert names(g, enum_members) == ["RED", "GREEN"]
    assert names(g, [c for c in ast_children(g, one(g, NodeKind.TYPE_DECL, NAME="D"))
                     if prop(g, c, "kind") == NodeKind.MEMBER]) == ["a"]


def test_type_alias_statement():
    g = py("type Vec = list[float]\n")
    alias = one(g, NodeKind.TYPE_DECL, NAME="Vec")
    assert prop(g, alias, "ALIAS_TYPE_FULL_NAME") == "list[float]"
    assert prop(g, alias, "MODIFIERS") == ("alias",)
    one(g, NodeKind.LOCAL, NAME="Vec")


# ------------------------------------------------------------------------- lambdas
def test_lambdas_are_methods_under_the_enclosing_method():
    g = py("""
        k = 10
        def f(xs):
            a = lambda x, y=k: x + y
            return sorted(xs, key=lambda v: (lambda: v)())
        g = lambda: k
    """)
    f = one(g, NodeKind.METHOD, NAME="f")
    module = one(g, NodeKind.METHOD, NAME="<module>")
    full = sorted(prop(g, m, "FULL_NAME") for m in nodes(g, NodeKind.METHOD) if prop(g, m, "NAME").startswith("<lambda>"))
    assert full == ["pkg/m.py:<lambda>0", "pkg/m.py:f.<lambda>0", "pkg/m.py:f.<lambda>1",
                    "pkg/m.py:f.<lambda>1.<lambda>0"]
    lam0 = one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:f.<lambda>0")
    assert ast_parent(g, lam0) == f
    assert ast_parent(g, one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:<lambda>0")) == module
    assert ast_parent(g, one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:f.<lambda>1.<lambda>0")) == \
        one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:f.<lambda>1")
    assert prop(g, lam0, "MODIFIERS") == ("lambda",)
    params = ast_children(g, lam0)[:2]
    assert names(g, params) == ["x", "y"] and prop(g, params[1], "DEFAULT_VALUE") == "k"
    (default,) = ast_children(g, params[1])
    assert ref(g, default) == one(g, NodeKind.LOCAL, NAME="k")  # evaluated outside the lambda
    block = body(g, lam0)
    (ret,) = ast_children(g, block)
    (add,) = ast_children(g, ret)
    assert prop(g, ret, "kind") == NodeKind.RETURN and prop(g, add, "NAME") == Op.BINARY["+"]
    assert [ref(g, i) for i in ast_children(g, add)] == params
    # the expression holds a METHOD_REF to the lambda
    assign = one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=4)
    _, value = args(g, assign)
    assert prop(g, value, "kind") == NodeKind.METHOD_REF
    assert prop(g, value, "METHOD_FULL_NAME") == "pkg/m.py:f.<lambda>0"
    # the innermost lambda reads v of the lambda around it
    v_read = one(g, NodeKind.IDENTIFIER, NAME="v")
    assert ref(g, v_read) == one(g, NodeKind.METHOD_PARAMETER_IN, NAME="v")


# ------------------------------------------------------------------------- assignments
def test_chained_augmented_annotated_and_unpacking_assignments():
    g = py("""
        def f(c):
            a = b = c
            a += 1
            n: int = 0
            m: str
            p, (q, *r) = c
            [s, t] = c
            c.attr = 1
            c[0] = 2
    """)
    outer = one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=3, COLUMN_NUMBER=4)
    a, inner = args(g, outer)
    assert prop(g, a, "NAME") == "a" and prop(g, inner, "NAME") == Op.ASSIGNMENT  # a = (b = c)
    b, c = args(g, inner)
    assert prop(g, b, "IS_WRITE") and ref(g, c) == one(g, NodeKind.METHOD_PARAMETER_IN, NAME="c")
    aug = one(g, NodeKind.CALL, NAME="<operator>.assignmentAddition")
    target, value = args(g, aug)
    assert prop(g, target, "IS_WRITE") is True and ref(g, target) == one(g, NodeKind.LOCAL, NAME="a")
    assert prop(g, one(g, NodeKind.LOCAL, NAME="n"), "TYPE_FULL_NAME") == "int"
    assert prop(g, one(g, NodeKind.LOCAL, NAME="m"), "TYPE_FULL_NAME") == "str"
    assert nodes(g, NodeKind.IDENTIFIER, NAME="m") == []  # annotation only: no assignment
    unpack = one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=7)
    pattern, _ = args(g, unpack)
    assert prop(g, pattern, "NAME") == Op.TUPLE_LITERAL
    p, nested = args(g, pattern)
    assert prop(g, p, "IS_WRITE") and prop(g, nested, "NAME") == Op.TUPLE_LITERAL
    q, star = args(g, nested)
    assert prop(g, star, "NAME") == Op.STARRED
    (r,) = args(g, star)
    assert [prop(g, x, "IS_WRITE") for x in (q, r)] == [True, True]
    assert ref(g, r) == one(g, NodeKind.LOCAL, NAME="r")
    lst, _ = args(g, one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=8))
    assert prop(g, lst, "NAME") == Op.LIST_LITERAL
    fa, _ = args(g, one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=9))
    assert (prop(g, fa, "NAME"), prop(g, fa, "IS_WRITE")) == (Op.FIELD_ACCESS, True)
    ia, _ = args(g, one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT, LINE_NUMBER=10))
    assert (prop(g, ia, "NAME"), prop(g, ia, "IS_WRITE")) == (Op.INDEX_ACCESS, True)
    # no LOCAL for attribute / subscript targets
    assert sorted(names(g, nodes(g, NodeKind.LOCAL)))[:3] == ["a", "b", "f"]


def test_all_augmented_operators_have_names():
    g = py("x = 1\nx -= 1\nx //= 2\nx **= 2\nx >>= 1\nx @= m\nx |= 1\n")
    assert [prop(g, c, "NAME") for c in nodes(g, NodeKind.CALL) if prop(g, c, "LINE_NUMBER") > 1] == [
        "<operator>.assignmentSubtraction", "<operator>.assignmentFloorDivision",
        "<operator>.assignmentExponentiation", "<operator>.assignmentArithmeticShiftRight",
        "<operator>.assignmentMatrixMultiplication", "<operator>.assignmentOr"]


def test_walrus_binds_in_the_function():
    g = py("def f(xs):\n    if (n := len(xs)) > 3:\n        return n\n")
    walrus = one(g, NodeKind.CALL, NAME=Op.ASSIGNMENT)
    target, value = args(g, walrus)
    local = one(g, NodeKind.LOCAL, NAME="n")
    assert prop(g, target, "IS_WRITE") and ref(g, target) == local
    assert prop(g, value, "NAME") == "len"
    assert ref(g, one(g, NodeKind.IDENTIFIER, NAME="n", IS_WRITE=None)) == local


def test_global_and_nonlocal_create_no_local_in_the_function():
    g = py("""
        counter = 0
        def bump():
            global counter, fresh
            counter += 1
            fresh = 1
        def outer():
            total = 0
            def add():
                nonlocal total
                total = total + 1
            return add
    """)
    bump = one(g, NodeKind.METHOD, NAME="bump")
    assert [n for n in nodes(g, NodeKind.LOCAL) if ast_parent(g, n) == body(g, bump)] == []
    module_counter = one(g, NodeKind.LOCAL, NAME="counter")
    (w,) = nodes(g, NodeKind.IDENTIFIER, NAME="counter", LINE_NUMBER=5)
    assert prop(g, w, "IS_WRITE") and ref(g, w) == module_counter
    # a global first assigned in a function still gets its LOCAL in the module
    module_block = body(g, one(g, NodeKind.METHOD, NAME="<module>"))
    assert ast_parent(g, one(g, NodeKind.LOCAL, NAME="fresh")) == module_block
    total_local = one(g, NodeKind.LOCAL, NAME="total")
    assert ast_parent(g, total_local) == body(g, one(g, NodeKind.METHOD, NAME="outer"))
    assert {ref(g, i) for i in nodes(g, NodeKind.IDENTIFIER, NAME="total")} == {total_local}


# ------------------------------------------------------------------------- expressions
def test_calls_receivers_keywords_and_spreads():
    g = py("obj.m(x, k=1, *xs, **kw)\nf()(y)\nos.path.join(a)\nsuper().go()\n")
    m = one(g, NodeKind.CALL, NAME="m")
    assert prop(g, m, "METHOD_FULL_NAME") == UNRESOLVED_PREFIX + "m"
    recv, x, k, star, dstar = args(g, m)
    assert out(g, m, EdgeKind.RECEIVER) == [recv]
    assert (prop(g, recv, "NAME"), prop(g, recv, "ARGUMENT_INDEX")) == ("obj", 0)
    assert [prop(g, a, "ARGUMENT_INDEX") for a in (x, k, star, dstar)] == [1, 2, 3, 4]
    assert (prop(g, k, "ARGUMENT_NAME"), prop(g, k, "CODE")) == ("k", "1")
    assert [prop(g, a, "NAME") for a in (star, dstar)] == [Op.SPREAD, Op.DOUBLE_SPREAD]
    outer = one(g, NodeKind.CALL, LINE_NUMBER=2, NAME="f()")
    callee, y = args(g, outer)
    assert prop(g, outer, "NAME") == "f()" and prop(g, callee, "NAME") == "f"
    assert out(g, outer, EdgeKind.RECEIVER) == [callee]
    join = one(g, NodeKind.CALL, NAME="join")
    recv, _ = args(g, join)
    assert prop(g, recv, "NAME") == Op.FIELD_ACCESS and prop(g, recv, "CODE") == "os.path"
    go = one(g, NodeKind.CALL, NAME="go")
    assert names(g, args(g, go)[:1]) == ["super"]
    # a plain call has no receiver and no node for the callee name
    assert out(g, one(g, NodeKind.CALL, NAME="f"), EdgeKind.RECEIVER) == []
    assert nodes(g, NodeKind.IDENTIFIER, NAME="f") == []


def test_operators_comparisons_and_conditional():
    g = py("r = not a and b or -c\ns = x if a < b <= c else y\nt = a not in b\nu = a is not None\n")
    or_ = one(g, NodeKind.CALL, NAME=Op.LOGICAL_OR)
    and_, neg = args(g, or_)
    assert prop(g, and_, "NAME") == Op.LOGICAL_AND and prop(g, neg, "NAME") == "<operator>.minus"
    not_, b = args(g, and_)
    assert prop(g, not_, "NAME") == Op.LOGICAL_NOT
    cond = one(g, NodeKind.CALL, NAME=Op.CONDITIONAL)
    test, then, else_ = args(g, cond)
    assert (prop(g, then, "NAME"), prop(g, else_, "NAME")) == ("x", "y")
    # a < b <= c  ->  (a < b) and (b <= c)
    assert prop(g, test, "NAME") == Op.LOGICAL_AND
    lt, le = args(g, test)
    assert (prop(g, lt, "NAME"), prop(g, le, "NAME")) == (Op.BINARY["<"], Op.BINARY["<="])
    assert (prop(g, lt, "CODE"), prop(g, le, "CODE")) == ("a < b", "b <= c")
    assert names(g, args(g, le)) == ["b", "c"]
    assert len(nodes(g, NodeKind.CALL, NAME=Op.NOT_IN)) == 1
    assert len(nodes(g, NodeKind.CALL, NAME=Op.IS_NOT)) == 1


def test_literals_and_collections():
    g = py("""
        v = [1, 2.5, 3j, "s", b"b", True, None, ..., (1,), {1}, {"k": 2, **d}, [*xs]]
    """)
    lst = one(g, NodeKind.CALL, NAME=Op.LIST_LITERAL, COLUMN_NUMBER=4)
    items = args(g, lst)
    assert [prop(g, i, "TYPE_FULL_NAME") for i in items[:8]] == [
        "int", "float", "complex", "str", "bytes", "bool", "None", "ellipsis"]
    assert [prop(g, i, "NAME") for i in items[8:]] == [Op.TUPLE_LITERAL, Op.SET_LITERAL, Op.DICT_LITERAL,
                                                        Op.LIST_LITERAL]
    kv, spread = args(g, items[10])
    assert prop(g, kv, "NAME") == Op.KEY_VALUE and prop(g, spread, "NAME") == Op.DOUBLE_SPREAD
    key, value = args(g, kv)
    assert (prop(g, key, "CODE"), prop(g, value, "CODE")) == ('"k"', "2")
    (sp,) = args(g, items[11])
    assert prop(g, sp, "NAME") == Op.SPREAD


def test_fstrings_are_format_calls_over_their_expressions():
    g = py('s = f"{a!r:>{w}} and {b.c}" "plain"\nt = "x" "y"\n')
    fmt = one(g, NodeKind.CALL, NAME=Op.FORMAT_STRING)
    a, w, bc = args(g, fmt)
    assert (prop(g, a, "NAME"), prop(g, w, "NAME"), prop(g, bc, "NAME")) == ("a", "w", Op.FIELD_ACCESS)
    (t,) = nodes(g, NodeKind.LITERAL, LINE_NUMBER=2)
    assert prop(g, t, "TYPE_FULL_NAME") == "str"


def test_subscripts_and_slices():
    g = py("x = a[1:2, ::3]\ny = a[i]\nz = a[:n]\n")
    idx = one(g, NodeKind.CALL, NAME=Op.INDEX_ACCESS, LINE_NUMBER=1)
    obj, tup = args(g, idx)
    assert prop(g, obj, "NAME") == "a" and prop(g, tup, "NAME") == Op.TUPLE_LITERAL
    s1, s2 = args(g, tup)
    assert [prop(g, a, "ARGUMENT_NAME") for a in args(g, s1)] == ["lower", "upper"]
    assert [prop(g, a, "ARGUMENT_NAME") for a in args(g, s2)] == ["step"]
    (upper,) = args(g, one(g, NodeKind.CALL, NAME=Op.SLICE, LINE_NUMBER=3))
    assert (prop(g, upper, "ARGUMENT_NAME"), prop(g, upper, "NAME")) == ("upper", "n")
    _, i = args(g, one(g, NodeKind.CALL, NAME=Op.INDEX_ACCESS, LINE_NUMBER=2))
    assert prop(g, i, "NAME") == "i"


def test_comprehensions():
    g = py("""
        def f(rows):
            a = [x * 2 for x in rows if x]
            b = {k: v for k, v in rows}
            c = {y for r in rows for y in r}
            d = sum(z for z in rows)
    """)
    lc = one(g, NodeKind.CALL, NAME="<operator>.listComprehension")
    elem, target, iterable, cond = args(g, lc)
    assert prop(g, elem, "NAME") == Op.BINARY["*"]
    assert prop(g, target, "IS_WRITE") and ref(g, target) == one(g, NodeKind.LOCAL, NAME="x")
    assert ref(g, iterable) == one(g, NodeKind.METHOD_PARAMETER_IN, NAME="rows")
    assert prop(g, cond, "NAME") == "x" and not prop(g, cond, "IS_WRITE")
    # comprehension targets are LOCALs of the enclosing function
    assert ast_parent(g, one(g, NodeKind.LOCAL, NAME="x")) == body(g, one(g, NodeKind.METHOD, NAME="f"))
    dc = one(g, NodeKind.CALL, NAME="<operator>.dictComprehension")
    kv, pattern, _ = args(g, dc)
    assert prop(g, kv, "NAME") == Op.KEY_VALUE and prop(g, pattern, "NAME") == Op.TUPLE_LITERAL
    sc = one(g, NodeKind.CALL, NAME="<operator>.setComprehension")
    assert [prop(g, a, "NAME") for a in args(g, sc)] == ["y", "r", "rows", "y", "r"]
    ge = one(g, NodeKind.CALL, NAME="<operator>.generatorExpression")
    assert args(g, one(g, NodeKind.CALL, NAME="sum")) == [ge]


# ------------------------------------------------------------------------- control structures
def test_if_elif_else():
    g = py("if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\n")
    outer = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.IF, LINE_NUMBER=1)
    cond, then, elif_ = ast_children(g, outer)
    assert prop(g, cond, "NAME") == "a" and prop(g, then, "kind") == NodeKind.BLOCK
    assert prop(g, elif_, "CONTROL_STRUCTURE_TYPE") == Control.IF and prop(g, elif_, "LINE_NUMBER") == 3
    cond2, then2, else2 = ast_children(g, elif_)
    assert prop(g, cond2, "NAME") == "b"
    assert kinds(g, [then2, else2]) == [NodeKind.BLOCK, NodeKind.BLOCK]
    assert prop(g, ast_children(g, else2)[0], "CODE") == "x = 3"


def test_while_for_else_break_continue():
    g = py("""
        while n:
            break
        else:
            pass
        for i, (j, k) in pairs:
            continue
        else:
            done = 1
        async def f():
            async for a in b:
                pass
    """)
    (w,) = control(g, Control.WHILE)
    assert kinds(g, ast_children(g, w)) == [NodeKind.IDENTIFIER, NodeKind.BLOCK, NodeKind.BLOCK]
    (brk,) = control(g, Control.BREAK)
    assert ast_parent(g, brk) == ast_children(g, w)[1]
    loop = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.FOR_EACH, LINE_NUMBER=6)
    iterable, target, body_, else_ = ast_children(g, loop)
    assert prop(g, iterable, "NAME") == "pairs"
    assert prop(g, target, "NAME") == Op.TUPLE_LITERAL
    assert all(prop(g, i, "IS_WRITE") for i in nodes(g, NodeKind.IDENTIFIER) if prop(g, i, "NAME") in "ijk")
    assert len(control(g, Control.CONTINUE)) == 1
    assert prop(g, ast_children(g, else_)[0], "CODE") == "done = 1"
    async_loop = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.FOR_EACH, LINE_NUMBER=11)
    assert prop(g, async_loop, "MODIFIERS") == ("async",)


def test_try_except_else_finally_and_except_star():
    g = py("""
        try:
            x = f()
        except (KeyError, ValueError) as e:
            log(e)
        except OSError:
            pass
        except:
            raise
        else:
            y = 1
        finally:
            z = 2
        try:
            pass
        except* TypeError as eg:
            raise RuntimeError() from eg
    """)
    t = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.TRY, LINE_NUMBER=2)
    kids = ast_children(g, t)
    assert [prop(g, k, "CONTROL_STRUCTURE_TYPE") for k in kids] == [
        None, Control.CATCH, Control.CATCH, Control.CATCH, Control.ELSE, Control.FINALLY]
    assert prop(g, kids[0], "kind") == NodeKind.BLOCK
    types, binding, handler = ast_children(g, kids[1])
    assert prop(g, types, "NAME") == Op.TUPLE_LITERAL
    local_e = one(g, NodeKind.LOCAL, NAME="e")
    assert prop(g, binding, "IS_WRITE") and ref(g, binding) == local_e
    assert ref(g, one(g, NodeKind.IDENTIFIER, NAME="e", IS_WRITE=None)) == local_e
    assert prop(g, handler, "kind") == NodeKind.BLOCK
    assert kinds(g, ast_children(g, kids[2])) == [NodeKind.IDENTIFIER, NodeKind.BLOCK]
    assert kinds(g, ast_children(g, kids[3])) == [NodeKind.BLOCK]  # bare except
    assert kinds(g, ast_children(g, kids[4])) == [NodeKind.BLOCK]
    group = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.CATCH, LINE_NUMBER=16)
    assert prop(g, group, "MODIFIERS") == ("group",)
    throws = control(g, Control.THROW)
    assert [len(ast_children(g, th)) for th in throws] == [0, 2]  # `raise`, `raise X from eg`
    exc, cause = ast_children(g, throws[1])
    assert prop(g, exc, "NAME") == "RuntimeError" and ref(g, cause) == one(g, NodeKind.LOCAL, NAME="eg")


def test_with_items_and_async_with():
    g = py("""
        with open(p) as f, lock:
            f.read()
        async def g():
            async with session() as (a, b):
                pass
    """)
    w = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.WITH, LINE_NUMBER=2)
    item1, item2, blk = ast_children(g, w)
    assert prop(g, item1, "NAME") == Op.ASSIGNMENT
    target, value = args(g, item1)
    assert prop(g, target, "IS_WRITE") and ref(g, target) == one(g, NodeKind.LOCAL, NAME="f")
    assert prop(g, value, "NAME") == "open"
    assert prop(g, item2, "NAME") == "lock" and not prop(g, item2, "IS_WRITE")
    assert prop(g, blk, "kind") == NodeKind.BLOCK
    aw = one(g, NodeKind.CONTROL_STRUCTURE, CONTROL_STRUCTURE_TYPE=Control.WITH, LINE_NUMBER=5)
    assert prop(g, aw, "MODIFIERS") == ("async",)
    (assign, _) = ast_children(g, aw)
    pattern, _ = args(g, assign)
    assert prop(g, pattern, "NAME") == Op.TUPLE_LITERAL


def test_match_cases_patterns_and_guards():
    g = py("""
        match cmd:
            case Point(x=0, y=yy) | [1, *rest] if yy > 0:
                pass
            case {"k": v, **others}:
                pass
            case str() as s:
                pass
            case Color.RED:
                pass
            case _:
                pass
    """)
    (m,) = control(g, Control.MATCH)
    subject, *cases = ast_children(g, m)
    assert prop(g, subject, "NAME") == "cmd"
    assert [prop(g, c, "CONTROL_STRUCTURE_TYPE") for c in cases] == [Control.CASE] * 5
    pattern, guard, blk = ast_children(g, cases[0])
    assert prop(g, pattern, "NAME") == Op.BINARY["|"]
    cls, seq = args(g, pattern)
    assert (prop(g, cls, "NAME"), prop(g, cls, "METHOD_FULL_NAME")) == ("Point", UNRESOLVED_PREFIX + "Point")
    x0, yy = args(g, cls)
    assert (prop(g, x0, "ARGUMENT_NAME"), prop(g, x0, "kind")) == ("x", NodeKind.LITERAL)
    assert prop(g, yy, "ARGUMENT_NAME") == "y" and prop(g, yy, "IS_WRITE")
    assert ref(g, yy) == one(g, NodeKind.LOCAL, NAME="yy")
    assert prop(g, seq, "NAME") == Op.LIST_LITERAL
    _, starred = args(g, seq)
    assert prop(g, starred, "NAME") == Op.STARRED and prop(g, args(g, starred)[0], "IS_WRITE")
    assert prop(g, guard, "NAME") == Op.BINARY[">"] and prop(g, blk, "kind") == NodeKind.BLOCK
    mapping, _ = ast_children(g, cases[1])
    kv, rest = args(g, mapping)
    assert prop(g, kv, "NAME") == Op.KEY_VALUE and prop(g, args(g, kv)[1], "IS_WRITE")
    assert prop(g, rest, "NAME") == Op.DOUBLE_SPREAD
    as_pattern, _ = ast_children(g, cases[2])
    s, str_call = args(g, as_pattern)
    assert prop(g, s, "IS_WRITE") and prop(g, str_call, "NAME") == "str"
    value, _ = ast_children(g, cases[3])
    assert prop(g, value, "NAME") == Op.FIELD_ACCESS and not nodes(g, NodeKind.LOCAL, NAME="Color")
    assert kinds(g, ast_children(g, cases[4])) == [NodeKind.BLOCK]


def test_return_raise_del_assert_pass():
    g = py("def f(a, b):\n    pass\n    del a, b[0]\n    assert a, 'msg'\n    return a, b\n")
    stmts = statements(g, body(g, one(g, NodeKind.METHOD, NAME="f")))
    assert [prop(g, s, "NAME") for s in stmts[:2]] == [Op.DELETE, "assert"]
    assert prop(g, stmts[1], "METHOD_FULL_NAME") == "<operator>.assert"
    assert [prop(g, a, "ARGUMENT_INDEX") for a in args(g, stmts[1])] == [1, 2]
    (tup,) = args(g, stmts[2])
    assert prop(g, stmts[2], "kind") == NodeKind.RETURN and prop(g, tup, "NAME") == Op.TUPLE_LITERAL


# ------------------------------------------------------------------------- imports
def test_imports_aliases_relative_and_star():
    g = py("""
        import os.path, numpy as np
        from ..pkg.mod import name as alias, other
        from . import sibling
        from collections import *
        from __future__ import annotations
        try:
            import ujson as json
        except ImportError:
            import json
        def f():
            from .m import helper
            return helper(os)
    """)
    got = [(prop(g, i, "IMPORTED_ENTITY"), prop(g, i, "IMPORTED_AS")) for i in nodes(g, NodeKind.IMPORT)]
    assert got == [("os.path", "os"), ("numpy", "np"), ("..pkg.mod.name", "alias"), ("..pkg.mod.other", "other"),
                   (".sibling", "sibling"), ("collections.*", "*"), ("__future__.annotations", "annotations"),
                   ("ujson", "json"), ("json", "json"), (".m.helper", "helper")]
    module_block = body(g, one(g, NodeKind.METHOD, NAME="<module>"))
    imp = one(g, NodeKind.IMPORT, IMPORTED_AS="np")
    assert ast_parent(g, imp) == module_block
    assert (prop(g, imp, "LINE_NUMBER"), prop(g, imp, "COLUMN_NUMBER")) == (2, 16)
    assert nodes(g, NodeKind.LOCAL, NAME="*") == []
    assert len(nodes(g, NodeKind.LOCAL, NAME="json")) == 1
    f_block = body(g, one(g, NodeKind.METHOD, NAME="f"))
    helper_local = one(g, NodeKind.LOCAL, NAME="helper")
    assert ast_parent(g, helper_local) == f_block
    assert ast_parent(g, one(g, NodeKind.IMPORT, IMPORTED_AS="helper")) == f_block
    assert ref(g, one(g, NodeKind.IDENTIFIER, NAME="os")) == one(g, NodeKind.LOCAL, NAME="os")


# ------------------------------------------------------------------------- robustness
def test_syntax_errors_still_build_and_keep_what_parses():
    fg, g = build("import os\ndef f(x):\n    y = x +\n    return y\nclass C:\n    def g(self):\n"
                  "        return os.path.join(1\nz = f(2)\n", "pkg/m.py")
    assert fg.parse_errors >= 2
    assert prop(g, one(g, NodeKind.FILE), "PARSE_ERRORS") == fg.parse_errors
    one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:f")
    one(g, NodeKind.METHOD, FULL_NAME="pkg/m.py:C.g")
    # the body lost in an ERROR after `def g(self):` is salvaged into g's BLOCK
    g_method = one(g, NodeKind.METHOD, NAME="g")
    (os_read,) = nodes(g, NodeKind.IDENTIFIER, NAME="os")
    assert ref(g, os_read) == one(g, NodeKind.LOCAL, NAME="os")
    node, parent = os_read, ast_parent(g, os_read)
    while prop(g, parent, "kind") != NodeKind.METHOD:
        node, parent = parent, ast_parent(g, parent)
    assert parent == g_method


@pytest.mark.parametrize("code", [
    "def (:\n  ))) class [[ = = =\n" * 50,
    "\x00\xff garbage",
    "x = (",
    "match x:\n    case",
    "class C(:\n    pass\n",
    "lambda: (yield)",
    "f(**)",
    "print >> f, x\nexec 'code' in g\n",
    "",
])
def test_broken_input_never_raises(code):
    fg, g = build(code, "pkg/m.py")
    one(g, NodeKind.METHOD, NAME="<module>")


@pytest.mark.parametrize("code", [
    "(" * 5000 + ")" * 5000,
    "".join(" " * i + f"if x{i}:\n" for i in range(3000)) + " " * 3000 + "pass\n",  # one-space indents
    "x = " + " and ".join(["a"] * 10000),
    "[" * 3000 + "]" * 3000,
    "f(" * 3000 + ")" * 3000,
    "x = a" + ".b()" * 3000,
    "x = " + "lambda: " * 2000 + "0",
    "(" * 1000 + "a," + ")," * 1000 + " = v",
    "".join("    " * i + f"def f{i}(a=lambda: 0):\n" for i in range(400)) + "    " * 400 + "return a\n",
])
def test_deep_nesting_does_not_overflow(code):
    fg, g = build(code, "pkg/m.py")
    one(g, NodeKind.METHOD, NAME="<module>")


def test_long_binary_chain_is_built_completely():
    fg, g = build("x = " + "+".join(["a"] * 10000), "pkg/m.py")
    assert len(nodes(g, NodeKind.CALL, NAME=Op.BINARY["+"])) == 9999
    assert len(nodes(g, NodeKind.IDENTIFIER, NAME="a")) == 10000
    assert nodes(g, NodeKind.UNKNOWN) == []


def test_too_deep_subtrees_become_one_counted_unknown():
    code = "x = " + "[" * 3000 + "]" * 3000
    fg, g = build(code, "pkg/m.py")
    (cut,) = nodes(g, NodeKind.UNKNOWN, NAME="<too deep>")
    assert prop(g, cut, "CODE").startswith("[[[")
    assert len(nodes(g, NodeKind.CALL, NAME=Op.LIST_LITERAL)) <= pyfront.MAX_DEPTH


def test_depth_budget_follows_the_recursion_limit():
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(10000)
        fg, g = build("x = " + "[" * 300 + "]" * 300, "pkg/m.py")
        assert nodes(g, NodeKind.UNKNOWN) == []
        assert len(nodes(g, NodeKind.CALL, NAME=Op.LIST_LITERAL)) == 300
    finally:
        sys.setrecursionlimit(old)


def test_non_ascii_identifiers_and_byte_columns():
    g = py("größe = 1\ndef f(ä):\n    return größe + ä\nπ = 'é'; z = π\n")
    local = one(g, NodeKind.LOCAL, NAME="größe")
    (read,) = nodes(g, NodeKind.IDENTIFIER, NAME="größe", IS_WRITE=None)
    assert ref(g, read) == local
    assert ref(g, one(g, NodeKind.IDENTIFIER, NAME="ä")) == one(g, NodeKind.METHOD_PARAMETER_IN, NAME="ä")
    # columns count bytes (tree-sitter): "π = 'é'; " is 9 characters but 11 bytes
    z = one(g, NodeKind.IDENTIFIER, NAME="z")
    assert (prop(g, z, "LINE_NUMBER"), prop(g, z, "COLUMN_NUMBER")) == (4, 11)


def test_every_node_has_one_ast_parent_on_a_real_module():
    # read as data from the standard library's directory (never imported or executed)
    path = Path(sysconfig.get_paths()["stdlib"]) / "json" / "decoder.py"
    fg, g = build(path.read_text(encoding="utf-8"), "json/decoder.py")
    assert fg.parse_errors == 0
    assert nodes(g, NodeKind.UNKNOWN) == []
    one(g, NodeKind.METHOD, FULL_NAME="json/decoder.py:JSONDecoder.raw_decode")
    raw_decode = one(g, NodeKind.METHOD, NAME="raw_decode")
    assert names(g, ast_children(g, raw_decode)[:3]) == ["self", "s", "idx"]
    assert prop(g, ast_children(g, raw_decode)[2], "DEFAULT_VALUE") == "0"
    assert "end" in names(g, [n for n in nodes(g, NodeKind.LOCAL) if ast_parent(g, n) == body(g, raw_decode)])
