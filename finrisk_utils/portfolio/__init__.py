"""Investment: covariance/volatility forecasts in portfolio construction, out-of-sample portfolio evaluation."""
