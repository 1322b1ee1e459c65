"""The district's view: every plan in use side by side (``kpi --plan all``).

``model`` makes the facts (plans' statuses → rows, ranked, with their red items and their week),
``layout`` lays them out as the weekly summary's sections, ``render`` draws them as text, Markdown
and HTML, ``data`` writes JSON and CSV. Pure: no terminal, no database.
"""

from kpi.report.district.model import RANKING, District, PlanRow, district, district_week, ranked

__all__ = ["RANKING", "District", "PlanRow", "district", "district_week", "ranked"]
