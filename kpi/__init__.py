"""kpi — track a sub-district office's work plans against last year's figures.

Packages, from the inside out (``tests/test_layers.py`` keeps the arrows pointing inwards):

- ``core``     the plan model, the targets file and its checks, values as people type them, records,
               the progress fold, the status rules and the recording rules, rights; plain Python
               (no terminal, no database)
- ``formats``  numbers, shares, lights and records in words; the JSON contract; CSV and Markdown
- ``report``   the weekly summary (the facts, their layout, one renderer per format, mail) and the
               district's view of every plan
- ``sheets``   spreadsheets in and out: reading CSV and .xlsx, checking imported rows, the 台账
- ``rollover`` next period's targets file from this one's plan and records
- ``store``    the only package that touches a database (SQLite or PostgreSQL), behind ``Store``
- ``locale``   every message and label, in Chinese and English
- ``cli``      parses the command line, calls the rest, renders, maps errors to exit codes
- ``env`` (the world outside: variables, clock, terminal, user) and ``errors`` (errors users can
  act on, each with its exit code) are shared by all.
"""

__version__ = "0.1.0"
