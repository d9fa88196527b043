#!/usr/bin/env python3
"""Run the bot from a checkout: ``python bot.py --help``. The program is bot.cli."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python bot.py"))
