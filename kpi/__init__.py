"""kpi — track a sub-district office's work plans against last year's figures.

Packages, from the top down; each imports only those beneath it (``tests/test_layers.py``):

- ``cli``      parses the command line, makes one call of ``app``, renders, maps errors to exit
               codes;
- ``app``      one call per use case (record, import, load, report, roll over …): the workspace
               (database, plan, day), the questions a person must answer, files and mail;
- ``rollover`` next period's targets file from this one's plan and records;
- ``sheets``   spreadsheets in and out: reading CSV and .xlsx, checking imported rows, the 台账;
- ``report``   the weekly summary (its facts, their layout, one renderer per format) and the
               district's view of every plan;
- ``formats``  numbers, shares, lights and records in words; the JSON contract; CSV and Markdown;
- ``store``    the only package that touches a database (SQLite or PostgreSQL), behind ``Store``;
- ``core``     the plan model, the targets file and its checks, values as people type them,
               records, the progress fold, the status rules and the recording rules, rights;
               plain Python (no terminal, no database);
- the ground: ``env`` (the world outside: variables, clock, terminal, user), ``locale`` (every
  message and label, in Chinese and English), ``safety`` (characters that could harm a
  terminal) and ``errors`` (errors users can act on, each with its exit code).
"""

__version__ = "0.1.0"
