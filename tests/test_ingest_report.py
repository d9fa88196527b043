"""What ``python bot.py ingest -v`` prints per person (bot/ingest.py per_person_table)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.ingest.build import BuildReport, per_person_table
from bot.text import display_width


@pytest.mark.parametrize(
    "names",
    [["丁光宏", "王行环"], ["欧阳明辉", "李静", "Ma Xinqiang"], ["张伟"]],
    ids=["three characters", "mixed widths", "two characters"],
)
def test_columns_line_up_for_chinese_names(names: list[str]) -> None:
    report = BuildReport(
        Path("store.db"), 1, 1, len(names), Counter(), 0.0, {name: Counter(quote=12, statement=3, fact=1) for name in names}
    )
    lines = per_person_table(report).splitlines()
    assert len(names) + 1 == len(lines)
    # Every line is as wide on screen, and each count ends where its heading ends.
    assert 1 == len({display_width(line) for line in lines})
    head = lines[0]
    for line in lines[1:]:
        for heading, value in (("quotes", "12"), ("statements", "3"), ("facts", "1")):
            assert display_width(head[: head.index(heading) + len(heading)]) == display_width(line[: line.rindex(value) + len(value)])
