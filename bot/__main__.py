"""``python -m bot``: the same program as ``lianghui-bot`` and ``python bot.py``."""

import sys

from .cli import main

sys.exit(main(prog="python -m bot"))
