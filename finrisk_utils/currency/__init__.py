"""Currency risk: exchange-rate returns, forward-rate (uncovered interest parity) forecasts, currency positions."""
