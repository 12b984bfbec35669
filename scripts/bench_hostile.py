#!/usr/bin/env python3
"""Benchmark hostile inputs (issue 21): a huge HTML page, a 500 MB text file, a gzip bomb.

Every input is generated into a work folder (removed at the end unless --keep):

html_linear
    A page of N small `<p>` elements (--html-elements, default 100,000) and one of 10 N (a
    million by default, about 30 MB). Each is extracted by `corpus.html.extract` in a fresh
    process (reading excluded); `html_linear` = time for 10 N / time for N. Linear extraction
    gives about 10; the target is <= 12. A run over --html-timeout seconds is stopped: the
    figure is then a lower bound, printed as `>X`.

first_checkpoint_s, rss_500mb_mib
    One text file of --text-mb MB (default 500) of unique Indonesian-like paragraphs, built
    with the real command, `python -m corpus build FILE --out OUT --model MODEL --no-cache`
    (default engine and --jobs), in its own process group.
    - `first_checkpoint_s`: seconds from the start of the command until the first checkpoint
      file appears in `OUT.partial/`: a shard of translated rows (`shards/*.parquet`; a
      unit record, `units/*.json`, written when a unit is prepared, before anything of it is
      translated, does not count, nor do temporary names). The folder is polled every
      --interval seconds (0.2).
    - `rss_500mb_mib`: the peak, over the samples, of the summed resident memory (VmRSS) of
      the build's whole process tree (the command and every process below it: --jobs
      workers, Ray, ...), from the start until --window seconds (30) after the first
      checkpoint; then the build is stopped (SIGTERM, then SIGKILL). A whole 500 MB build
      would take hours with a model: raise --window to watch longer. The PSS sum (shared
      pages divided between the processes that map them) is printed beside it.
    Targets: first checkpoint <= 90 s, peak RSS <= 600 MiB.

warm-up (printed, not in the RESULT line)
    Before the first build, a build of 20 paragraphs with the same model and command, run to
    its end: what the first build with a model does once (the CTranslate2 conversion, cached
    by the model's path: once per checkout for the tiny model, about 280 MiB of torch in the
    build's main process and half a minute; the language-ID store) is then not in the text
    and bomb figures, which are about the input. Its time and peak RSS are printed.

gzip bomb (printed, not in the RESULT line)
    --bomb-gib GiB (default 4) of one repeated paragraph, gzip-compressed (about 1000:1), built
    the same way for --bomb-window seconds (120): its first checkpoint, the peak RSS of the
    tree, the peak size of `OUT.partial/` and whether the progress bar moved (its last line).

MODEL (--model): `tiny` (default: the test suite's tiny model, built or found under
.cache/; translation is fast, so the figures measure the pipeline), `opus` (random weights of
the exact opus-mt-id-en shape, as bench_translate.py and bench_pipeline.py build it: the
figures then include a real-sized model's speed), or a model folder.

    nice -n 5 python scripts/bench_hostile.py                 # everything (up to an hour)
    nice -n 5 python scripts/bench_hostile.py --quick         # small sizes: a smoke run
    python scripts/bench_hostile.py --only text --text-mb 100 --window 10

Ends with `RESULT html_linear=... first_checkpoint_s=... rss_500mb_mib=...`. A part not run
prints `n/a`; an extraction past --html-timeout or a checkpoint that never came within
--checkpoint-timeout (default 1800 s) prints a lower bound, `>X`, and the peak RSS is then the
peak until that limit.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"html_linear": 12.0, "first_checkpoint_s": 90.0, "rss_500mb_mib": 600.0}
WORDS = [
    "pemerintah",
    "kota",
    "desa",
    "harga",
    "beras",
    "petani",
    "hujan",
    "sungai",
    "sekolah",
    "guru",
    "murid",
    "jalan",
    "pasar",
    "rumah",
    "sakit",
    "dokter",
    "warga",
    "menteri",
    "presiden",
    "rapat",
    "anggaran",
    "pembangunan",
    "jembatan",
    "banjir",
    "musim",
    "panen",
    "pupuk",
    "nelayan",
    "laut",
    "pelabuhan",
    "kapal",
    "listrik",
    "air",
    "bersih",
    "kesehatan",
    "pendidikan",
    "ekonomi",
    "daerah",
    "provinsi",
    "kabupaten",
    "kecamatan",
    "kantor",
    "polisi",
    "pengadilan",
    "hakim",
    "undang-undang",
]


# --- inputs ----------------------------------------------------------------------------------------


def html_page(path: Path, elements: int) -> None:
    """A page of `elements` small paragraphs in one article."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html><head><title>Berita</title></head><body><article>\n")
        for start in range(0, elements, 10_000):
            f.write(
                "".join(
                    f"<p>Kalimat nomor {i} tentang harga beras di pasar.</p>\n"
                    for i in range(start, min(start + 10_000, elements))
                )
            )
        f.write("</article></body></html>\n")


def paragraphs(rng: random.Random, n: int) -> list[str]:
    """`n` paragraphs of three sentences (each paragraph line over 200 characters, so no
    cleaner rule on short repeated lines applies)."""
    out = []
    for _ in range(n):
        sentences = []
        for _ in range(3):
            words = rng.choices(WORDS, k=rng.randint(9, 16))
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def text_file(path: Path, megabytes: int, seed: int = 0) -> None:
    """`megabytes` MB of unique paragraphs (a numbered prefix makes every one unique)."""
    rng = random.Random(seed)
    block = paragraphs(rng, 2000)
    target, written, k = megabytes * 1_000_000, 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            chunk = "".join(f"Laporan {k + i}: {p}\n\n" for i, p in enumerate(block))
            k += len(block)
            f.write(chunk)
            written += len(chunk.encode("utf-8"))


def gzip_bomb(path: Path, gib: float) -> None:
    """`gib` GiB of one repeated paragraph, gzip level 9."""
    paragraph = paragraphs(random.Random(1), 1)[0] + "\n\n"
    block = (paragraph * (1 + (1 << 20) // len(paragraph))).encode("utf-8")
    total = int(gib * (1 << 30))
    with gzip.open(path, "wb", compresslevel=9) as f:
        for _ in range(max(1, total // len(block))):
            f.write(block)


# --- measuring -------------------------------------------------------------------------------------


def extraction_seconds(page: Path, timeout: float) -> float | None:
    """Seconds `corpus.html.extract` takes on `page` in a fresh process; None past `timeout`."""
    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "try:\n"
        "    from corpus.html.extract import extract\n"
        "except ImportError:  # the layout before issue 25\n"
        "    from corpus.html import extract\n"
        "html = open(sys.argv[1], encoding='utf-8').read()\n"
        "started = time.perf_counter()\n"
        "extract(html)\n"
        "print(time.perf_counter() - started)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(page)],
            capture_output=True, text=True, timeout=timeout, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def process_tree(root: int) -> list[int]:
    """`root` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over the process tree of `root`. RSS counts a page shared by
    several processes (the libraries every worker maps) once per process; PSS divides it
    between them, so the PSS sum is what the tree costs the machine."""
    rss = pss = 0
    for pid in process_tree(root):
        rss += proc_kib(f"/proc/{pid}/status", "VmRSS:") * 1024
        pss += proc_kib(f"/proc/{pid}/smaps_rollup", "Pss:") * 1024
    return rss, pss


def proc_kib(path: str, key: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total


def is_checkpoint(path: Path) -> bool:
    """A file that records finished work (see the module docstring)."""
    name = path.name
    if ".tmp" in name or name.startswith("."):
        return False
    return path.parent.name == "shards" and name.endswith(".parquet")


def first_checkpoint(partial: Path) -> Path | None:
    if not partial.is_dir():
        return None
    for dirpath, _, files in os.walk(partial):
        for name in files:
            if is_checkpoint(Path(dirpath) / name):
                return Path(dirpath) / name
    return None


@dataclass
class BuildRun:
    first_checkpoint_s: float | None
    peak_rss_mib: float
    peak_pss_mib: float
    peak_disk_mib: float
    finished: bool
    returncode: int | None
    last_progress: str
    seconds: float = 0.0  # until the build ended or was stopped


def watch_build(
    source: Path, out: Path, model: str, *, window: float, timeout: float, interval: float,
    log: Path, until_exit: bool = False,
) -> BuildRun:  # fmt: skip
    """Run `idcorpus build` on `source` and watch it (see the module docstring); with
    `until_exit`, until it ends (or `timeout`), whenever its first checkpoint comes."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}  # fmt: skip
    command = [sys.executable, "-m", "corpus", "build", str(source), "--out", str(out),
               "--model", model, "--no-cache"]  # fmt: skip
    partial = out.with_name(out.name + ".partial")
    started = time.monotonic()
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT,
            start_new_session=True,
        )  # fmt: skip
        checkpoint_at: float | None = None
        peak_rss = peak_pss = peak_disk = 0
        try:
            while proc.poll() is None:
                now = time.monotonic() - started
                rss, pss = tree_memory(proc.pid)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
                peak_disk = max(peak_disk, folder_bytes(partial))
                if checkpoint_at is None and first_checkpoint(partial) is not None:
                    checkpoint_at = now
                if now > timeout and (checkpoint_at is None or until_exit):
                    break
                if checkpoint_at is not None and now > checkpoint_at + window and not until_exit:
                    break
                time.sleep(interval)
        finally:
            finished = proc.poll() is not None
            seconds = time.monotonic() - started
            stop(proc)
    return BuildRun(
        checkpoint_at, peak_rss / 2**20, peak_pss / 2**20, peak_disk / 2**20, finished,
        proc.returncode, last_progress(log), seconds,
    )  # fmt: skip


def stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM to the build's process group, then SIGKILL after 30 s."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def last_progress(log: Path) -> str:
    """The last progress-bar state in the build's stderr (tqdm redraws with CR)."""
    text = log.read_text(encoding="utf-8", errors="replace")
    states = [s.strip() for s in text.replace("\r", "\n").splitlines() if "doc" in s]
    return states[-1] if states else "(no progress line)"


def resolve_model(name: str, cache: Path) -> str:
    if name not in ("tiny", "opus"):
        return name
    spec = importlib.util.spec_from_file_location("btm", ROOT / "scripts" / "build_tiny_model.py")
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    sys.modules["btm"] = builder
    spec.loader.exec_module(builder)
    shape = "tiny" if name == "tiny" else "opus-mt-id-en"
    return str(builder.cached_model(cache, shape))


# --- the three parts -------------------------------------------------------------------------------


def run_html(args: argparse.Namespace, work: Path) -> str:
    n = args.html_elements
    times = {}
    for elements in (n, 10 * n):
        page = work / f"page-{elements}.html"
        html_page(page, elements)
        size = page.stat().st_size / 1e6
        seconds = extraction_seconds(page, args.html_timeout)
        times[elements] = seconds
        shown = f"{seconds:.2f} s" if seconds is not None else f"over {args.html_timeout:.0f} s"
        print(f"html: {elements:>9,} elements ({size:.1f} MB): {shown}", flush=True)
        page.unlink()
        if seconds is None:
            break
    base, big = times.get(n), times.get(10 * n)
    if base is None:
        return "n/a"
    if big is None:
        return f">{args.html_timeout / base:.1f}"
    return f"{big / base:.2f}"


def warm_up(args: argparse.Namespace, work: Path, model: str) -> None:
    """A small build with the same model and command, before anything is measured: what the
    first build with a model does once (the CTranslate2 conversion, keyed by the model's
    path, so once per checkout for the tiny model; the language-ID store) is then not in the
    figures, which are about the input. Its own time and peak are printed."""
    source = work / "warm-up.txt"
    source.write_text("\n\n".join(paragraphs(random.Random(2), 20)) + "\n", encoding="utf-8")
    run = watch_build(source, work / "warm-up-out", model, window=0.0, timeout=args.checkpoint_timeout,
                      interval=args.interval, log=work / "warm-up.log", until_exit=True)  # fmt: skip
    state = f"exit {run.returncode}" if run.finished else "stopped by the benchmark"
    print(f"warm-up build (not counted): {run.seconds:.1f} s, peak of the build tree: RSS "
          f"{run.peak_rss_mib:.0f} MiB (PSS {run.peak_pss_mib:.0f} MiB); {state}", flush=True)  # fmt: skip
    shutil.rmtree(work / "warm-up-out", ignore_errors=True)


def run_text(args: argparse.Namespace, work: Path, model: str) -> tuple[str, str]:
    source = work / "big.txt"
    started = time.monotonic()
    text_file(source, args.text_mb)
    print(f"text: {args.text_mb} MB written in {time.monotonic() - started:.0f} s", flush=True)
    run = watch_build(source, work / "text-out", model, window=args.window,
                      timeout=args.checkpoint_timeout, interval=args.interval,
                      log=work / "text-build.log")  # fmt: skip
    source.unlink()
    report("text", run)
    if run.first_checkpoint_s is not None:
        checkpoint = f"{run.first_checkpoint_s:.1f}"
    else:  # none within the time limit: a lower bound
        checkpoint = f">{args.checkpoint_timeout:.0f}"
    return checkpoint, f"{run.peak_rss_mib:.0f}"


def run_bomb(args: argparse.Namespace, work: Path, model: str) -> None:
    source = work / "bomb.txt.gz"
    started = time.monotonic()
    gzip_bomb(source, args.bomb_gib)
    size = source.stat().st_size / 1e6
    print(f"bomb: {args.bomb_gib} GiB in {size:.1f} MB of gzip, written in "
          f"{time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
    run = watch_build(source, work / "bomb-out", model, window=args.bomb_window,
                      timeout=args.bomb_window, interval=args.interval,
                      log=work / "bomb-build.log")  # fmt: skip
    report("bomb", run)


def report(what: str, run: BuildRun) -> None:
    checkpoint = f"{run.first_checkpoint_s:.1f} s" if run.first_checkpoint_s is not None else "none"
    state = f"finished (exit {run.returncode})" if run.finished else "stopped by the benchmark"
    print(f"{what}: first checkpoint {checkpoint}; peak of the build tree: RSS "
          f"{run.peak_rss_mib:.0f} MiB (PSS {run.peak_pss_mib:.0f} MiB); peak OUT.partial "
          f"{run.peak_disk_mib:.0f} MiB; {state}", flush=True)  # fmt: skip
    print(f"{what}: last progress: {run.last_progress}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", default="html,text,bomb", help="parts to run (comma-separated)")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--html-elements", type=int, default=100_000, help="N (and 10 N)")
    ap.add_argument("--html-timeout", type=float, default=600.0)
    ap.add_argument("--text-mb", type=int, default=500)
    ap.add_argument("--bomb-gib", type=float, default=4.0)
    ap.add_argument("--model", default="tiny", help="tiny, opus or a model folder")
    ap.add_argument("--window", type=float, default=30.0, help="s watched after the checkpoint")
    ap.add_argument("--checkpoint-timeout", type=float, default=1800.0)
    ap.add_argument("--bomb-window", type=float, default=120.0)
    ap.add_argument("--interval", type=float, default=0.2, help="s between samples")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".cache", help="built models")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temp one)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    if args.quick:
        args.html_elements, args.text_mb, args.bomb_gib = 10_000, 5, 0.25
        args.window, args.bomb_window, args.html_timeout = 5.0, 30.0, 120.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = {p.strip() for p in args.only.split(",")}
    work = Path(tempfile.mkdtemp(prefix="bench-hostile-", dir=args.work))
    figures = {"html_linear": "n/a", "first_checkpoint_s": "n/a", "rss_500mb_mib": "n/a"}
    try:
        model = resolve_model(args.model, args.cache_dir) if parts - {"html"} else ""
        if model:
            warm_up(args, work, model)
        if "html" in parts:
            figures["html_linear"] = run_html(args, work)
        if "text" in parts:
            figures["first_checkpoint_s"], figures["rss_500mb_mib"] = run_text(args, work, model)
        if "bomb" in parts:
            run_bomb(args, work, model)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("targets: " + ", ".join(f"{k} <= {v:g}" for k, v in TARGETS.items()))
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
