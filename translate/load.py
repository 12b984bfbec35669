"""Pick an engine and load a model with it (the model is found and checked by translate.resolve).

Default engine (`engine="auto"`): CTranslate2 when it is installed, else transformers.
CTranslate2 decodes the same model several times faster (int8 on CPU, float16 on GPU), with
the same tokenizer and the same score definition; its one-time conversion is cached.
Choose `transformers` for bit-for-bit float32 reference output. Neither engine module imports
its heavy library (ctranslate2, torch) until it loads a model.
"""

from __future__ import annotations

import importlib.util

from translate.base import Engine, EngineConfig
from translate.ct2 import CT2Engine
from translate.errors import EngineNotInstalledError
from translate.marian import MarianEngine
from translate.resolve import resolve_model


def choose_engine(name: str) -> str:
    """The engine `name` ("auto", "transformers", "ctranslate2") stands for, checked installed."""
    has_hf = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
    has_ct2 = importlib.util.find_spec("ctranslate2") is not None
    if not has_hf:
        raise EngineNotInstalledError(
            "the translation engines need torch and transformers: install torch first, then "
            "`pip install 'idcorpus[translate]'` (and 'idcorpus[ct2]' for CTranslate2)"
        )
    if name == "ctranslate2" and not has_ct2:
        raise EngineNotInstalledError(
            "--engine ctranslate2 needs the ctranslate2 package: `pip install 'idcorpus[ct2]'`"
        )
    if name == "auto":
        return "ctranslate2" if has_ct2 else "transformers"
    return name


def load_engine(config: EngineConfig) -> Engine:
    """Resolve the model (fast failure), then load it with the chosen engine."""
    name = choose_engine(config.engine)
    resolved = resolve_model(config)
    if name == "ctranslate2":
        return CT2Engine.load(config, resolved)
    return MarianEngine.load(config, resolved)
