"""UsageSlice -> the compact, space-separated word text the tokenizer reads.

Does: split identifiers into lower-case words (camelCase, PascalCase, snake_case, digits) -- the
pre-tokenizer step of issue 5, done here in Python so that the tokenizer only splits on
whitespace -- and lay out the slice as sections headed by marker tokens, most informative first,
each list capped, the whole text capped to a word budget.

Does not: read ``declared_type`` (the label) -- ever.  The output is a pure function of the other
fields, so changing the label cannot change the input (tested).  Return expressions' source is
left out too (``return_kinds`` carries what matters, and source can quote annotations).

Example::

    [LANG] python [KIND] parameter 0 [NAME] user id [DEF] call get user by id [CALLS] . execute / 2
    [ARGOF] len : 1 [OPS] + [] [ATTR] . name [FN] get user ...
"""

from __future__ import annotations

import re

from typeinfer.analyzer.slice_schema import UsageSlice

#: Section markers; registered as special tokens so they are never split.
MARKERS = ["[LANG]", "[KIND]", "[NAME]", "[DEF]", "[CALLS]", "[ATTR]", "[ARGOF]", "[OPS]",
           "[CHECK]", "[RET]", "[DEFAULT]", "[FN]", "[CLASS]", "[DECO]", "[SIB]", "[DOC]", "[TPARAM]"]

#: Version of the text `serialize` writes.  A model directory records the format it was trained on
#: (``types.json`` ``input_format``; a model without the field read format 1) and the predictor
#: refuses another one, so a model never reads text laid out unlike its training data.  Bump it
#: with any change to the output.
INPUT_FORMAT = 1

MAX_ITEMS = 6  #: items kept per list section
MAX_WORDS = 96  #: words kept in total (the tokenizer then truncates to ModelConfig.max_len)
MAX_CODE_WORDS = 8  #: words kept from a code snippet (default value, docstring, definition code)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_TYPE_PIECE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[0-9]+|\S")


def split_identifier(name: str) -> list[str]:
    """``getUserByID2`` -> ``[get, user, by, id, 2]``; ``HTTPServer_v2`` -> ``[http, server, v, 2]``."""
    return [w.lower() for w in _WORD.findall(name)]


def type_words(text: str) -> list[str]:
    """A type (or any code) as words: identifiers split, punctuation kept one char at a time.

    ``list[UserProfile] | None`` -> ``[list, [, user, profile, ], |, none]``.
    """
    out: list[str] = []
    for piece in _TYPE_PIECE.findall(text):
        if piece[0].isalpha() or piece[0] == "_":
            out.extend(split_identifier(piece) or ["_"])
        else:
            out.append(piece)
    return out


def short_name(dotted: str) -> str:
    """Last component of a dotted / ``file:Qual.Name`` name."""
    return re.split(r"[.:/]", dotted)[-1] if dotted else ""


def _code(text: str) -> list[str]:
    return type_words(text)[:MAX_CODE_WORDS]


def serialize(s: UsageSlice) -> str:
    """The model input for one slice (deterministic, label-free)."""
    sec: list[list[str]] = []
    head = ["[LANG]", s.language, "[KIND]", s.kind]
    if s.param_index is not None:
        head.append(str(min(s.param_index, 9)))
    head += ["[NAME]"] + (["*"] if s.is_variadic else []) + (["**"] if s.is_keyword_variadic else [])
    head += split_identifier(s.name) or ["_"]
    sec.append(head)
    if s.type_params:  # generic scope: candidates of the form Name<T, U> become possible
        sec.append(["[TPARAM]", *[w for t in s.type_params[:3] for w in split_identifier(t)]])

    if s.defined_by:
        words = ["[DEF]"]
        for d in s.defined_by[:MAX_ITEMS]:
            words.append(d.kind)
            if d.name:
                words += type_words(short_name(d.name))
            if d.resolved and short_name(d.resolved) != d.name:
                words += type_words(short_name(d.resolved.rsplit(".", 1)[0]))  # module / class of callee
            if d.literal_type:
                words += type_words(d.literal_type)
            if d.kind in ("literal", "other", "comprehension", "lambda") and not d.literal_type:
                words += _code(d.code)
        sec.append(words)
    if s.invoked_calls:
        words = ["[CALLS]"]
        for c in s.invoked_calls[:MAX_ITEMS]:
            words += ["."] + split_identifier(c.name) + ["/", str(min(c.arg_count, 9))]
        sec.append(words)
    if s.attribute_reads or s.attribute_writes:
        words = ["[ATTR]"]
        for a in s.attribute_reads[:MAX_ITEMS]:
            words += ["."] + split_identifier(a)
        for a in s.attribute_writes[:MAX_ITEMS]:
            words += [".="] + split_identifier(a)
        sec.append(words)
    if s.arg_to_calls:
        words = ["[ARGOF]"]
        for c in s.arg_to_calls[:MAX_ITEMS]:
            words += split_identifier(c.name)
            words += ["=", *split_identifier(c.keyword)] if c.keyword else [":", str(min(c.position or 0, 9))]
        sec.append(words)
    ops = list(s.operators[:MAX_ITEMS])
    ops += [w for w, on in (("for", s.iterated), ("with", s.with_context), ("await", s.awaited),
                            ("unpack", s.unpacked)) if on]
    ops += [f"[{k}]" for k in s.subscripted_with[:3]]
    if ops:
        sec.append(["[OPS]", *ops])
    if s.type_checks:
        sec.append(["[CHECK]"] + [w for t in s.type_checks[:3] for w in type_words(t)])
    if s.return_kinds:
        sec.append(["[RET]"] + [w for t in s.return_kinds[:MAX_ITEMS] for w in type_words(t)])
    if s.default_value:
        sec.append(["[DEFAULT]", *_code(s.default_value)])
    if s.function and s.kind != "return":
        sec.append(["[FN]", *split_identifier(short_name(s.function))])
    if s.class_name:
        sec.append(["[CLASS]", *split_identifier(short_name(s.class_name))])
    if s.decorators or s.modifiers:
        sec.append(["[DECO]"] + [w for d in s.decorators[:3] for w in split_identifier(short_name(d))]
                   + [m for m in s.modifiers[:3]])
    if s.sibling_names:
        sec.append(["[SIB]"] + [w for n in s.sibling_names[:MAX_ITEMS] for w in split_identifier(n)])
    if s.docstring:
        sec.append(["[DOC]", *_code(s.docstring)])

    words = [w for part in sec for w in part][:MAX_WORDS]
    return " ".join(words)


def candidate_text(type_name: str) -> str:
    """A candidate type name as words, the way the candidate scorer reads it."""
    return " ".join(type_words(type_name))
