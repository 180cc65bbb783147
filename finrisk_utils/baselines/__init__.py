"""Classical benchmarks: point forecasts (``point``) and VaR/ES models (``var``)."""

from finrisk_utils.baselines import point, var
from finrisk_utils.baselines.point import *  # noqa: F403
from finrisk_utils.baselines.var import *  # noqa: F403

__all__ = [*point.__all__, *var.__all__]
