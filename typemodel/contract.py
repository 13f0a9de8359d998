"""The model's ONNX interface: the names of the graph's inputs and outputs, defined once.

`typemodel.export` names the exported graph's inputs and outputs from here, and
`typemodel.predictor` feeds the inputs and fetches the outputs by these names (never by position),
so the two cannot drift apart.  `ModelOutputs` is the graph's result: its field names *are* the
ONNX output names, its field order is the order of ``TypeModel.forward``'s return tuple.

Does not: build, train, export or run a model, and does not check shapes or values.  Standard
library only (no torch, no onnxruntime), so the runtime and the training code can both import it.

The shipped ``model/model.onnx`` already has these names (``vocab_logits``, ``slice_vec``,
``name_vec``); renaming a field means re-exporting every model directory.
"""

from __future__ import annotations

from typing import Any, NamedTuple

#: the graph's inputs, in ``TypeModel.forward``'s argument order: token ids and attention mask of the
#: slices [B, T], token ids and mask of the batch's candidate type names [N, L] (all int64)
MODEL_INPUTS: tuple[str, ...] = ("input_ids", "attention_mask", "name_ids", "name_mask")


class ModelOutputs(NamedTuple):
    """One run of the model: numpy arrays from onnxruntime, tensors from ``TypeModel.forward``."""

    vocab_logits: Any  #: [B, K+1] logits over the K-vocabulary (+ ``<other>`` at 0)
    slice_vec: Any  #: [B, D] slice vector, already scaled
    name_vec: Any  #: [N, D] one vector per candidate type name of the batch


#: the graph's outputs, in ``TypeModel.forward``'s return order
MODEL_OUTPUTS: tuple[str, ...] = ModelOutputs._fields


def missing_names(session: Any) -> list[str]:
    """The input and output names of the contract that an onnxruntime session's graph lacks."""
    have = {x.name for x in session.get_inputs()} | {x.name for x in session.get_outputs()}
    return [n for n in (*MODEL_INPUTS, *MODEL_OUTPUTS) if n not in have]


def run_model(session: Any, inputs: dict[str, Any]) -> ModelOutputs:
    """Run an onnxruntime session on `inputs` (keyed by `MODEL_INPUTS`), outputs fetched by name."""
    return ModelOutputs(*session.run(list(MODEL_OUTPUTS), {n: inputs[n] for n in MODEL_INPUTS}))
