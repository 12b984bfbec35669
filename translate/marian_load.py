"""Loading the transformers engine's model (for translate/marian.py): the device and compute
type asked for, checked, and the safetensors weights, refused when incomplete."""

from __future__ import annotations

from typing import Any

from translate.base import chosen_device
from translate.errors import ModelLoadError

HF_COMPUTE_TYPES = ("auto", "float32", "float16", "bfloat16")


def pick_device(device: str) -> str:
    import torch

    return chosen_device(device, torch.cuda.is_available(), "torch")


def pick_dtype(compute_type: str, device: str) -> str:
    if compute_type not in HF_COMPUTE_TYPES:
        raise ModelLoadError(
            f"compute type {compute_type!r} is not supported by the transformers engine; "
            f"choose one of: {', '.join(HF_COMPUTE_TYPES)} (or use --engine ctranslate2)"
        )
    if compute_type == "auto":
        return "float16" if device == "cuda" else "float32"
    return compute_type


def load_model(path: str, dtype: Any, device: str) -> Any:
    """The safetensors weights; a file that lacks some of the model's weights is refused
    (transformers would fill them with random values and only log it)."""
    from safetensors import SafetensorError
    from transformers import AutoModelForSeq2SeqLM

    try:
        model, info = AutoModelForSeq2SeqLM.from_pretrained(
            path, use_safetensors=True, dtype=dtype, output_loading_info=True
        )
        # generate() fills unset options from here: without this a hypothesis cut at the
        # length limit would end in a forced eos (CTranslate2 just stops)
        model.generation_config.forced_eos_token_id = None
    except (OSError, ValueError, KeyError, ImportError, RuntimeError, SafetensorError) as e:
        raise ModelLoadError(
            f"cannot load the model weights from {path} ({type(e).__name__}: {e}); only "
            "safetensors weights that match config.json are loaded: copy or download the "
            "model again"
        ) from e
    derived = ("embed_positions.weight", "final_logits_bias")  # rebuilt when absent
    missing = sorted(k for k in info.get("missing_keys", ()) if not k.endswith(derived))
    if missing:
        raise ModelLoadError(
            f"the weights in {path} lack {len(missing)} tensor(s) the model needs "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}): the "
            "safetensors file is incomplete or of another model; copy or download it again"
        )
    return model.to(device).eval()
