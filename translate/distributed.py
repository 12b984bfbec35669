"""The translate stage on Ray Data: an actor pool, each actor holding one loaded engine.

`RayTranslator` implements the same `Translator` interface as the local engines, so the
pipeline (cache lookups before dispatch, stores after, checkpoints, assembly) is the same for
both executors. Sentences go to the pool sorted by length, so each Ray batch pads little;
results come back with their index and are put back in input order. Every actor wraps its
engine in `RobustTranslator`: long-sentence splitting and the degeneration retry run there.
An actor that dies is restarted by Ray and its batch retried (Ray Data's defaults for actor
pools: unlimited restarts and task retries), so no row is lost or duplicated.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate.base import EngineConfig, Translation
from translate.errors import EngineNotInstalledError

log = logging.getLogger(__name__)
RAY_BATCH_SENTENCES = 256
_FIELDS = ("text", "score", "tokens", "src_tokens", "split", "retried", "degenerate")
# Test hook: when this names a file that does not exist yet, the first actor call creates it
# and kills its own process, so tests can show that a dead actor changes nothing.
KILL_ONCE_ENV = "IDCORPUS_TEST_KILL_ACTOR_ONCE"


def _import_ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError as e:
        raise EngineNotInstalledError(
            '--executor ray needs Ray Data: pip install "idcorpus[ray]"'
        ) from e
    return ray


class _TranslateActor:
    """Runs in a Ray actor: loads the engine once, translates batches of rows."""

    def __init__(self, config: EngineConfig):
        from translate.load import load_engine
        from translate.robust import RobustTranslator

        self.translator = RobustTranslator(
            load_engine(config), max_input_tokens=config.max_input_tokens
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        marker = os.environ.get(KILL_ONCE_ENV)
        if marker and not os.path.exists(marker):
            Path(marker).write_text(str(os.getpid()))
            os._exit(1)
        results = self.translator.translate_batch([str(t) for t in batch["source"]])
        out: dict[str, Any] = {"index": batch["index"]}
        for name in _FIELDS:
            out[name] = [getattr(r, name) for r in results]
        return out


def _describe(config: EngineConfig) -> dict[str, str]:
    return _TranslateActor(config).translator.describe()


def short_temp_dir(preferred: str | None) -> str:
    """Ray's socket paths must stay short (about 107 bytes): use `preferred` when it is."""
    if preferred and len(os.path.abspath(preferred)) <= 40:
        os.makedirs(preferred, exist_ok=True)
        return os.path.abspath(preferred)
    return tempfile.mkdtemp(prefix="idcorpus-ray-")


class RayTranslator:
    def __init__(
        self,
        config: EngineConfig,
        *,
        address: str | None = None,
        workers: int = 2,
        gpus_per_worker: float = 0.0,
        cpus_per_worker: float = 1.0,
        tmp_dir: str | None = None,
    ):
        from translate.load import resolve_model

        resolve_model(config)  # fail fast on the driver, before any input is read
        self.ray = _import_ray()
        self.config = config
        self.workers = workers
        self.resources = {"num_cpus": cpus_per_worker, "num_gpus": gpus_per_worker}
        self._started = self._init(address, tmp_dir)
        self._describe: dict[str, str] | None = None

    def _init(self, address: str | None, tmp_dir: str | None) -> bool:
        if self.ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = os.cpu_count() or 1
            kwargs["_temp_dir"] = short_temp_dir(tmp_dir)
            kwargs["object_store_memory"] = 512 * 1024 * 1024
        self.ray.init(**kwargs)
        ctx = self.ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        return True

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        if not sentences:
            return []
        order = sorted(range(len(sentences)), key=lambda i: (-len(sentences[i]), i))
        items = [{"index": i, "source": sentences[i]} for i in order]
        ds = self.ray.data.from_items(
            items, override_num_blocks=max(1, len(items) // RAY_BATCH_SENTENCES)
        )
        ds = ds.map_batches(
            _TranslateActor,
            fn_constructor_kwargs={"config": self.config},
            compute=self.ray.data.ActorPoolStrategy(size=self.workers),
            batch_size=RAY_BATCH_SENTENCES,
            batch_format="numpy",
            **self.resources,
        )
        out: list[Translation | None] = [None] * len(sentences)
        for row in ds.iter_rows():
            out[int(row["index"])] = Translation(**{f: _plain(row[f]) for f in _FIELDS})
        missing = [i for i, t in enumerate(out) if t is None]
        if missing:
            from translate.errors import TranslationError

            raise TranslationError(f"Ray returned no result for {len(missing)} sentences")
        return out  # type: ignore[return-value]

    def describe(self) -> dict[str, str]:
        if self._describe is None:
            remote = self.ray.remote(**self.resources)(_describe)
            self._describe = dict(self.ray.get(remote.remote(self.config)))
        return self._describe

    def close(self) -> None:
        if self._started and self.ray.is_initialized():
            self.ray.shutdown()


def _plain(value: Any) -> Any:
    """numpy scalars -> Python values (Translation is compared and cached as plain data)."""
    return value.item() if hasattr(value, "item") else value
