"""`idcorpus` with the translation engine slowed down on purpose, for tests/test_interrupts.py.

The engine is the real transformers engine with the real (tiny) model, subclassed so that each
batch first sleeps IDCORPUS_TEST_DELAY seconds and then, once translated, is logged to
IDCORPUS_TEST_BATCHES (one JSON line: sentences, time). SIGINT and SIGTERM are held back while
a batch runs in the main thread, as a compiled engine (CTranslate2) holds them until its batch
returns: a batch is the unit of waiting. Not a mock: every translation is the model's.
IDCORPUS_TEST_CHECKPOINT_S sets the build's checkpoint_seconds. IDCORPUS_TEST_SIGNAL=WHEN:SIG
sends SIG (INT, TERM) to the build itself during the assembly (WHEN=assemble, while its pieces
are written) or just after the dataset was published (WHEN=published). Usage:

    python tests/slow_cli.py build IN --out OUT --model MODEL ...
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from translate.marian import MarianEngine  # noqa: E402
from translate.plan import Output  # noqa: E402

HELD = {signal.SIGINT, signal.SIGTERM}


class SlowMarian(MarianEngine):
    def _generate(self, rows: list[list[int]], limit: int, width: int) -> list[Output]:
        main = threading.current_thread() is threading.main_thread()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD) if main else None
        try:
            time.sleep(float(os.environ.get("IDCORPUS_TEST_DELAY", "0")))
            outputs = super()._generate(rows, limit, width)
            log = os.environ.get("IDCORPUS_TEST_BATCHES")
            if log:
                with open(log, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"n": len(rows), "t": time.time()}) + "\n")
        finally:
            if old is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return outputs


def _signal_at(when: str, sig: signal.Signals) -> None:
    """Send `sig` to this process during the assembly or just after publishing."""
    import corpus.pipeline.assemble as assemble
    from corpus.dataset.writer import DatasetWriter

    def send() -> None:
        os.kill(os.getpid(), sig)

    if when == "assemble":
        write = assemble._write

        def writing(*args: Any) -> None:
            threading.Timer(0.05, send).start()  # arrives while the pieces are written
            write(*args)
            time.sleep(1.0)

        assemble._write = writing
    else:
        finish = DatasetWriter.finish

        def finishing(self: DatasetWriter, *args: Any, **kwargs: Any) -> Any:
            done = finish(self, *args, **kwargs)
            send()
            return done

        DatasetWriter.finish = finishing  # type: ignore[method-assign]


def main() -> NoReturn:
    import corpus.cli.commands as commands
    import corpus.pipeline.local as local
    from corpus.cli.main import run
    from translate.robust import RobustTranslator

    def load(config: Any) -> RobustTranslator:
        engine = SlowMarian.load(config.engine)
        return RobustTranslator(engine, max_input_tokens=config.engine.max_input_tokens)

    local.load_engine = load  # type: ignore[assignment]
    seconds = os.environ.get("IDCORPUS_TEST_CHECKPOINT_S")
    if seconds:
        from corpus.pipeline.config import BuildConfig

        real = commands.from_args

        def with_interval(cls: Any, args: Any, **given: Any) -> Any:
            config = real(cls, args, **given)
            if cls is BuildConfig:
                return replace(config, checkpoint_seconds=float(seconds))
            return config

        commands.from_args = with_interval  # type: ignore[assignment]
    at = os.environ.get("IDCORPUS_TEST_SIGNAL")
    if at:
        when, name = at.split(":")
        _signal_at(when, signal.Signals[f"SIG{name}"])
    run()  # the idcorpus program, as `python -m corpus` runs it


if __name__ == "__main__":
    main()
