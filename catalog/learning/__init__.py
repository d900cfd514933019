"""Learning from outcomes: calibrated weights versions, shadow scoring, capacity-aware lanes."""
