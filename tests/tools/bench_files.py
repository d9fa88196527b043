"""Ingest time against a single file's size: extraction must be linear.

Prints the seconds to ingest one seeds folder holding one file of joined web
articles (from the generated corpus) of 1, 5 and 20 MB, and one file that is
a single line of 350,000 characters and of 1 MB, each with a seconds-per-MB
column: flat means linear.

    python tests/tools/bench_files.py [--sizes 1 5 20] [--line 350000 1000000]

With --freshness, it prints instead what the seed-freshness check costs with
10 and 10,000 files in the seeds folder, unchanged and changed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS.parent.parent))
sys.path.insert(0, str(TOOLS))

from corpus import generate  # noqa: E402

from bot.ingest.build import build_store  # noqa: E402
from bot.ingest.freshness import seeds_fingerprint, seeds_unchanged  # noqa: E402

MEGABYTE = 1_000_000


def joined_articles(corpus: Path, size: int) -> str:
    """Web articles from the corpus, one after another in one text, until it
    holds size bytes of UTF-8 (the articles repeat when the corpus runs out)."""
    articles = [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*_web.txt"))]
    parts: list[str] = []
    total = 0
    while total < size:
        for article in articles:
            parts.append(article)
            total += len(article.encode("utf-8")) + 1
            if total >= size:
                break
    return "\n".join(parts)


def one_line(corpus: Path, characters: int) -> str:
    """The corpus's web paragraphs run together into one line of that many characters."""
    text = "".join(line for path in sorted(corpus.glob("*_web.txt")) for line in path.read_text(encoding="utf-8").splitlines()[2:])
    while len(text) < characters:
        text += text
    return "两会代表委员谈创新\n" + text[:characters] + "\n"


def ingest_seconds(text: str, work: Path, name: str) -> tuple[float, int]:
    seeds = work / name
    seeds.mkdir()
    (seeds / f"{name}.txt").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    report = build_store(seeds, work / f"{name}.db", progress=False, max_seed_bytes=len(text.encode("utf-8")) + 1)
    return time.perf_counter() - started, report.paragraphs


def freshness(work: Path, counts: tuple[int, ...] = (10, 10_000), rounds: int = 20) -> None:
    """Milliseconds per freshness check, the folder unchanged and changed."""
    print(f"{'seed files':>10} {'unchanged ms':>13} {'changed ms':>11}")
    for count in counts:
        seeds = work / f"seeds{count}"
        seeds.mkdir()
        for number in range(count):
            (seeds / f"{number:05d}.txt").write_text("标题\n正文。\n", encoding="utf-8")
        settled = time.time() - 60  # a folder that changed just now is not trusted: see freshness.RACY_SECONDS
        os.utime(seeds, (settled, settled))
        recorded = seeds_fingerprint(seeds)
        timings = []
        for changed in (False, True):
            if changed:
                (seeds / "lock").touch()
            started = time.perf_counter()
            for _ in range(rounds):
                seeds_unchanged(recorded, seeds)
            timings.append((time.perf_counter() - started) / rounds * 1000)
        print(f"{count:>10,} {timings[0]:>13.3f} {timings[1]:>11.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20], help="joined-article file sizes, MB")
    parser.add_argument("--line", type=int, nargs="+", default=[350_000, 1_000_000], help="single-line lengths, characters")
    parser.add_argument("--freshness", action="store_true", help="time the seed-freshness check instead")
    args = parser.parse_args()
    if args.freshness:
        with tempfile.TemporaryDirectory() as directory:
            freshness(Path(directory))
        return 0
    print(f"# {platform.python_version()}, {os.cpu_count()} CPUs; seconds include loading jieba (about 1 s)")
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        corpus = work / "corpus"
        generate(corpus, articles=200, seed=20250305)
        print(f"{'file':<32} {'MB':>6} {'paragraphs':>10} {'seconds':>8} {'s/MB':>6}")
        cases = [(f"joined articles, {size:g} MB", joined_articles(corpus, int(size * MEGABYTE))) for size in args.sizes]
        cases += [(f"one line of {length:,} characters", one_line(corpus, length)) for length in args.line]
        for number, (label, text) in enumerate(cases):
            megabytes = len(text.encode("utf-8")) / MEGABYTE
            seconds, paragraphs = ingest_seconds(text, work, f"case{number}")
            print(f"{label:<32} {megabytes:>6.2f} {paragraphs:>10} {seconds:>8.1f} {seconds / megabytes:>6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
