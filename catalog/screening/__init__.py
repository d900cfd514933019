"""Screening declared items.

The service, stored results and outcomes, the group-commit writer, rescoring,
alerts, exchange rates, the operator's thresholds and declared images.
"""
