"""The real-photo development set (issue 17): part annotations as polygons, soft GT built
from them at eval time, and `make eval-real`.

The photos live outside the repository (`../shared/real-photos`) and state no licence, so
only `annotations.json` (coordinates) is committed: never the photos, nor masks or maps
made from them. `annotations.py` loads and rasterises the annotation, `annotate.py` is
the tool it was made with, `eval_real.py` the measurement.
"""
