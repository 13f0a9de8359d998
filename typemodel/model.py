"""The type model (torch + transformers: the ``train`` extra only; the runtime runs its ONNX export).

A BERT encoder from scratch reads the serialized slice; its mean-pooled output feeds
(a) a linear head over the K-vocabulary (+ ``<other>``), and
(b) a candidate scorer: a candidate type *name* is embedded as the mean of the encoder's own word
    embeddings over its sub-tokens (shared with the slice encoder, so ``UserProfile`` and the
    variable ``user_profile`` meet in one space), passed through a small MLP, plus a learned vector
    for its form (``X``, ``X | None``, ``list[X]``, ...); its logit is the dot product with the
    slice vector plus a linear function of the lexical features of `candidates.py`.
One softmax runs over vocabulary entries and candidates together (`scoring.py`; the loss sums the
probability of every entry that names the label).

`forward` is what gets exported: (input_ids, attention_mask, name_ids, name_mask) ->
(vocab_logits, slice_vec, name_vec), the names and order of `contract.MODEL_INPUTS` and
`contract.ModelOutputs` (a plain tuple here, so that the exported graph stays as it was).  The small
rest (form table, feature weights) goes to ``types.json`` and is applied in numpy at run time
(`scoring.candidate_logits_np`).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from transformers import BertConfig, BertModel

from typeinfer.typemodel.candidates import LANGUAGE_IDS, MAX_FORMS, NUM_BASE_FEATURES, NUM_FEATURES, NUM_FEATURES_V1
from typeinfer.typemodel.config import ModelConfig
from typeinfer.typemodel.contract import ModelOutputs

NEG = -1e4
#: initial weights of the lexical features (name spells type, name covers it, same last word, built by
#: it, type-checked against it, any word covers it); training moves them, this only starts it right
FEATURE_PRIOR = [2.0, 1.0, 1.0, 2.0, 2.0, 0.5]
VISIBLE_PRIOR = 1.0  #: a name the slot's file defines or imports is likelier than one from elsewhere


def bert_config(cfg: ModelConfig) -> BertConfig:
    bc = BertConfig(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden, num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads, intermediate_size=cfg.intermediate,
        hidden_dropout_prob=cfg.dropout, attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=cfg.max_len, type_vocab_size=1, pad_token_id=0,
    )
    bc._attn_implementation = "eager"  # exports cleanly to ONNX; the speed difference is small at 64 tokens
    return bc


class TypeModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = BertModel(bert_config(cfg), add_pooling_layer=False)
        h, d = cfg.hidden, cfg.cand_dim
        self.drop = nn.Dropout(cfg.dropout)
        self.vocab_head = nn.Linear(h, cfg.num_types + 1)
        self.slice_proj = nn.Linear(h, d)
        self.name_mlp = nn.Sequential(nn.LayerNorm(h), nn.Linear(h, h), nn.GELU(), nn.Linear(h, d))
        self.form_table = nn.Parameter(torch.zeros(len(LANGUAGE_IDS) * MAX_FORMS, d))
        self.log_scale = nn.Parameter(torch.tensor(math.log(1.0 / math.sqrt(d))))
        self.feat = nn.Linear(NUM_FEATURES, 1)
        with torch.no_grad():  # prior: a name that spells / builds / checks the type points to it
            self.feat.weight.zero_()
            self.feat.weight[0, :NUM_BASE_FEATURES] = torch.tensor(FEATURE_PRIOR)
            self.feat.weight[0, NUM_FEATURES_V1] = VISIBLE_PRIOR
            self.feat.bias.zero_()

    def forward(self, input_ids, attention_mask, name_ids, name_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.drop((hidden * m).sum(1) / m.sum(1).clamp(min=1.0))
        vocab_logits = self.vocab_head(pooled)
        slice_vec = self.slice_proj(pooled) * self.log_scale.exp()
        emb = self.encoder.embeddings.word_embeddings(name_ids)
        nm = name_mask.unsqueeze(-1).to(emb.dtype)
        name_vec = self.name_mlp((emb * nm).sum(1) / nm.sum(1).clamp(min=1.0))
        return vocab_logits, slice_vec, name_vec

    def candidate_logits(self, slice_vec, name_vec, cand_name, cand_form, feats):
        """[B, C] candidate logits (padding not masked here).

        s . (name + form) is computed as s . name + s . form over the distinct names and forms and
        then gathered, so no [B, C, D] tensor is built: the same numbers as
        `scoring.candidate_logits_np`, and the candidate half of a step no longer rivals the encoder.
        """
        by_name = slice_vec @ name_vec.T  # [B, N]
        by_form = slice_vec @ self.form_table.T  # [B, forms]
        return (by_name.gather(1, cand_name) + by_form.gather(1, cand_form)
                + self.feat(feats).squeeze(-1))

    def all_logits(self, batch_tensors: dict) -> torch.Tensor:
        """[B, V + C] logits with other-language vocabulary entries and candidate padding masked."""
        t = batch_tensors
        out = ModelOutputs(*self(t["input_ids"], t["attention_mask"], t["name_ids"], t["name_mask"]))
        cand = self.candidate_logits(out.slice_vec, out.name_vec, t["cand_name"], t["cand_form"], t["feats"])
        return torch.cat([out.vocab_logits.masked_fill(~t["vocab_ok"], NEG), cand.masked_fill(~t["cand_ok"], NEG)], 1)

    def scorer_params(self) -> dict:
        """The numpy half of the candidate scorer, for ``types.json``."""
        return {
            "form_table": self.form_table.detach().cpu().tolist(),
            "feature_weights": self.feat.weight.detach().cpu()[0].tolist(),
            "feature_bias": float(self.feat.bias.detach().cpu()[0]),
        }


def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean of -log(sum of the probabilities of the entries naming the label)."""
    logp = torch.log_softmax(logits, dim=-1)
    return -(torch.logsumexp(logp.masked_fill(~target, NEG), dim=-1)).mean()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
