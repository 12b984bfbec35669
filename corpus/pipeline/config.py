"""The build configuration: frozen, validated once.

What of it shapes the output is part of the run identity (corpus.pipeline.identity); the rest (where
files go, speed: jobs, threads, batch size, chunk size) is not."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from typing import Any

from corpus.dataset.filter import FilterConfig
from corpus.errors import ConfigError
from corpus.names import check_split_name
from corpus.pipeline.stream import available_cores
from corpus.read.config import ReadConfig
from translate.base import EngineConfig
from translate.options import flag, nested

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")
LOCAL_CHUNK = 2048  # sentences per checkpoint (or checkpoint_seconds, whichever comes first)


def filter_when_given(given: dict[str, Any]) -> FilterConfig | None:
    """The filter of a build: none unless a filter option was given, then only those rules."""
    return replace(FilterConfig.off(), **given) if given else None


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


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide a Ray build runs (`--executor ray`): the cluster, the translate
    actors, and the documents per work unit (the unit of reading, of resume and of progress)."""

    address: str | None = field(
        default=None,
        metadata=flag(
            "join this Ray cluster (auto: the one started with `ray start`)",
            name="--ray-address",
            metavar="ADDRESS",
            default_text="start a Ray on this machine",
        ),
    )
    workers: int = field(default=2, metadata=flag("Ray actors translating, one model each"))
    gpus_per_worker: float = field(
        default=0.0, metadata=flag("GPUs per translating actor (0.5 puts two on a GPU)")
    )
    cpus_per_worker: float = field(
        default=1.0, metadata=flag("CPUs each translating actor reserves")
    )
    tmp_dir: str | None = field(
        default=None,
        metadata=flag(
            "folder of Ray's temporary files",
            name="--ray-tmp-dir",
            metavar="FOLDER",
            default_text="a short temp folder",
        ),
    )
    unit_documents: int = field(
        default=256,
        metadata=flag(
            "at most this many (estimated) documents per Ray work unit; a unit also holds at "
            "most about 4 MiB of input, and a large text file is several units"
        ),
    )

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError(f"--workers must be >= 1, got {self.workers}")
        if self.unit_documents < 1:
            raise ConfigError(f"--unit-documents must be >= 1, got {self.unit_documents}")
        for flag_, value in (("--gpus-per-worker", self.gpus_per_worker),
                             ("--cpus-per-worker", self.cpus_per_worker)):  # fmt: skip
            if not math.isfinite(value):
                raise ConfigError(f"{flag_} must be a finite number, got {value}")
        if self.gpus_per_worker < 0 or self.cpus_per_worker <= 0:
            raise ConfigError("--gpus-per-worker must be >= 0 and --cpus-per-worker > 0")


@dataclass(frozen=True)
class BuildConfig:
    """What a build reads, how it translates and what it writes. The fields with `flag(...)`
    (and those of the configs nested in it) are the options of `idcorpus build`."""

    inputs: tuple[str, ...] = field(
        metadata=flag(
            "files, folders (read recursively), globs, or - for stdin; .gz .bz2 .xz .zst "
            "files are read through",
            name="inputs",
            nargs="+",
            metavar="INPUT",
        )
    )
    out: str = field(metadata=flag("the dataset folder to write", metavar="FOLDER"))
    engine: EngineConfig = field(
        default_factory=EngineConfig, metadata=nested(EngineConfig, "model, engine and decoding")
    )
    read: ReadConfig = field(
        default_factory=ReadConfig, metadata=nested(ReadConfig, "reading the inputs")
    )
    filter: FilterConfig | None = field(
        default=None,
        metadata=nested(
            FilterConfig,
            "quality filter (none unless one of these is given; then only the rules given)",
            make=filter_when_given,
        ),
    )
    splits: tuple[tuple[str, float], ...] = field(
        default=(("train", 1.0),),
        metadata=flag(
            "output splits, assigned by document: NAME=FRACTION,... e.g. "
            "train=0.98,validation=0.01,test=0.01",
            name="--split",
            parse=parse_splits,
            metavar="SPLITS",
            default_text="one split, train",
        ),
    )
    seed: int = field(default=0, metadata=flag("seed of the split assignment"))
    executor: str = field(
        default="local",
        metadata=flag("where the build runs: this machine, or a Ray cluster", choices=EXECUTORS),
    )
    ray: RayOptions = field(
        default_factory=RayOptions, metadata=nested(RayOptions, "Ray (with --executor ray)")
    )
    use_cache: bool = field(
        default=True,
        metadata=flag(
            "do not use the translation cache (which makes rebuilds translate only new sentences)",
            name="--no-cache",
            negate=True,
        ),
    )
    cache_path: str | None = field(
        default=None,
        metadata=flag(
            "the translation cache's SQLite file",
            metavar="FILE",
            default_text="translations.sqlite3 in the user cache folder",
        ),
    )
    signals: bool = field(
        default=True,
        metadata=flag(
            "leave out language ID and the other quality signals (faster)",
            name="--no-signals",
            negate=True,
        ),
    )
    rejected: bool = field(
        default=True,
        metadata=flag(
            "do not keep the dropped units (the dataset's `rejected` configuration)",
            name="--no-rejected",
            negate=True,
        ),
    )
    chunk_sentences: int = field(
        default=0,
        metadata=flag(
            "sentences per checkpoint of a local build (0 = 2048; a checkpoint also comes after "
            "at most checkpoint_seconds of translation); changes no byte of the dataset"
        ),
    )
    checkpoint_seconds: float = 60.0  # a checkpoint at least this often while translating
    jobs: int = field(
        default=0,
        metadata=flag(
            "worker processes for reading, cleaning, segmentation and signals; 0 = one per core "
            "(none for an input under 1 MiB); the dataset is the same for any value"
        ),
    )
    overwrite: bool = field(default=False, metadata=flag("replace an existing output folder"))
    resume: bool = field(
        default=False,
        metadata=flag("continue an interrupted build (Ctrl-C, kill, crash) where it stopped"),
    )
    quiet: bool = False
    strict: bool = field(default=False, metadata=flag("exit with code 1 when an input was skipped"))

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
        self._cap_workers()
        check_splits(self.splits)

    def _cap_workers(self) -> None:
        """--jobs, and the CPU translate actors of a Ray cluster started on this machine, at
        most what this machine has (a joined cluster, --ray-address, and GPU actors are Ray's
        to schedule)."""
        cores = available_cores()
        if self.jobs:
            why = f"{cores} core(s) this process may use"
            object.__setattr__(
                self, "jobs", cap_workers(f"--jobs {self.jobs}", self.jobs, cores, why)
            )
        ray = self.ray
        if self.executor == "ray" and ray.address is None and not ray.gpus_per_worker:
            room = max(1, int(cores // ray.cpus_per_worker))
            what = f"--workers {ray.workers} (x --cpus-per-worker {ray.cpus_per_worker:g})"
            why = f"{cores} core(s) of this machine (a larger cluster: --ray-address)"
            workers = cap_workers(what, ray.workers, room, why)
            if workers != ray.workers:
                object.__setattr__(self, "ray", replace(ray, workers=workers))

    @property
    def effective_chunk(self) -> int:
        """Sentences per checkpoint of a local build (a Ray build checkpoints per batch)."""
        return self.chunk_sentences or LOCAL_CHUNK


def cap_workers(what: str, asked: int, room: int, why: str) -> int:
    """`asked` worker processes or actors, at most `room` (what the machine has), saying so
    when it caps: more CPU-bound workers than cores only add memory (each holds its own
    state, a model for a translate actor) and switching, never speed."""
    if asked <= room:
        return asked
    log.warning("%s is more than the %s: using %d", what, why, room)
    return room
