"""kpi — track a sub-district office's annual work plan against last year's figures.

Layers, from the inside out:

- ``plan``    the targets file: YAML → validated, immutable plan objects (no database, no terminal)
- ``values``  what people type: numbers, percentages, dates → checked values
- ``status``  the status rules: pure functions of (plan, updates, date)
- ``models``  the database tables;  ``store``: the one module that talks to the database
- ``render``  plain data → Rich tables, JSON, CSV, Markdown
- ``cli``     parse the command line, call the core, render, map errors to exit codes
"""

__version__ = "0.1.0"
