"""What a build's worker processes hold between tasks: as little as they can.

A `--jobs` worker lives for the whole build and runs thousands of short tasks; whatever one
task leaves behind is resident until the build ends, once per worker. Measured on the 500 MB
text input of scripts/bench_hostile.py (the README's "Hostile inputs, measured"):

- `arrow_without_pandas`: pyarrow imports pandas (and pyarrow.pandas_compat, about 350
  modules, 20-30 MiB per process) the first time `pa.array` converts a Python list, only to
  ask whether the list is a pandas object. Asked once while pandas cannot be imported,
  pyarrow remembers the answer "no pandas" for that check, so a shard's rows (lists
  converted to a given schema) become a table without pandas; pyarrow's other uses of pandas
  (`to_pandas`, `from_pandas`, `pa.table`, type inference of an untyped list) still import
  it when called. A process that may meet pandas objects through another library (a worker
  reading a Hugging Face dataset: `datasets` uses pandas) must not call it: pyarrow would then
  treat a pandas Series passed to `pa.array` as a plain sequence.
- `release_memory`: memory freed by a task goes back to the system (Arrow's pool keeps what
  it allocated for reuse, glibc's heap keeps freed pages below its top), so a worker's
  resident size after a checkpoint is what it holds, not its largest task.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import importlib.abc
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class _NoPandas(importlib.abc.MetaPathFinder):
    """An import finder under which `import pandas` fails."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def arrow_without_pandas() -> bool:
    """Make pyarrow's implicit pandas check answer "no" in this process without importing
    pandas (see the module docstring); False where pandas is imported already (nothing to
    save) or pyarrow asked before."""
    if "pandas" in sys.modules:
        return False
    import pyarrow as pa

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([], type=pa.int8())  # pyarrow's first check of a list: pandas is absent
    finally:
        sys.meta_path.remove(finder)
    return "pandas" not in sys.modules


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    return getattr(ctypes.CDLL(name), "malloc_trim", None)


def release_memory(collect: bool = False) -> None:
    """Give memory freed by the last task back to the system: Arrow's unused pool memory,
    then the free pages of the C heap (glibc only; a few milliseconds); `collect`: first
    free unreachable cycles (`gc.collect`, tens of milliseconds)."""
    if collect:
        gc.collect()
    if "pyarrow" in sys.modules:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
