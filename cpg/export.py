"""Write a code property graph in formats other tools read: GraphML, Graphviz DOT, JSON, neo4j CSV.

`export(cpg, fmt, out)` writes one format and returns the files it wrote.  One small writer per
format; they share two conventions:

* A node's id is the text ``"<relpath>#<local id>"`` (the project graph's ``(relpath, int)``
  tuple; split it back with ``rsplit("#", 1)``).
* Property values are kept as they are where the format has the type (str, int, float, bool);
  tuples and lists become JSON text where it has no list type (GraphML, DOT) and ``None`` is
  dropped.

Formats:

``graphml``
    For Gephi, yEd and ``networkx.read_graphml``.  Node attributes are the node's properties
    plus ``labelV`` (the node kind, TinkerPop's name for it; ``kind`` holds it too); edge
    attributes are the edge's properties plus ``labelE`` (the edge kind, also the GraphML edge
    id).  An attribute that has values of different types across nodes is written as text.
``dot``
    Graphviz text, one line per node (label ``KIND\\nCODE``) and per edge (label = edge kind),
    inside ``digraph cpg { ... }``.  Meant for small graphs: ``dot -Tsvg out.dot``.
``json``
    One document::

        {"version": 1,
         "root": "<project root as given to the build>",
         "files": [{"path", "language", "content_hash", "loc", "parse_errors", "error", "warning"}],
         "nodes": [{"id": "<relpath>#<n>", "kind": "<NodeKind>", "<PROP>": value, ...}],
         "edges": [{"src": "<node id>", "dst": "<node id>", "kind": "<EdgeKind>", "<PROP>": value}]}

    ``files`` are `graph.FileInfo` records; node properties are the `schema.Prop` names with
    their values (tuples as lists, ``POSSIBLE_TYPES`` as ``[[type, probability], ...]``).
``neo4j-csv``
    A directory for ``neo4j-admin database import full`` (Neo4j 5): ``nodes_<KIND>.csv`` per
    node kind (header ``id:ID,:LABEL,<PROP>:<type>,...``), ``edges_<KIND>.csv`` per edge kind
    (header ``:START_ID,:END_ID,:TYPE,<PROP>:<type>,...``) and ``import.sh`` with the command
    line.  Types are ``int``, ``double``, ``boolean``, ``string`` and ``string[]`` (``;`` between
    elements); a list property with a ``;`` inside an element, or with non-string elements, is
    written as JSON text instead.  CODE may span lines, hence ``--multiline-fields=true``.

Every file is written to a temporary name beside its target and renamed into place, so a
reader never sees half a file; the neo4j directory is assembled beside ``out`` and swapped in.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import shutil
import tempfile
from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator

import networkx as nx

from .atomic_write import atomic_path, atomic_text, current_umask
from .graph import CodePropertyGraph, NodeId
from .schema import Prop

__all__ = ["FORMATS", "export", "node_id_text"]

JSON_VERSION = 1
NEO4J_ARRAY_DELIMITER = ";"
_NEO4J_FILE_PREFIXES = ("nodes_", "edges_")


def node_id_text(n: NodeId) -> str:
    """``("pkg/a.py", 7)`` -> ``"pkg/a.py#7"``."""
    return f"{n[0]}#{n[1]}"


def export(cpg: CodePropertyGraph, fmt: str, out: Path) -> list[Path]:
    """Write `cpg` to `out` in format `fmt` (see `FORMATS`); returns the files written."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return writer(cpg, Path(out))


# --------------------------------------------------------------------------------- values
def _plain(value: Any) -> Any:
    """Enum members -> their value; tuples -> lists (recursively); everything else as is."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _scalar(value: Any) -> str | int | float | bool | None:
    """A value for formats without lists: lists/tuples/dicts as JSON text, None stays None."""
    value = _plain(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _props(data: dict[Any, Any]) -> dict[str, Any]:
    """Properties with string keys and plain values, None dropped."""
    return {str(k): _plain(v) for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------------- graphml
def _write_graphml(cpg: CodePropertyGraph, out: Path) -> list[Path]:
    h = nx.MultiDiGraph()
    for n, data in cpg.g.nodes(data=True):
        attrs = {str(k): _scalar(v) for k, v in data.items() if v is not None}
        attrs["labelV"] = attrs.get(str(Prop.KIND), "")
        h.add_node(node_id_text(n), **attrs)
    for s, d, k, data in cpg.g.edges(keys=True, data=True):
        attrs = {str(name): _scalar(v) for name, v in data.items() if v is not None}
        attrs["labelE"] = str(k)
        h.add_edge(node_id_text(s), node_id_text(d), key=str(k), **attrs)
    _unify_types(h.nodes.values())
    _unify_types(d for _, _, d in h.edges(data=True))
    with atomic_path(out) as tmp:
        nx.write_graphml(h, tmp, encoding="utf-8", prettyprint=False)
    return [out]


def _unify_types(attr_dicts: Iterator[dict[str, Any]]) -> None:
    """Turn attributes whose values have mixed types into text (GraphML keys have one type)."""
    dicts = list(attr_dicts)
    types: dict[str, set[type]] = defaultdict(set)
    for attrs in dicts:
        for key, value in attrs.items():
            types[key].add(type(value))
    mixed = {key for key, seen in types.items() if len(seen) > 1}
    if not mixed:
        return
    for attrs in dicts:
        for key in mixed & attrs.keys():
            value = attrs[key]
            attrs[key] = str(value).lower() if isinstance(value, bool) else str(value)


# --------------------------------------------------------------------------------- dot
def _dot_quote(text: str) -> str:
    """A DOT double-quoted string; newlines become the centred-line escape ``\\n``."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def _write_dot(cpg: CodePropertyGraph, out: Path) -> list[Path]:
    with atomic_text(out, newline="\n") as handle:
        handle.write("digraph cpg {\n")
        handle.write('  node [shape=box, fontname="monospace", fontsize=10];\n')
        handle.write("  edge [fontsize=8];\n")
        for n, data in cpg.g.nodes(data=True):
            kind = str(_plain(data.get(Prop.KIND, "")))
            code = data.get(Prop.CODE)
            if code is None:
                code = data.get(Prop.NAME, "")
            label = f"{kind}\n{code}" if code not in (None, "") else kind
            handle.write(f"  {_dot_quote(node_id_text(n))} [label={_dot_quote(label)}];\n")
        for s, d, k in cpg.g.edges(keys=True):
            handle.write(f"  {_dot_quote(node_id_text(s))} -> {_dot_quote(node_id_text(d))} "
                         f"[label={_dot_quote(str(k))}];\n")
        handle.write("}\n")
    return [out]


# --------------------------------------------------------------------------------- json
def _write_json(cpg: CodePropertyGraph, out: Path) -> list[Path]:
    with atomic_text(out) as handle:
        handle.write(f'{{"version": {JSON_VERSION}, "root": {json.dumps(cpg.root)},\n "files": ')
        json.dump(cpg.file_infos_json(), handle, ensure_ascii=False)
        handle.write(',\n "nodes": [')
        for i, (n, data) in enumerate(cpg.g.nodes(data=True)):
            record = {"id": node_id_text(n), **_props(data)}
            handle.write(",\n  " if i else "\n  ")
            json.dump(record, handle, ensure_ascii=False, default=str)
        handle.write('],\n "edges": [')
        for i, (s, d, k, data) in enumerate(cpg.g.edges(keys=True, data=True)):
            record = {"src": node_id_text(s), "dst": node_id_text(d), "kind": str(k), **_props(data)}
            handle.write(",\n  " if i else "\n  ")
            json.dump(record, handle, ensure_ascii=False, default=str)
        handle.write("]}\n")
    return [out]


# --------------------------------------------------------------------------------- neo4j csv
def _neo4j_type(values: list[Any]) -> str:
    """The neo4j-admin header type for a column holding `values` (plain, None-free)."""
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "int"
    if kinds <= {int, float} and float in kinds:
        return "double"
    if kinds == {list} and all(
        isinstance(e, str) and NEO4J_ARRAY_DELIMITER not in e for v in values for e in v
    ):
        return "string[]"
    return "string"


def _neo4j_cell(value: Any, typ: str) -> str:
    if value is None:
        return ""
    if typ == "boolean":
        return "true" if value else "false"
    if typ == "string[]":
        return NEO4J_ARRAY_DELIMITER.join(value)
    if typ == "string":
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _neo4j_columns(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(property, neo4j type) for every property in `records`, in first-seen order."""
    seen: dict[str, list[Any]] = {}
    for record in records:
        for key, value in record.items():
            seen.setdefault(key, []).append(value)
    return [(key, _neo4j_type(values)) for key, values in seen.items()]


def _write_neo4j_table(path: Path, fixed_header: list[str], rows: list[tuple[list[str], dict[str, Any]]]) -> None:
    columns = _neo4j_columns([props for _, props in rows])
    with atomic_text(path, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fixed_header + [f"{name}:{typ}" for name, typ in columns])
        for fixed, props in rows:
            writer.writerow(fixed + [_neo4j_cell(props.get(name), typ) for name, typ in columns])


def _write_neo4j_csv(cpg: CodePropertyGraph, out: Path) -> list[Path]:
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: neo4j-csv writes a directory, and this is a file")
    if out.is_dir():
        strangers = [p.name for p in out.iterdir() if not _is_neo4j_export_file(p.name)]
        if strangers:
            raise ValueError(f"{out}: directory holds files this export did not write "
                             f"({', '.join(sorted(strangers)[:3])}); choose an empty or new directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        staging.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700
        node_rows: dict[str, list[tuple[list[str], dict[str, Any]]]] = defaultdict(list)
        for n, data in cpg.g.nodes(data=True):
            props = _props(data)
            kind = str(props.pop(str(Prop.KIND), "UNKNOWN"))
            node_rows[kind].append(([node_id_text(n), kind], props))
        edge_rows: dict[str, list[tuple[list[str], dict[str, Any]]]] = defaultdict(list)
        for s, d, k, data in cpg.g.edges(keys=True, data=True):
            edge_rows[str(k)].append(([node_id_text(s), node_id_text(d), str(k)], _props(data)))
        node_files = [f"nodes_{kind}.csv" for kind in sorted(node_rows)]
        edge_files = [f"edges_{kind}.csv" for kind in sorted(edge_rows)]
        for kind, name in zip(sorted(node_rows), node_files):
            _write_neo4j_table(staging / name, ["id:ID", ":LABEL"], node_rows[kind])
        for kind, name in zip(sorted(edge_rows), edge_files):
            _write_neo4j_table(staging / name, [":START_ID", ":END_ID", ":TYPE"], edge_rows[kind])
        script = staging / "import.sh"
        with atomic_text(script, newline="\n") as handle:
            handle.write(_neo4j_import_script(node_files, edge_files))
        script.chmod(0o755)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name in node_files + edge_files + ["import.sh"]]


def _is_neo4j_export_file(name: str) -> bool:
    return name == "import.sh" or (name.startswith(_NEO4J_FILE_PREFIXES) and name.endswith(".csv"))


def _neo4j_import_script(node_files: list[str], edge_files: list[str]) -> str:
    args = ["neo4j-admin database import full"]
    args += [f"--nodes={shlex.quote(name)}" for name in node_files]
    args += [f"--relationships={shlex.quote(name)}" for name in edge_files]
    args += ["--delimiter=,", f"--array-delimiter={shlex.quote(NEO4J_ARRAY_DELIMITER)}",
             "--multiline-fields=true", '"$DATABASE"']
    return (
        "#!/bin/sh\n"
        "# Import this code property graph into a new Neo4j 5 database (stop the DBMS first;\n"
        "# add --overwrite-destination to replace an existing one).  Usage: ./import.sh [DATABASE]\n"
        "set -e\n"
        'cd "$(dirname "$0")"\n'
        'DATABASE="${1:-neo4j}"\n'
        + " \\\n  ".join(args) + "\n"
    )


def _swap_in(staging: Path, out: Path) -> None:
    """Rename `staging` onto `out`; an earlier export there is moved aside and then deleted."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old.", suffix=".tmp"))
        os.replace(out, old / out.name)
    try:
        os.replace(staging, out)
    except BaseException:
        if old is not None:
            os.replace(old / out.name, out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


_WRITERS: dict[str, Callable[[CodePropertyGraph, Path], list[Path]]] = {
    "graphml": _write_graphml,
    "dot": _write_dot,
    "json": _write_json,
    "neo4j-csv": _write_neo4j_csv,
}

#: Format names `export` accepts.
FORMATS: tuple[str, ...] = tuple(_WRITERS)
