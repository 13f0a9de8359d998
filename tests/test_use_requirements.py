"""A guess is judged by where the slot's value goes (`use_requirements.UseRequirements`): a use that
refuses every member of the guess vetoes it, and the model's next alternative that nothing
contradicts takes its place; uses that admit the guess, or cannot tell, keep it."""

from __future__ import annotations

import textwrap

from fixed_predictor import FixedPredictor

from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text


def rows(code, ranking, path="m.py"):
    """Each slot's prediction, by (kind, function's last name, name), for one file of `code`."""
    cpg = build_sources([source_from_text(textwrap.dedent(code), path)])
    result = infer_graph(cpg, InferenceOptions(use_model=True), predictor=FixedPredictor(ranking))
    return {(p.kind, p.function.rsplit(".", 1)[-1], p.name): p for p in result.predictions}


def test_a_guess_a_stdlib_parameter_refuses_gives_way_to_the_next_alternative():
    r = rows("""
        def show(value, floatfmt):
            return format(float(value), floatfmt)
    """, ranking=[("float", 0.7), ("str", 0.2)])
    slot = r["parameter", "show", "floatfmt"]
    assert (slot.type, slot.confidence) == ("str", 0.2)


def test_a_guess_every_use_refuses_is_not_annotated_and_says_which_use():
    r = rows("""
        def widths_line(widths, hidden, indent):
            cells = ['-' * w for w in widths]
            if 'lineabove' not in hidden:
                cells.append(indent + 'x')
            for w in widths:
                cells.append(str(w))
            return cells
    """, ranking=[("int", 0.9), ("bool", 0.05)])
    assert r["parameter", "widths_line", "widths"].type == ""
    assert "iterated in" in r["parameter", "widths_line", "widths"].evidence
    assert r["parameter", "widths_line", "hidden"].type == ""
    assert "searched by" in r["parameter", "widths_line", "hidden"].evidence
    assert r["parameter", "widths_line", "indent"].type == ""
    assert "an operand of +" in r["parameter", "widths_line", "indent"].evidence


def test_a_parameter_passed_on_to_a_project_function_inherits_what_its_uses_refuse():
    r = rows("""
        def build(colwidths, fill):
            return [fill * w for w in colwidths]


        def append_line(lines, colwidths):
            lines.append(build(colwidths, '-'))
            return lines
    """, ranking=[("int", 0.9)])
    assert r["parameter", "build", "colwidths"].type == ""
    assert r["parameter", "append_line", "colwidths"].type == ""
    assert "passed as colwidths to build" in r["parameter", "append_line", "colwidths"].evidence


def test_a_return_value_stored_once_and_iterated_refuses_a_scalar_return_type():
    r = rows("""
        from columns import flags


        def expand(flag, count):
            return flags(flag, count)


        def table(cols, flag):
            numparses = expand(flag, len(cols))
            return [(c, n) for c, n in zip(cols, numparses)]
    """, ranking=[("int", 0.9)])
    assert r["return", "expand", "expand"].type == ""


def test_a_parameter_called_with_a_variable_bound_to_a_list_is_no_scalar():
    r = rows("""
        def append_row(lines, colwidths):
            lines.append(colwidths)


        def multiline(lines, padded, pad):
            colwidths = [w - 2 * pad for w in padded]
            append_row(lines, colwidths)
    """, ranking=[("int", 0.9)])
    slot = r["parameter", "append_row", "colwidths"]
    assert slot.type == "" and "called with colwidths" in slot.evidence


def test_uses_that_admit_the_guess_or_cannot_tell_keep_it():
    r = rows("""
        def keep(name, count, handler, maybe=None):
            handler(count)
            total = count + 1
            parts = name.split(',')
            if maybe is not None:
                total += maybe
            return len(name) + total, parts
    """, ranking=[("str", 0.9), ("int", 0.05)])
    assert r["parameter", "keep", "name"].type == "str"
    r = rows("""
        def keep(count, handler):
            handler(count)
            return count + 1, range(count)
    """, ranking=[("int", 0.9)])
    assert r["parameter", "keep", "count"].type == "int"


def test_a_variable_unpacked_from_a_tuple_with_none_is_not_annotated_without_it():
    r = rows("""
        import mimetypes


        def guess(filename):
            mimetype = 'text/plain'
            mimetype, encoding = mimetypes.guess_type(filename)
            return mimetype
    """, ranking=[("str", 0.9)])
    slot = r["variable", "guess", "mimetype"]
    assert slot.type == "" and "unpacked from" in slot.evidence


def test_a_class_attribute_bound_to_a_helper_returning_a_property_is_not_annotated():
    r = rows("""
        def local_property(name=None):
            def fget(self):
                return self.__dict__[name]
            return property(fget)


        class Response:
            body = local_property()
    """, ranking=[("str", 0.9)])
    assert r["attribute", "", "body"].type == ""
    assert "property descriptor" in r["attribute", "", "body"].evidence


def ts_rows(code, ranking):
    return rows(code, ranking, "src/m.ts")


def test_a_typescript_parameter_called_with_an_object_literal_is_no_string():
    r = ts_rows("""
        export function makeJwt(header, payload) {
          return btoa(JSON.stringify(header)) + "." + btoa(JSON.stringify(payload));
        }
        export function use() {
          return makeJwt({ typ: "JWT", alg: "HS256" }, {});
        }
    """, ranking=[("string", 0.9)])
    slot = r["parameter", "makeJwt", "header"]
    assert slot.type == "" and "called with {" in slot.evidence


def test_a_method_read_without_a_call_gets_no_variable_annotation():
    r = ts_rows("""
        export class ZodNumber {
          multipleOf(value: number): ZodNumber { return this; }
          static create(): ZodNumber { return new ZodNumber(); }
          get isInt(): boolean { return true; }
          describe() {
            const step = this.multipleOf;
            const flag = this.isInt;
            return [step, flag];
          }
        }
        export const numberType = ZodNumber.create;
    """, ranking=[("number", 0.9)])
    assert r["variable", "describe", "step"].type == ""
    assert "a method" in r["variable", "describe", "step"].evidence
    assert r["variable", "", "numberType"].type == ""
    assert r["variable", "describe", "flag"].type != ""  # a getter's value is no method
    r = rows("""
        class Stream:
            def isatty(self):
                return False

            def run(self):
                check = self.isatty
                return check
    """, ranking=[("bool", 0.9)])
    assert r["variable", "run", "check"].type == "" and "bound to the method" in r["variable", "run", "check"].evidence


def test_a_value_narrowed_by_a_type_predicate_has_no_static_type_from_its_definition():
    r = ts_rows("""
        export type Sync = { status: string };
        export type Result = Sync | Promise<Sync>;
        export const isAsync = (x: Result): x is Promise<Sync> => x instanceof Promise;
        export class Schema {
          parse(input: number): Result { return { status: "ok" }; }
          parseSync(input: number) {
            const result = this.parse(input);
            if (isAsync(result)) {
              throw new Error("async");
            }
            return result;
          }
        }
    """, ranking=[("Result", 0.9)])
    assert r["return", "parseSync", "parseSync"].source != "static"


def test_a_typescript_parameter_type_must_have_the_keys_callers_pass_and_the_body_destructures():
    code = """
        export interface ParseParams { path: string[]; async: boolean }
        export interface IssueParams { data?: unknown; path: string[]; issueData: object }
        export const makeIssue = (params) => {
          const { data, path, issueData } = params;
          return [data, path, issueData];
        };
        export function addIssue(options) {
          return options.path;
        }
        export function use(ctx) {
          addIssue({ path: [], issueData: {} });
          return makeIssue({ data: 1, path: [], issueData: {} });
        }
    """
    r = ts_rows(code, ranking=[("ParseParams", 0.9), ("IssueParams", 0.05)])
    assert r["parameter", "makeIssue", "params"].type == "IssueParams"  # ParseParams lacks .data
    assert r["parameter", "addIssue", "options"].type == "IssueParams"


def test_a_typescript_variable_is_not_typed_as_the_type_named_after_it():
    r = ts_rows("""
        import { z } from "zod";
        export const Partial = z.object({ a: z.string() }).partial();
        export type Partial = z.infer<typeof Partial>;
    """, ranking=[("Partial", 0.9), ("ZodObject", 0.05)])
    assert r["variable", "", "Partial"].type == "ZodObject"


def test_promise_resolve_of_a_project_alias_has_no_static_type():
    r = ts_rows("""
        export type Sync = { status: string };
        export type Result = Sync | Promise<Sync>;
        export function make(): Result { return { status: "ok" }; }
        export function later() {
          const result: Result = make();
          return Promise.resolve(result);
        }
        export function plain() {
          return Promise.resolve(1);
        }
    """, ranking=[("string", 0.01)])
    assert (r["return", "later", "later"].type, r["return", "later", "later"].source) == ("string", "model")
    assert (r["return", "plain", "plain"].type, r["return", "plain", "plain"].source) == ("Promise<number>", "static")


def test_values_that_may_be_narrowed_merged_or_defaulted_never_veto_a_correct_guess():
    r = rows("""
        def double(n):
            return n * 2


        def run(flag, verbose=False):
            count = None
            if flag:
                count = 3
            if count is not None:
                double(count)
            return verbose


        def scale(factor):
            return factor * 2


        def parse(factor):
            if isinstance(factor, str):
                factor = float(factor)
            return scale(factor)


        def main(xs, flag):
            level = 2
            run(True, verbose=level)
            parse("1.5")
            first, *middle, last = ("a", 1, 2, b"x")
            return [a for a in [b for b in xs] if flag], last
    """, ranking=[("int", 0.9), ("float", 0.05), ("bool", 0.04), ("bytes", 0.01)])
    assert r["parameter", "double", "n"].type == "int"  # called with count only where it is not None
    assert r["variable", "main", "level"].type == "int"  # the default False says nothing of what verbose takes
    assert r["parameter", "scale", "factor"].type == "int"  # not refused by the "1.5" parse() narrows away
    assert r["parameter", "main", "flag"].type == "int"  # an `if` condition of a comprehension is not iterated
    assert "unpacked" not in r["variable", "main", "last"].evidence  # the item after a star is not item 3


def test_a_typescript_type_with_an_index_signature_or_a_library_base_takes_any_key():
    r = ts_rows("""
        import type { HTMLAttributes } from "react";
        export interface Counts { [key: string]: number }
        export interface BoxProps extends HTMLAttributes<HTMLDivElement> { variant: string }
        export function total(counts) { return Object.keys(counts).length; }
        export function box(props) { return props.variant; }
        export function use() {
          total({ apples: 1 });
          return box({ variant: "a", id: "b" });
        }
    """, ranking=[("Counts", 0.5), ("BoxProps", 0.4)])
    assert r["parameter", "total", "counts"].type == "Counts"
    r = ts_rows("""
        import type { HTMLAttributes } from "react";
        export interface BoxProps extends HTMLAttributes<HTMLDivElement> { variant: string }
        export function box(props) { return props.variant; }
        export function use() { return box({ variant: "a", id: "b" }); }
    """, ranking=[("BoxProps", 0.9)])
    assert r["parameter", "box", "props"].type == "BoxProps"


def test_a_typescript_generic_without_defaults_is_never_guessed_without_type_arguments():
    r = ts_rows("""
        export type Values<T extends string[]> = { values: T };
        export class Box<T = unknown> { value: T; constructor(v: T) { this.value = v; } }
        export function make(items) { return { values: items }; }
        export function wrap(item) { return new Box(item); }
        export function use(v, b) { return [make(v).values, wrap(b).value]; }
    """, ranking=[("Values", 0.6), ("Box", 0.3)])
    assert r["parameter", "use", "v"].type == "Box"  # Values needs <T>; Box's T has a default
    assert r["return", "make", "make"].type != "Values"
