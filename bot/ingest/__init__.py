"""Ingest: the only writer of the store.

Seed files are read and checked (``seeds``), their paragraphs rebuilt
(``layout``), who said what found (``extract``), and everything linked and
written to one SQLite file (``build``). It loads jieba, pypinyin and OpenCC;
the engine never imports this package.
"""
