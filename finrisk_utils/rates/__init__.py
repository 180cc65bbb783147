"""Interest-rate risk: Nelson-Siegel and dynamic Nelson-Siegel, simulated curves, the Monte Carlo study,
curve factors (PCA vs autoencoder), bond maths and IRRBB."""

from finrisk_utils.rates.bonds import (
    Bond,
    ZeroCurve,
    bond_risk_table,
    convexity,
    dv01,
    eve_changes,
    irrbb_shocks,
    key_rate_durations,
    macaulay_duration,
    modified_duration,
    portfolio_value,
    price_from_curve,
    price_from_yield,
)
from finrisk_utils.rates.curve_factors import (
    SATURATION,
    CurveFactorFit,
    autoencoder_curve_factors,
    factor_recovery,
    pca_curve_factors,
    saturated_share,
)
from finrisk_utils.rates.dns import (
    dns_ar1_forecast,
)
from finrisk_utils.rates.monte_carlo import (
    dns_vs_random_walk_study,
)
from finrisk_utils.rates.nelson_siegel import (
    DIEBOLD_LI_LAMBDA,
    FACTOR_NAMES,
    fit_nelson_siegel,
    maturity_label,
    nelson_siegel_curve,
    nelson_siegel_loadings,
)
from finrisk_utils.rates.readings import (
    factor_reading,
    monte_carlo_reading,
)
from finrisk_utils.rates.simulate import (
    DIEBOLD_LI_FACTOR_DYNAMICS,
    DNSParams,
    YieldCurvePanel,
    make_yield_curves,
)

__all__ = [
    "Bond",
    "CurveFactorFit",
    "DIEBOLD_LI_FACTOR_DYNAMICS",
    "DIEBOLD_LI_LAMBDA",
    "DNSParams",
    "FACTOR_NAMES",
    "SATURATION",
    "YieldCurvePanel",
    "ZeroCurve",
    "autoencoder_curve_factors",
    "bond_risk_table",
    "convexity",
    "dns_ar1_forecast",
    "dns_vs_random_walk_study",
    "dv01",
    "eve_changes",
    "factor_reading",
    "factor_recovery",
    "fit_nelson_siegel",
    "irrbb_shocks",
    "key_rate_durations",
    "macaulay_duration",
    "make_yield_curves",
    "maturity_label",
    "modified_duration",
    "monte_carlo_reading",
    "nelson_siegel_curve",
    "nelson_siegel_loadings",
    "pca_curve_factors",
    "portfolio_value",
    "price_from_curve",
    "price_from_yield",
    "saturated_share",
]
