"""The TypeScript adapter (JavaScript files are analysed as TypeScript): lib.d.ts builtins,
relative import specifiers, and the lib.d.ts tables the static typer reads."""

from __future__ import annotations

import posixpath

from typeinfer.cpg.frontends.typescript import stored_annotation
from typeinfer.cpg.schema import SELF_NAMES

from ..writer.typescript_syntax import TYPESCRIPT_ANCHORS, TYPESCRIPT_SYNTAX
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


def container_literal_type(container: str, element: str) -> str:
    """``[1, 2]`` -> ``number[]``; an empty or mixed array literal says nothing definite."""
    return f"{element}[]" if element else ""


#: Members of TypeScript built-in types (lib.es2022 + DOM-free), by the outer type `outer_type` gives
#: (the consistency filter).
TS_BUILTIN_MEMBERS: dict[str, frozenset[str]] = {
    "string": frozenset("""length at charAt charCodeAt codePointAt concat endsWith includes indexOf lastIndexOf
        localeCompare match matchAll normalize padEnd padStart repeat replace replaceAll search slice split
        startsWith substring substr toLowerCase toUpperCase toLocaleLowerCase toLocaleUpperCase trim trimEnd
        trimStart toString valueOf""".split()),
    "number": frozenset("toFixed toExponential toPrecision toString toLocaleString valueOf".split()),
    "boolean": frozenset("toString valueOf".split()),
    "Array": frozenset("""length at concat copyWithin entries every fill filter find findIndex findLast
        findLastIndex flat flatMap forEach includes indexOf join keys lastIndexOf map pop push reduce
        reduceRight reverse shift slice some sort splice toString unshift values toReversed toSorted
        toSpliced with""".split()),
    "ReadonlyArray": frozenset("""length at concat entries every filter find findIndex flat flatMap forEach
        includes indexOf join keys lastIndexOf map reduce reduceRight slice some values""".split()),
    "Map": frozenset("size clear delete entries forEach get has keys set values".split()),
    "Set": frozenset("size add clear delete entries forEach has keys values".split()),
    "Promise": frozenset("then catch finally".split()),
    "Date": frozenset("""getTime getDate getDay getFullYear getHours getMilliseconds getMinutes getMonth
        getSeconds setDate setFullYear setHours setMinutes setMonth setSeconds setTime toISOString toJSON
        toDateString toLocaleDateString toLocaleString toLocaleTimeString toString toUTCString valueOf
        getTimezoneOffset getUTCDate getUTCFullYear getUTCHours getUTCMonth getUTCDay""".split()),
    "RegExp": frozenset("exec test source flags global lastIndex".split()),
}
#: --verify: the generated tsconfig (not strict, ``types: []``, lib check skipped), never the project's own
TSCONFIG_NAME = "tsconfig.typeinfer-verify.json"
TSCONFIG = {
    "compilerOptions": {
        "strict": False, "noImplicitAny": False, "allowJs": False, "types": [], "noEmit": True,
        "skipLibCheck": True, "target": "es2022", "module": "esnext", "moduleResolution": "bundler",
        "jsx": "preserve", "esModuleInterop": True, "resolveJsonModule": True,
        "allowImportingTsExtensions": True, "experimentalDecorators": True,
    },
    "include": ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
    "exclude": ["node_modules"],
}


TYPESCRIPT = LanguageAdapter(
    name="typescript",
    self_names=SELF_NAMES & {"this"},
    import_module=import_module,
    dotted_name=dotted_name,
    entity_separator=":",
    dotted_full_types=False,
    writer=TYPESCRIPT_SYNTAX,
    anchors=TYPESCRIPT_ANCHORS,
    str_type="string",
    bool_type="boolean",
    bare_return_type="undefined",
    object_literal_type="object",
    container_literal_type=container_literal_type,
    async_wraps_return=True,
    stored_annotation=stored_annotation,
    builtin_members=TS_BUILTIN_MEMBERS,
    checker="typescript",
    checker_args=("-p", TSCONFIG_NAME, "--noEmit", "--pretty", "false", "--skipLibCheck"),
    checker_config=(TSCONFIG_NAME, TSCONFIG),
    checker_output="tsc-text",
    static_tables=StaticTables(global_calls=TS_GLOBAL_CALLS, constructors=TS_NEW, members=TS_MEMBERS,
                               typeof=TS_TYPEOF, unary_numeric={"number": "number", "bigint": "bigint"}),
)
