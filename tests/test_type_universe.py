"""The project's type universe: classes, interfaces, enums, aliases with inherited members; imports."""

from __future__ import annotations

import textwrap

from typeinfer.analyzer.type_universe import build_type_universe
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text

FILES = {
    "pkg/base.py": """
        from dataclasses import dataclass
        from typing import TypedDict, Protocol
        from enum import Enum

        class Base:
            kind = "base"
            def save(self):
                self.saved = True

        @dataclass
        class Point:
            x: int
            y: int

        class Color(Enum):
            RED = 1

        class Row(TypedDict):
            id: int

        class Closer(Protocol):
            def close(self) -> None: ...
    """,
    "pkg/user.py": """
        from pkg.base import Base as B
        import json

        class User(B):
            def __init__(self, name):
                self.name = name
            def email(self):
                return self.name

        class Admin(User):
            def grant(self):
                pass
    """,
    "web/types.ts": """
        export interface Shape { area(): number; name: string }
        export type Id = string | number;
        export enum Dir { Up, Down }
        export class Square implements Shape {
          side = 1;
          area() { return this.side ** 2; }
          name = "square";
        }
    """,
}


def universe():
    cpg = build_sources(source_from_text(textwrap.dedent(code), path) for path, code in FILES.items())
    return build_type_universe(cpg)


def test_every_kind_of_type_is_collected_with_its_kind():
    u = universe()
    kinds = {t.name: t.kind for t in u.types.values()}
    assert kinds == {"Base": "class", "Point": "dataclass", "Color": "enum", "Row": "typeddict",
                     "Closer": "protocol", "User": "class", "Admin": "class", "Shape": "interface",
                     "Id": "alias", "Dir": "enum", "Square": "class"}


def test_members_include_inherited_ones_across_files_and_aliased_imports():
    u = universe()
    admin = u.by_short_name("Admin")[0]
    assert set(admin.methods) == {"__init__", "email", "grant", "save"}
    assert {"name", "saved", "kind"} <= set(admin.fields)
    assert u.members("Admin") >= {"grant", "email", "save", "name"}
    assert u.members("Point") >= {"x", "y"}
    assert u.members("Shape") == {"area", "name"}
    assert u.members("Square") >= {"side", "area", "name"}
    assert u.members("Nope") is None


def test_imports_and_candidate_names_per_file():
    u = universe()
    assert u.imports["pkg/user.py"] == {"B": "pkg.base.Base", "json": "json"}
    candidates = u.candidates()
    assert {"B", "User"} <= candidates.visible["pkg/user.py"] and {"B", "User"} <= set(candidates.names)
    assert u.names() == sorted(t.name for t in u.types.values())


def test_imported_type_names_skip_typing_constructs_and_constants():
    files = {
        "app/views.py": "from typing import Optional, TYPE_CHECKING\nfrom numpy.typing import ArrayLike\n"
                        "from uuid import UUID\nfrom .conf import MAX_SIZE\nfrom .models import User as U\n"
                        "import json\n",
        "app/models.py": "class User:\n    pass\n",
    }
    cpg = build_sources(source_from_text(textwrap.dedent(t), p) for p, t in files.items())
    u = build_type_universe(cpg)
    assert u.imported_type_names("app/views.py") == ["ArrayLike", "U", "UUID"]
    pc = u.candidates()
    assert pc.names == ("ArrayLike", "U", "UUID", "User") and pc.own == {"User"}
    assert pc.visible == {"app/views.py": {"ArrayLike", "U", "UUID"}, "app/models.py": {"User"}}
