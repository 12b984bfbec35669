"""The build configuration: frozen, validated once.

What of it shapes the output is part of the run identity (corpus.pipeline.identity); the rest (where
files go, speed: jobs, threads, batch size, chunk size) is not."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.dataset.filter import FilterConfig
from corpus.errors import ConfigError
from corpus.names import check_split_name
from corpus.read.config import ReadConfig
from translate.base import EngineConfig

EXECUTORS = ("local", "ray")
LOCAL_CHUNK = 2048  # sentences per checkpoint (or checkpoint_seconds, whichever comes first)


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide a Ray build runs (`--executor ray`): the cluster, the translate
    actors, and the documents per work unit (the unit of reading, of resume and of progress)."""

    address: str | None = None
    workers: int = 2
    gpus_per_worker: float = 0.0
    cpus_per_worker: float = 1.0
    tmp_dir: str | None = None
    unit_documents: int = 256

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError(f"--workers must be >= 1, got {self.workers}")
        if self.unit_documents < 1:
            raise ConfigError(f"--unit-documents must be >= 1, got {self.unit_documents}")
        if self.gpus_per_worker < 0 or self.cpus_per_worker <= 0:
            raise ConfigError("--gpus-per-worker must be >= 0 and --cpus-per-worker > 0")


@dataclass(frozen=True)
class BuildConfig:
    inputs: tuple[str, ...]
    out: str
    engine: EngineConfig = field(default_factory=EngineConfig)
    read: ReadConfig = field(default_factory=ReadConfig)
    filter: FilterConfig | None = None
    splits: tuple[tuple[str, float], ...] = (("train", 1.0),)
    seed: int = 0
    executor: str = "local"
    ray: RayOptions = field(default_factory=RayOptions)
    use_cache: bool = True
    cache_path: str | None = None
    signals: bool = True
    rejected: bool = True  # keep the dropped units as the `rejected` configuration
    chunk_sentences: int = 0  # sentences per checkpoint; 0 = automatic (LOCAL_CHUNK)
    checkpoint_seconds: float = 60.0  # a checkpoint at least this often while translating
    jobs: int = (
        0  # worker processes for the CPU stages; 0 = auto (corpus.pipeline.stream.worker_count)
    )
    overwrite: bool = False
    resume: bool = False
    quiet: bool = False
    strict: bool = False

    def __post_init__(self) -> None:
        if not self.inputs:
            raise ConfigError("no input given: name files, folders, globs or - for stdin")
        if not self.out:
            raise ConfigError("--out is required: the folder to write the dataset to")
        if self.executor not in EXECUTORS:
            raise ConfigError(
                f"unknown executor {self.executor!r}; choose one of: {', '.join(EXECUTORS)}"
            )
        if not self.checkpoint_seconds > 0:
            raise ConfigError(f"checkpoint_seconds must be > 0, got {self.checkpoint_seconds}")
        if self.chunk_sentences < 0:
            raise ConfigError(
                f"chunk_sentences must be >= 0 (0 = automatic), got {self.chunk_sentences}"
            )
        if self.executor == "ray" and self.filter is not None and self.filter.dedup != "none":
            raise ConfigError(
                "--dedup needs the whole dataset in one place: build with --executor ray "
                "without it, then run `idcorpus filter` on the result"
            )
        if self.jobs < 0:
            raise ConfigError(f"--jobs must be >= 0 (0 = one per core), got {self.jobs}")
        check_splits(self.splits)

    @property
    def effective_chunk(self) -> int:
        """Sentences per checkpoint of a local build (a Ray build checkpoints per batch)."""
        return self.chunk_sentences or LOCAL_CHUNK


def check_splits(splits: tuple[tuple[str, float], ...]) -> None:
    names = [name for name, _ in splits]
    if not splits or len(set(names)) != len(names):
        raise ConfigError(f"split names must be unique and at least one given, got {names}")
    for name, fraction in splits:
        check_split_name(name, "--split")
        if not 0 < fraction <= 1:
            raise ConfigError(f"split {name!r} fraction must be in (0, 1], got {fraction}")
    total = sum(f for _, f in splits)
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(f"split fractions must add up to 1, got {total:g}")


def parse_splits(text: str) -> tuple[tuple[str, float], ...]:
    """'train=0.98,validation=0.01,test=0.01' -> (("train", 0.98), ...), validated."""
    splits = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(
                f"--split item {item!r} is not NAME=FRACTION (e.g. train=0.98,test=0.02); "
                "to read one split of a Hugging Face dataset input use --input-split"
            )
        try:
            splits.append((name.strip(), float(value)))
        except ValueError as e:
            raise ConfigError(
                f"--split item {item!r} is not NAME=FRACTION (e.g. train=0.98,test=0.02)"
            ) from e
    result = tuple(splits)
    check_splits(result)
    return result
