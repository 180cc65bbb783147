"""Credit ratings and loan pricing: ordinal grade models (ordinal logit, cumulative-link networks), notch metrics."""
