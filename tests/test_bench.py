"""Smoke tests for ``python tests/tools/bench.py``: each subcommand runs with tiny
settings and prints the rows and numbers a report needs.

The benchmarks never judge speed, so neither do these tests: they check that
the tables are there and hold numbers, not what the numbers are.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import bench
from bot.engine import Engine
from conftest import ROOT

NUMBER = r"\d[\d,]*\.\d+"


def assert_header(output: str, command: str) -> None:
    """Every run says what ran, where and when, so its numbers can be pasted."""
    assert re.search(rf"^command: python tests/tools/bench\.py {re.escape(command)}", output, re.M)
    assert re.search(r"^machine: Python \d+\.\d+\.\d+ .*\d+ CPUs", output, re.M)
    assert re.search(r"^date:    \d{4}-\d\d-\d\dT", output, re.M)


def row(output: str, label: str, numbers: int) -> re.Match | None:
    """A table row: the label, then at least ``numbers`` numeric cells."""
    cells = r"\s+(?:-|\d[\d,]*(?:\.\d+)?)" * numbers
    return re.search(rf"^\s+{re.escape(label)}{cells}", output, re.M)


@pytest.mark.parametrize(
    ("expected", "values", "p"),
    [
        (3, [1, 2, 3, 4, 5], 50),
        (5, [1, 2, 3, 4, 5], 99),
        (1, [1, 2, 3, 4, 5], 1),
        (95, list(range(1, 101)), 95),
        (99, list(range(1, 101)), 99),
        (100, list(range(1, 101)), 100),
        (7, [7], 99),
    ],
)
def test_percentile_is_nearest_rank(expected: float, values: list[float], p: float) -> None:
    assert expected == bench.percentile(values, p)


def test_a_generated_corpus_depends_on_the_vocabulary_not_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to the reader's genre.toml must not regenerate (and so
    re-date, and so rebuild) a 10,000-article corpus; a change to the topics must."""
    from tools import corpus

    data = tmp_path / "data"
    shutil.copytree(corpus.DATA_DIR, data)
    monkeypatch.setattr(corpus, "DATA_DIR", data)
    before = bench.corpus_fingerprint(10)
    (data / "genre.toml").write_text("# another reader\n", encoding="utf-8")
    assert before == bench.corpus_fingerprint(10)
    (data / "topics.toml").write_text((data / "topics.toml").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert before != bench.corpus_fingerprint(10)


def test_engine_prints_percentiles_per_category_for_both_stores(seed_db: Path, tmp_path: Path, capsys) -> None:
    corpus_dir = tmp_path / "corpus"
    argv = ["engine", "--db", str(seed_db), "--corpus-dir", str(corpus_dir), "--articles", "20", "--rounds", "1"]
    assert 0 == bench.main(argv)
    output = capsys.readouterr().out
    assert_header(output, "engine --db")
    assert 2 == len(re.findall(r"^\s+category\s+queries\s+answers\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms", output, re.M))
    seed, corpus = output.split("== engine: corpus store")
    for part in (seed, corpus):
        for category in bench.CATEGORIES:
            assert row(part, category, 7), f"no row for {category}"
        for label in ("all", "baseline: echo", "baseline: select 1"):
            assert row(part, label, 6), f"no row for {label}"
        assert re.search(rf"cost:   median answer {NUMBER} ms = \d+ x a `select 1`", part)
        assert re.search(rf"p99 without the hostile category: {NUMBER} ms", part)
        assert "slowest queries:" in part
    assert re.search(rf"target: p99 <= 5 ms on the seed store: (met|MISSED by {NUMBER} ms) \(p99 {NUMBER} ms\)", seed)
    assert re.search(rf"target: p99 <= 25 ms on the corpus store .*: (met|MISSED by {NUMBER} ms)", corpus)
    assert "generated 20 articles" in corpus
    # A second run finds the corpus and its store current and rebuilds neither.
    db, notes = bench.ensure_corpus(corpus_dir, 20)
    assert corpus_dir / "corpus.db" == db
    assert ["reused", "reused"] == [note.split()[0] for note in notes]
    # The corpus mix is drawn with a fixed seed: two engines draw the same queries.
    first, second = bench.drawn_mix(Engine(db)), bench.drawn_mix(Engine(db))
    assert [query.text for query in first] == [query.text for query in second]


def test_coldstart_prints_the_three_commands_and_the_imports(seed_db: Path, capsys) -> None:
    assert 0 == bench.main(["coldstart", "--db", str(seed_db), "--runs", "1"])
    output = capsys.readouterr().out
    assert_header(output, "coldstart --db")
    assert re.search(r"^\s+python -c pass\s+1\s+-\s+-\s+\d+\.\d{3}\s+\d+\.\d{3}$", output, re.M)
    assert re.search(r"^\s+python -c \"import jieba; jieba.initialize\(\)\"\s+1\s+-\s+-\s+\d+\.\d{3}", output, re.M)
    assert re.search(r"^\s+python bot\.py ask --db DB 马新强\s+1\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}", output, re.M)
    assert re.search(r"imports of the one-shot ask \(python -X importtime\): \d+ modules", output)
    for module in bench.HEAVY_MODULES:
        assert re.search(rf"^\s+{module}\s+(no|YES)\s+\d+$", output, re.M), f"no row for {module}"


def test_memory_prints_rss_before_and_after(seed_db: Path, capsys) -> None:
    assert 0 == bench.main(["memory", "--db", str(seed_db), "--queries", "200"])
    output = capsys.readouterr().out
    assert_header(output, "memory --db")
    assert row(output, "engine opened", 2)
    assert re.search(rf"^\s+after warm-up \(2 rounds of the mix\)\s+\d+\s+{NUMBER}$", output, re.M)
    assert re.search(rf"^\s+after 200 queries\s+200\s+{NUMBER}$", output, re.M)
    assert re.search(rf"before -> after: {NUMBER} MB with the engine opened -> {NUMBER} MB after 200 queries", output)
    assert re.search(r"growth after warm-up: [+-]\d+\.\d+ MB over 200 queries = [+-]\d+\.\d+ MB per 10,000 queries", output)


def test_ingest_prints_times_rates_and_sizes(tmp_path: Path, capsys) -> None:
    assert 0 == bench.main(["ingest", "--corpus-dir", str(tmp_path / "corpus"), "--articles", "20"])
    output = capsys.readouterr().out
    assert_header(output, "ingest --corpus-dir")
    assert re.search(r"^\s+store\s+articles\s+paragraphs\s+people\s+items\s+seconds\s+articles/s\s+items/s\s+size MB\s+KB/item$", output, re.M)
    assert re.search(r"^\s+seed\s+1\s", output, re.M) and row(output, "seed", 9)
    assert re.search(r"^\s+corpus\s+20\s", output, re.M) and row(output, "corpus", 9)
    assert re.search(rf"every build loads jieba's dictionary first: {NUMBER} s", output)


def test_updates_benchmark_prints_rates_ratios_and_cpu(seed_db: Path) -> None:
    """tests/tools/bench_updates.py, tiny: every runner's rate, the ratios and the CPU per update."""
    result = subprocess.run(
        [sys.executable, "tests/tools/bench_updates.py", "--db", str(seed_db), "--updates", "120", "--chats", "30", "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert 0 == result.returncode, result.stderr
    for runner in ("echo bot", "replay bot", "lianghui bot", "bot, on loop"):
        assert re.search(rf"^{runner}\s+{NUMBER} s\s+\d+ updates/s", result.stdout, re.M), result.stdout
    assert re.search(rf"^ratio bot/echo: {NUMBER}, median of 1 rounds", result.stdout, re.M)
    assert re.search(rf"^ratio bot answering in a worker thread / on the event loop: {NUMBER}", result.stdout, re.M)
    assert re.search(r"^CPU per update in the bot's process, .*echo/bot \d+\.\d+$", result.stdout, re.M)


def test_updates_benchmark_latency_mode_prints_percentiles_for_both_ways_of_answering(seed_db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "tests/tools/bench_updates.py", "--db", str(seed_db), "--latency", "40", "--updates", "24"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert 0 == result.returncode, result.stderr
    for where in ("on the event loop", "in a worker thread"):
        assert re.search(rf"^answering {where}\s+p50\s+{NUMBER} ms\s+p99\s+{NUMBER} ms\s+max\s+{NUMBER} ms\s+\(24 replies\)$", result.stdout, re.M), result.stdout


def test_updates_benchmark_memory_mode_prints_rss(seed_db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "tests/tools/bench_updates.py", "--db", str(seed_db), "--memory", "300"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert 0 == result.returncode, result.stderr
    lines = re.findall(rf"^  after\s+[\d,]+ updates answered: RSS\s+({NUMBER}) MB$", result.stdout, re.M)
    assert 6 == len(lines), result.stdout
    assert all(float(rss) > 10 for rss in lines)
    assert re.search(r"^RSS .* MB started -> .* MB after 300 updates", result.stdout, re.M)


def test_scale_prints_every_target_for_each_size(tmp_path: Path, capsys) -> None:
    # --no-add: adding an article rebuilds the store, which the ingest test already times.
    argv = ["scale", "--corpus-dir", str(tmp_path), "--sizes", "12", "--rounds", "1", "--sample", "8", "--runs", "1", "--no-add"]
    assert 0 == bench.main(argv)
    output = capsys.readouterr().out
    assert_header(output, "scale --corpus-dir")
    head = r"^\s+articles\s+query p50/p99/max ms\s+fresh: open \+ 1st ms\s+ask exact/typo s\s+accuracy\s+ingest\s+add 1 s\s+remove 1 s\s+store \(x raw\)$"
    assert re.search(head, output, re.M)
    assert re.search(rf"^\s+12\s+{NUMBER} / {NUMBER} / {NUMBER}\s+{NUMBER} \+ {NUMBER}\s+{NUMBER} / {NUMBER}\s+{NUMBER}% \(0 wrong\)\s+{NUMBER} s, peak RSS {NUMBER} MB\s+not run\s+not run\s+{NUMBER} MB \({NUMBER}x\)$", output, re.M)
    assert re.search(r"accuracy by kind \(right/ambiguous/wrong/missed\): .*name \d+/\d+/0/\d+", output)
    assert re.search(rf"by table and index \(MB, x raw\):\n\s+.*items {NUMBER} \({NUMBER}x\)", output)


def test_the_memory_of_all_processes_counts_the_processes_it_saw() -> None:
    # A build alone gives no "all processes" figure: the tree it sampled was one process.
    with bench.TreeMemory() as alone:
        pass
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    try:
        with bench.TreeMemory() as shared:
            time.sleep(3 * bench.TreeMemory.SAMPLE_SECONDS)
    finally:
        child.kill()
        child.wait()
    assert alone.peak > 0 and shared.peak > alone.peak
    assert shared.most_processes >= alone.most_processes + 1
