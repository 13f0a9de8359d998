"""The TypeScript adapter (JavaScript files are analysed as TypeScript): lib.d.ts builtins,
relative import specifiers, and the lib.d.ts tables the static typer reads."""

from __future__ import annotations

import posixpath

from typeinfer.cpg.schema import SELF_NAMES

from ..canonical_types import TYPESCRIPT_BUILTIN_TYPES
from .adapter import LanguageAdapter, StaticTables

#: TypeScript global functions / static methods with a fixed result (METHOD_FULL_NAME -> type).
#: ``None`` marks calls that are known to say nothing (``JSON.parse`` returns ``any``).
TS_GLOBAL_CALLS: dict[str, str | None] = {
    "JSON.parse": None, "JSON.stringify": "string", "String": "string", "Number": "number",
    "Boolean": "boolean", "parseInt": "number", "parseFloat": "number", "isNaN": "boolean",
    "isFinite": "boolean", "encodeURIComponent": "string", "decodeURIComponent": "string",
    "Array.isArray": "boolean", "Number.isInteger": "boolean", "Number.isFinite": "boolean",
    "Number.isNaN": "boolean", "Number.isSafeInteger": "boolean", "Number.parseInt": "number",
    "Number.parseFloat": "number", "Object.keys": "string[]", "Date.now": "number",
    "Date.parse": "number", "String.fromCharCode": "string", "Object.is": "boolean",
    "Object.isFrozen": "boolean", "Math.*": "number",
}
#: ``new C(...)`` of a non-generic TypeScript built-in class.
TS_NEW: dict[str, str] = {
    "Date": "Date", "Error": "Error", "TypeError": "TypeError", "RangeError": "RangeError",
    "SyntaxError": "SyntaxError", "ReferenceError": "ReferenceError", "RegExp": "RegExp",
    "URL": "URL", "URLSearchParams": "URLSearchParams", "TextEncoder": "TextEncoder",
    "TextDecoder": "TextDecoder", "AbortController": "AbortController", "Headers": "Headers",
}
#: Members of TS built-in types: receiver kind -> member -> result; ``"$elem"`` = the element type,
#: ``"$self"`` = the receiver's own type.  Calls and property reads share the table.
TS_MEMBERS: dict[str, dict[str, str]] = {
    "string": {
        "length": "number", "toUpperCase": "string", "toLowerCase": "string", "trim": "string",
        "trimStart": "string", "trimEnd": "string", "slice": "string", "substring": "string",
        "substr": "string", "replace": "string", "replaceAll": "string", "padStart": "string",
        "padEnd": "string", "repeat": "string", "concat": "string", "charAt": "string",
        "normalize": "string", "toString": "string", "toLocaleLowerCase": "string",
        "toLocaleUpperCase": "string", "indexOf": "number", "lastIndexOf": "number",
        "charCodeAt": "number", "codePointAt": "number | undefined", "localeCompare": "number",
        "search": "number", "startsWith": "boolean", "endsWith": "boolean", "includes": "boolean",
        "split": "string[]", "valueOf": "string",
    },
    "number": {"toFixed": "string", "toString": "string", "toPrecision": "string",
               "toExponential": "string", "toLocaleString": "string", "valueOf": "number"},
    "boolean": {"toString": "string", "valueOf": "boolean"},
    "array": {
        "length": "number", "join": "string", "includes": "boolean", "indexOf": "number",
        "lastIndexOf": "number", "some": "boolean", "every": "boolean", "push": "number",
        "unshift": "number", "findIndex": "number", "slice": "$self", "concat": "$self",
        "filter": "$self", "reverse": "$self", "sort": "$self", "toString": "string",
    },
    "Date": {"getTime": "number", "valueOf": "number", "toISOString": "string", "toString": "string",
             "getFullYear": "number", "getMonth": "number", "getDate": "number", "getDay": "number",
             "getHours": "number", "getMinutes": "number", "getSeconds": "number",
             "getMilliseconds": "number", "toJSON": "string", "toLocaleDateString": "string",
             "toLocaleString": "string", "toUTCString": "string"},
    "RegExp": {"test": "boolean", "source": "string", "flags": "string", "global": "boolean",
               "lastIndex": "number", "toString": "string"},
    "Error": {"message": "string", "name": "string", "toString": "string"},
}
#: ``typeof x === "..."`` strings -> the type they narrow to.
TS_TYPEOF: dict[str, str] = {"string": "string", "number": "number", "boolean": "boolean", "bigint": "bigint",
              "symbol": "symbol"}


def dotted_name(full_name: str) -> str:
    """TypeScript full names (``src/models.ts:User``) stay as they are."""
    return full_name


def import_module(full_name: str, decl_file: str, from_file: str) -> str:
    """The relative specifier of the declaring file, without its extension (``./models``)."""
    target = posixpath.splitext(decl_file)[0]
    relative = posixpath.relpath(target, posixpath.dirname(from_file) or ".")
    return relative if relative.startswith(".") else "./" + relative


TYPESCRIPT = LanguageAdapter(
    name="typescript",
    builtin_types=TYPESCRIPT_BUILTIN_TYPES,
    self_names=SELF_NAMES & {"this"},
    import_module=import_module,
    dotted_name=dotted_name,
    entity_separator=":",
    dotted_full_types=False,
    static_tables=StaticTables(global_calls=TS_GLOBAL_CALLS, constructors=TS_NEW, members=TS_MEMBERS,
                               typeof=TS_TYPEOF),
)
