"""The application: one call per use case, under the command line and over the store.

Each use case takes a ``Workspace`` (the environment, the database, the plan chosen) and plain
arguments, checks, reads and writes through the store, and returns data — or raises kpi's own
errors, among them what it still needs a person to say (``questions``). The command line parses,
makes one call and renders; a scheduled job or a test of the rules calls the same functions.

- ``workspace``: the database, the plan chosen, the plan in effect on a day, statuses counted;
- ``recording``: ``update``, ``done``, ``undo``, ``void``, ``history``;
- ``importing``: records from a spreadsheet, all or none; ``exporting``: the 台账;
- ``plans``: loading a targets file, listing and retiring plans; ``rollover``: next year's file;
- ``views``: the status of the plan and of one item; ``reports``: the weekly summary;
  ``district``: every plan side by side; ``mail``: sending a report;
- ``audit``, ``database`` (upgrade, backup, check), ``completion`` (what Tab offers);
- ``files``: what commands write, whole or not at all.
"""
