"""The core: plain Python that takes data and returns data — no terminal, no database.

- ``plan``: the plan model (areas, sections, items, milestones, targets, baselines, rules);
- ``plan_file``, ``plan_check``, ``plan_fields``: reading a targets file and checking it whole;
- ``values``: numbers, percentages and dates as people type them;
- ``records``: a record of progress, what a typed value means, which days a record may have;
- ``progress``: an item's records folded into what the status rules need;
- ``status``: the status rules, pure functions of (plan, records, day);
- ``recording``: the rules every new record passes, for the command line and imports alike;
- ``text`` and ``typed``: text as a terminal shows it, and text as people type it, refused when
  it could harm one (``kpi.safety`` finds such characters).
"""
