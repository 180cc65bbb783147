"""finrisk_utils: the utilities package of the finrisk workbench, laid out by layer and risk domain.

Layers, lowest first (an import-contract test enforces that each imports only from those below it):
``core`` -> ``data`` -> ``models`` -> ``forecasting`` -> risk domains (``market``, ``credit``, ``fraud``, ``rates``,
``inflation``; domains never import each other) -> ``workbench`` (notebook outputs, runner, sweeps, reports, CLI).

Import-time side effects, set before TensorFlow is first imported (a user's own settings win):

- ``TF_CPP_MIN_LOG_LEVEL=3``: TensorFlow's C++ log shows errors only, so notebooks are not flooded.
- ``TF_ENABLE_ONEDNN_OPTS=0``: oneDNN kernels off. With them on, results depend on the CPU's instruction set
  (TensorFlow warns of "slightly different numerical results"), and TF 2.21 prints that warning to stderr
  whatever the log level; off, the same seed gives the same numbers on any x86 CPU. Small nets lose no speed.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from finrisk_utils.core.config import setup
from finrisk_utils.core.validation import DataValidationError
from finrisk_utils.data import list_datasets, load
from finrisk_utils.workbench.outputs import record_metrics

__all__ = ["DataValidationError", "list_datasets", "load", "record_metrics", "setup"]
__version__ = "0.1.0"
