"""Write docs/figures/readme.png: basins of GD at h = 0.9 for log cosh (good) against the square loss (borderline).

Run from the repository root: ``python docs/make_readme_figure.py`` (a few seconds). The README and
the site's front page show the result; the figure is what ``llgd atlas --losses logcosh,quadratic --h 0.9 --grid 200
--box 0.05:5,0.05:3 --same-sign --plot FILE`` draws.
"""

import tempfile
from pathlib import Path

from llgd_proof import api
from llgd_proof.report.plots import atlas_figure

OUT = Path(__file__).resolve().parent / "figures" / "readme.png"

if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as cache:
        result = api.atlas(["logcosh", "quadratic"], 0.9, grid=200, same_sign=True, box=api.Box(0.05, 5, 0.05, 3), cache_dir=Path(cache))
    atlas_figure(result, str(OUT))
    print(f"{OUT} ({OUT.stat().st_size // 1024} KB)")
