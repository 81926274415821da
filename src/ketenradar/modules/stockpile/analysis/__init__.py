"""Pure analyses of the stockpile planner: disruption scenarios, Monte Carlo simulation,
sizing, form advice, portfolio and pooling (frames and arrays in, frames out; no I/O)."""
