"""Render the README's pictures from a real run of kpi on the 2025 plan with example records.

    python docs/make_pictures.py

Runs the commands in a temporary folder (its own database, a fixed date, 80 columns — a terminal
as staff have it — colour on),
turns their terminal output into a page with Rich, and has headless Chromium photograph it. As
in a terminal, Chinese characters are two columns wide (Noto Sans Mono CJK, Debian's
fonts-noto-cjk) and everything else one column, quotes, dashes and box lines included (DejaVu Sans
Mono scaled to half an em); Rich's SVG export draws Chinese with a fallback font of another width
and breaks the columns. Chromium's trimming of the space in full-width punctuation (``）（``) is
turned off, as a terminal does not trim it either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.terminal_theme import MONOKAI
from rich.text import Text

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

EXAMPLE = [  # example records, as staff would type them (not the office's real figures)
    ["update", "招引企业", "60", "--date", "2025-03-31", "--by", "经发办", "--note", "一季度签约"],
    ["update", "招引企业", "+55", "--date", "2025-06-30", "--by", "经发办", "--note", "二季度签约"],
    ["update", "1.1.7", "=3.6", "--date", "2025-06-30", "--by", "经发办"],
    ["done", "3.1.1-1", "--date", "2025-04-25", "--by", "受理中心"],
    ["done", "3.1.1-2", "--date", "2025-06-20", "--by", "受理中心"],
    [
        "update",
        "3.1.3",
        "45%",
        "--date",
        "2025-06-28",
        "--by",
        "服务办",
        "--note",
        "助餐助洁已开展",
    ],
    ["update", "3.1.4", "298", "--date", "2025-06-30", "--by", "服务办"],
    ["update", "3.2.2", "8", "--date", "2025-06-15", "--by", "服务办", "--note", "招聘会等8场"],
    [
        "update",
        "3.2.3",
        "410",
        "--date",
        "2025-06-15",
        "--by",
        "服务办",
        "--note",
        "场次偏少，下半年补足",
    ],
    ["done", "3.1.6-1", "--date", "2025-04-28", "--by", "服务办"],
    [
        "update",
        "3.1.8",
        "30%",
        "--date",
        "2025-06-30",
        "--by",
        "服务办",
        "--note",
        "适老化改造已招标",
    ],
]


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Cell"; src: local("DejaVu Sans Mono"); size-adjust: 83.05%;
             unicode-range: U+0020-024F, U+2010-2027, U+2030-205E, U+2190-21FF, U+2212, U+2500-259F; }}
body {{ margin: 0; background: {background}; }}
pre {{ margin: 0; padding: 14px 18px; color: {foreground}; background: {background};
       font: 15px/1.35 "Cell", "Noto Sans Mono CJK SC", "Noto Sans Mono CJK", monospace;
       text-spacing-trim: space-all; font-kerning: none; }}
</style></head><body><pre>{code}</pre></body></html>"""


WIDTH = 80  # columns, as the README promises: every picture is what an 80-column terminal shows


def picture(ansi: str, path: Path, width: int = WIDTH) -> None:
    with open(os.devnull, "w") as sink:
        console = Console(
            record=True, width=width, force_terminal=True, color_system="truecolor", file=sink
        )
        console.print(Text.from_ansi(ansi), end="")
    html = path.with_suffix(".html")
    page = console.export_html(theme=MONOKAI, code_format=PAGE, inline_styles=True)
    html.write_text(page, encoding="utf-8")
    lines = ansi.count("\n") + 1
    chromium = shutil.which("chromium") or "chromium"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--window-size={width * 15 // 2 + 40},{lines * 20 + 30}",  # a column: half of 15px
                f"--screenshot={path}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    html.unlink()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(REPO / "targets", work / "targets")
        env = {
            **os.environ,
            "KPI_TODAY": "2025-07-02",
            "COLUMNS": str(WIDTH),
            "FORCE_COLOR": "1",
            "TERM": "xterm-256color",
        }
        env.pop("NO_COLOR", None)
        for args in EXAMPLE:
            run(args, work, env)
        picture(run(["status", "--area", "3"], work, env), DOCS / "status.png")
        picture(run(["show", "招引企业"], work, env), DOCS / "show.png")
    print("wrote docs/status.png and docs/show.png")


if __name__ == "__main__":
    main()
