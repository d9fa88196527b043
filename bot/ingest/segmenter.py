"""jieba, imported the one way ingest imports it: without setuptools'
``pkg_resources``.

jieba imports ``pkg_resources`` (0.2-0.4 s, more than an added article's own
work) only to open its data files; when that import fails, it opens the same
files by path. The block holds for jieba's import alone: anything importing
``pkg_resources`` later gets it as usual. It lives here, not in the package's
``__init__``, so that what reads a store's freshness (``ask``) does not import
jieba at all.
"""

import sys

if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
else:
    import jieba

__all__ = ["jieba"]
