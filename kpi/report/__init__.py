"""The weekly summary: ``weekly`` (the facts of a week), ``layout`` (the same as sections of
tables and lists), one renderer per format (``text``, ``markdown``, ``html``, ``data`` for JSON),
``grid`` (plain-text tables) and ``mail``; ``svg`` draws the HTML's charts, ``item_html`` one
item as a page of its own."""
