"""What a Marian model's config.json asks of its weights: every tensor, by name and shape.

`expected_tensors(config)` lists the tensors a MarianMTModel of that config has, as
transformers names them (`model.encoder.layers.0.fc1.weight` ...). Some are one tensor under
several names (`Group.names`): the shared embedding (`model.shared.weight`, the encoder's and
decoder's `embed_tokens`, and `lm_head.weight` when the output layer is tied to it) may be
stored under any of them; one of the names must be present, and every one present must have
the group's shape. Tensors rebuilt when absent (`OPTIONAL`: the sinusoidal position tables
and the zero `final_logits_bias`) need not be stored, but must have their shape when they are.

`check_tensors(stored, config)` compares a folder's tensors (name -> (dtype, shape), read from
the safetensors headers, no tensor loaded) with that list and returns the problems in words:
a tensor missing, one of another shape, one that is not a floating-point tensor. This is what
the CTranslate2 converter and transformers would otherwise meet while loading, where a missing
tensor is filled at random.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FLOAT_DTYPES = frozenset({"F16", "BF16", "F32", "F64"})
ATTENTION = ("q_proj", "k_proj", "v_proj", "out_proj")


@dataclass(frozen=True)
class Group:
    """One tensor, stored under any of `names` (the first is the one messages use)."""

    names: tuple[str, ...]
    shape: tuple[int, ...]
    optional: bool = False


def _int(config: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} is {value!r}, not a positive whole number")
    return value


def expected_tensors(config: Mapping[str, Any]) -> list[Group]:
    """The tensors of a MarianMTModel of `config` (see the module docstring). Raises
    ValueError naming a config key that is missing or not a positive whole number."""
    d = _int(config, "d_model")
    vocab = _int(config, "vocab_size")
    has_target = config.get("decoder_vocab_size") is not None
    target_vocab = _int(config, "decoder_vocab_size") if has_target else vocab
    shared = bool(config.get("share_encoder_decoder_embeddings", True))
    tied = bool(config.get("tie_word_embeddings", True))
    positions = _int(config, "max_position_embeddings", 512)
    groups = _embeddings(d, vocab, target_vocab, shared, tied)
    groups += [
        Group(("final_logits_bias",), (1, target_vocab), optional=True),
        Group(("model.encoder.embed_positions.weight",), (positions, d), optional=True),
        Group(("model.decoder.embed_positions.weight",), (positions, d), optional=True),
    ]
    for side, layers_key, ffn_key in (
        ("encoder", "encoder_layers", "encoder_ffn_dim"),
        ("decoder", "decoder_layers", "decoder_ffn_dim"),
    ):
        ffn = _int(config, ffn_key)
        for i in range(_int(config, layers_key)):
            groups += _layer(f"model.{side}.layers.{i}.", d, ffn, cross=side == "decoder")
    return groups


def _embeddings(d: int, vocab: int, target: int, shared: bool, tied: bool) -> list[Group]:
    encoder, decoder = "model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight"
    if shared:
        names = ("model.shared.weight", encoder, decoder) + (("lm_head.weight",) if tied else ())
        groups = [Group(names, (vocab, d))]
        return groups if tied else [*groups, Group(("lm_head.weight",), (target, d))]
    output = (decoder, "lm_head.weight") if tied else (decoder,)
    groups = [Group((encoder, "model.shared.weight"), (vocab, d)), Group(output, (target, d))]
    return groups if tied else [*groups, Group(("lm_head.weight",), (target, d))]


def _layer(prefix: str, d: int, ffn: int, cross: bool) -> list[Group]:
    blocks = ("self_attn", "encoder_attn") if cross else ("self_attn",)
    shapes: dict[str, tuple[int, ...]] = {}
    for block in blocks:
        for proj in ATTENTION:
            shapes[f"{block}.{proj}.weight"] = (d, d)
            shapes[f"{block}.{proj}.bias"] = (d,)
        shapes[f"{block}_layer_norm.weight"] = (d,)
        shapes[f"{block}_layer_norm.bias"] = (d,)
    shapes.update({"fc1.weight": (ffn, d), "fc1.bias": (ffn,), "fc2.weight": (d, ffn),
                   "fc2.bias": (d,), "final_layer_norm.weight": (d,),
                   "final_layer_norm.bias": (d,)})  # fmt: skip
    return [Group((prefix + name,), shape) for name, shape in shapes.items()]


def stored_names(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Tensor names as transformers sees them: a checkpoint of the bare MarianModel names
    them without the `model.` prefix."""
    top = ("model.", "lm_head.", "final_logits_bias")
    if any(name.startswith(top) for name in stored):
        return dict(stored)
    return {("model." + k if k != "final_logits_bias" else k): v for k, v in stored.items()}


def check_tensors(stored: Mapping[str, Sequence[Any]], config: Mapping[str, Any]) -> list[str]:
    """The problems of `stored` (name -> (dtype, shape, ...)) against `config`, in words; []
    when every tensor the config needs is there, of its shape."""
    tensors = stored_names(stored)
    problems = []
    for group in expected_tensors(config):
        present = [name for name in group.names if name in tensors]
        if not present and not group.optional:
            problems.append(f"lacks tensor {group.names[0]} {list(group.shape)}")
        for name in present:
            dtype, shape = tensors[name][:2]
            if tuple(shape) != group.shape:
                problems.append(
                    f"has tensor {name} of shape {list(shape)} where config.json needs "
                    f"{list(group.shape)}"
                )
            elif dtype not in FLOAT_DTYPES:
                problems.append(f"has tensor {name} of type {dtype}, not floating point")
    return problems


def source_embedding(stored: Mapping[str, Sequence[Any]]) -> str | None:
    """The stored name of the source embedding matrix (the one the tokenizer's ids index)."""
    tensors = stored_names(stored)
    for name in ("model.shared.weight", "model.encoder.embed_tokens.weight"):
        if name in tensors and len(tensors[name][1]) == 2:
            return name
    return None
