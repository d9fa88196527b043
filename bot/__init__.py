"""Who said what at the Two Sessions: the answer engine, the store, and the chat surfaces.

The public surface is small: build a store with :func:`bot.ingest.build_store`,
answer messages with :class:`bot.engine.Engine`, render with :mod:`bot.render`.
"""
