"""The Telegram surface, on python-telegram-bot v22.

``app`` builds and runs the Application; ``handlers`` answer updates;
``articles`` lets admins add and remove articles; ``follows`` and
``sharing`` serve followers and exports; ``buttons`` fits commands into
Telegram's 64-byte callback data; ``limits`` paces sends and questions;
``updates`` orders each chat's updates; ``transport`` speaks HTTP;
``userstate`` keeps people's choices and follows; ``stats`` counts for
/stats. Nothing below this package imports it.
"""
