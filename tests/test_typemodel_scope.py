"""The scope mask: vocabulary types a slot's file cannot name are never predicted for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from typeinfer.analyzer.slice_schema import ProjectCandidates, TrainingRecord, UsageSlice
from typeinfer.typemodel.config import ModelConfig
from typeinfer.typemodel.data import TypeVocab
from typeinfer.typemodel.model_files import MODEL_FILES, default_model_dir, write_sums
from typeinfer.typemodel.predictor import TypePredictor
from typeinfer.typemodel.scope import ScopeMask, learn_imported_only, type_names


@pytest.mark.parametrize("label, names", [
    ("dict[str, Schema]", {"dict", "str", "Schema"}),
    ("Schema | None", {"Schema", "None"}),
    ("{ written: number; read?: Foo }", {"number", "Foo"}),  # keys are not types
    ("(t: T) => U", {"T", "U"}),  # nor are parameter names
    ("typeof User.jsonCreate.Type", {"User"}),  # a member is reached through its owner
    ('"a" | "b"', set()),
    ("value is Foo", {"Foo"}),
    ("Promise<Record<string, Effect>>", {"Promise", "Record", "string", "Effect"}),
])
def test_type_names(label, names):
    assert type_names(label) == names


def _record(project: str, file: str, label: str, type_params: tuple[str, ...] = ()) -> TrainingRecord:
    s = UsageSlice(name="x", kind="parameter", language="python", file=file, line=1, column=0, function="f",
                   type_params=list(type_params))
    return TrainingRecord(project=project, language="python", kind="parameter", file=file, label=label,
                          label_full=label, is_user_type=False, split="train", slice=s)


def test_imported_only_names_are_those_labels_use_where_the_file_sees_them():
    projects = {
        "a": ProjectCandidates.build(own=["Schema"], imported=["Request"],
                                     visible={"models.py": ["Schema"], "api.py": ["Schema", "Request"]}),
        "b": ProjectCandidates.build(own=["Schema"], visible={"x.py": ["Schema"]}),
        "plain": ProjectCandidates.build(own=["Rare"]),  # no visibility records: ignored
    }
    records = (
        [_record("a", "models.py", "Schema")] * 3 + [_record("b", "x.py", "list[Schema]")] * 2
        + [_record("a", "api.py", "Request")] * 4 + [_record("a", "models.py", "Request")]  # 1 in 5 unseen
        + [_record("a", "models.py", "str")] * 5
        + [_record("a", "models.py", "T", type_params=("T",))] * 3  # a type parameter counts as seen
        + [_record("a", "api.py", "Once")] * 2  # too rare to judge
        + [_record("plain", "m.py", "Rare")] * 5
    )
    assert learn_imported_only(records, projects) == {"python": ["Schema", "T"]}
    assert learn_imported_only(records, projects, max_unseen_share=0.2) == {"python": ["Request", "Schema", "T"]}
    assert learn_imported_only(records, projects, among=["list[Schema]", "str"]) == {"python": ["Schema"]}


def test_the_mask_drops_entries_naming_what_the_file_does_not_see():
    types = ["<other>", "str", "Schema", "list[Schema]", "Request", "Box<T>"]
    languages = ["", "python", "python", "python", "python", "typescript"]
    scope = ScopeMask(types, languages, {"python": ["Schema"], "typescript": ["T"]})
    base = np.asarray([True, True, True, True, True, False])
    project = ProjectCandidates.build(own=["Schema"], visible={"models.py": ["Schema"]})
    assert scope.allowed(base, "python", project, "models.py", ()).tolist() == base.tolist()
    assert scope.allowed(base, "python", project, "cli.py", ()).tolist() == [True, True, False, False, True, False]
    # the same name as a type parameter in scope is visible
    assert scope.allowed(base, "python", project, "cli.py", ("Schema",)).tolist() == base.tolist()
    # without visibility records nothing is masked
    assert scope.allowed(base, "python", None, "cli.py", ()) is base
    assert scope.allowed(base, "python", ProjectCandidates.build(own=["Schema"]), "cli.py", ()) is base
    assert base.tolist() == [True] * 5 + [False]  # never modified in place
    # a model without imported-only names masks nothing, even in a file that sees nothing
    assert ScopeMask(types, languages, {}).allowed(base, "python", project, "cli.py", ()) is base


def test_a_training_label_the_file_cannot_see_targets_other():
    from typeinfer.typemodel.batching import Featurizer
    from typeinfer.typemodel.serialize import serialize
    from typeinfer.typemodel.tokenizer import train_tokenizer

    slices = [UsageSlice(name=n, kind="parameter", language="python", file=f, line=1, column=0, function="f")
              for n, f in (("schema", "models.py"), ("schema", "cli.py"))]
    tok = train_tokenizer([serialize(s) for s in slices] * 3, vocab_size=100, min_frequency=1)
    vocab = TypeVocab(["<other>", "Schema"], ["", "python"], {"python": ["Schema"]})
    feat = Featurizer(tok, ModelConfig(), vocab)
    assert TypeVocab.from_json(json.loads(json.dumps(vocab.to_json()))) == vocab
    b = feat.batch(feat.encode_slices(slices), [None, None], ["Schema", "Schema"])
    assert b.vocab_ok.tolist() == [[True, True], [True, True]]  # no project: nothing known, nothing masked
    cs = feat.candidate_set(ProjectCandidates.build(own=["Other"], visible={"models.py": ["Schema"]}), "python")
    assert cs is not None
    b = feat.batch(feat.encode_slices(slices), [cs, cs], ["Schema", "Schema"])
    assert b.vocab_ok[:, :2].tolist() == [[True, True], [True, False]]
    assert b.target[0, 1] and not b.target[1, 1] and b.target[1, 0]  # the unseen one counts as <other>


def _shipped_copy(tmp_path: Path, imported_only: dict[str, list[str]]) -> Path:
    d = tmp_path / "model"
    shutil.copytree(default_model_dir(), d)
    meta = json.loads((d / "types.json").read_text())
    meta["vocab"]["imported_only"] = imported_only
    (d / "types.json").write_text(json.dumps(meta))
    write_sums(d, [*MODEL_FILES, *[f for f in ("MODEL_CARD.md", "train_stats.json") if (d / f).exists()]])
    return d


def test_the_real_model_never_ranks_a_type_its_file_cannot_name(tmp_path):
    predictor = TypePredictor.load(_shipped_copy(tmp_path, {"python": ["Path"]}))
    s = UsageSlice(name="path", kind="parameter", language="python", file="cli.py", line=1, column=0,
                   function="load_config", param_index=0)
    sees = ProjectCandidates.build(own=["Config"], imported=["Path"], visible={"cli.py": ["Path", "Config"]})
    blind = ProjectCandidates.build(own=["Config"], visible={"models.py": ["Config"]})
    seen, unseen = predictor.predict([s, s], [sees, blind], top_k=10)
    assert any("Path" in type_names(t) for t, _ in seen)
    assert unseen and not any("Path" in type_names(t) for t, _ in unseen)
    assert sum(p for _, p in unseen) <= 1.0 + 1e-6
