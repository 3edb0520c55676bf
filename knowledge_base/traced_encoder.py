"""A cheaper CPU pass for a sentence-transformers BERT: a TorchScript trace, optionally int8.

A question costs one e5 forward pass on the request path, and on two shared cores that pass is the
largest part of the bot's CPU per answer. Tracing removes the Python that runs around every layer
(transformers' wrappers, sentence-transformers' pipeline): the same float32 arithmetic, the same
vectors, about 1.4 times less time for a question (bench/README.md).

``int8`` also quantises the Linear layers (dynamic, per-channel weight scales): about four times less
time, but the vectors move (cosine ~0.99 to float32) and the KB test split loses ~3 points of hit@1,
so it is an operator's choice for a starved machine, off by default. Dynamic quantisation takes each
activation scale from the whole batch, so int8 texts are encoded one per pass: a text's vector then
depends on the text alone, whether it is indexed in bulk or asked while fifty other chats ask too.

Only the layout [Transformer, Pooling (mean or CLS, prompt included), Normalize?] is traced;
``compile_traced`` returns None for anything else and the caller keeps sentence-transformers' path.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
INT8_SUFFIX = "+int8"  # part of the encoder's name, so that an index of the other kind is re-embedded


class TracedBert:
    """One text per pass through the traced model; mean or CLS pooling; L2-normalised float32."""

    def __init__(self, tokenizer: Any, model: Any, *, pooling: str, max_length: int, prompt: str) -> None:
        self._tokenizer = tokenizer
        self._model = model
        self._pooling = pooling
        self._max_length = max_length
        self._prompt = prompt

    def encode_one(self, text: str) -> np.ndarray:
        import torch

        with torch.inference_mode():
            x = self._tokenizer(
                [self._prompt + text], truncation=True, max_length=self._max_length, return_tensors="pt"
            )
            hidden = _hidden(self._model(x["input_ids"], x["attention_mask"]))[0]
            vec = (hidden[0] if self._pooling == "cls" else hidden.mean(dim=0)).numpy()
        return vec / max(float(np.linalg.norm(vec)), 1e-12)


def _hidden(output: Any) -> Any:
    """last_hidden_state from a traced model's output (a dict or a tuple, by transformers version)."""
    return output["last_hidden_state"] if isinstance(output, dict) else output[0]


def compile_traced(st_model: Any, prompt: str, *, int8: bool = False) -> TracedBert | None:
    """The traced path for a loaded SentenceTransformer, or None when its layout is not supported.

    ``int8`` quantises a copy, so that the model is intact for the caller if tracing fails.
    """
    import torch

    modules = list(st_model)
    names = [type(m).__name__ for m in modules]
    if names[:2] != ["Transformer", "Pooling"] or names[2:] not in ([], ["Normalize"]):
        log.info("encoder: module layout %s is not traced; using sentence-transformers", names)
        return None
    config = modules[1].get_config_dict()
    pooling = str(config.get("pooling_mode", "mean"))
    if pooling not in ("mean", "cls") or not config.get("include_prompt", True):
        log.info("encoder: pooling %s is not traced; using sentence-transformers", config)
        return None
    transformer = modules[0]
    tokenizer = transformer.tokenizer
    model = transformer.auto_model.eval()
    example = tokenizer([prompt + "示例问题"], return_tensors="pt")
    args = (example["input_ids"], example["attention_mask"])
    try:
        with warnings.catch_warnings():  # eager quantisation and TorchScript are deprecated, not removed
            warnings.simplefilter("ignore")
            if int8:
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
                )
            with torch.inference_mode():
                traced = torch.jit.trace(model, args, strict=False).eval()
                # Freezing copies weights into graph constants (+40 MB resident beside the eager model that
                # batches still use) for no measurable speed (bench/README.md, issue 17 round 3); the float
                # trace shares the eager model's parameters. The int8 copy replaces the float model: frozen.
                if int8:
                    traced = torch.jit.freeze(traced)
                for _ in range(3):  # TorchScript optimises after a few profiled calls: not on a citizen's question
                    traced(*args)
    except Exception:  # a model transformers can run but TorchScript cannot trace
        log.warning("encoder: tracing failed; using sentence-transformers", exc_info=True)
        return None
    return TracedBert(tokenizer, traced, pooling=pooling, max_length=int(transformer.max_seq_length), prompt=prompt)
