"""Formatting, one home for each form: ``words`` (numbers, shares, lights and records in words),
``records`` (the JSON contract), ``tables`` (CSV and Markdown)."""
