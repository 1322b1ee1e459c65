"""Spreadsheets in and out: ``read`` (a CSV or .xlsx file as rows of text), ``rows`` (those rows
checked into records), ``ledger`` (the 督查督办台账 as an .xlsx workbook)."""
