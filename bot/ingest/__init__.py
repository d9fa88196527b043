"""Ingest: the only writer of the store.

Seed files are read and checked (``seeds``), their paragraphs rebuilt
(``layout``), who said what found (``extract``), and everything linked and
written to one SQLite file (``build``). It loads jieba, pypinyin and OpenCC;
the engine never imports this package.
"""

import sys

if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
    # jieba imports setuptools' pkg_resources (0.2-0.4 s, more than an
    # added article's own work) only to open its data files; when the import
    # fails, it opens them by path, the same files. Blocked for jieba's import
    # alone: anything importing pkg_resources later gets it as usual.
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba  # noqa: F401
    finally:
        del sys.modules["pkg_resources"]
