"""Countermark's matching engine: pure Python, plain data in, plain data out.

Nothing here imports a web framework, an ORM or the service settings; thresholds,
weights and exchange rates are passed in as arguments.
"""

ENGINE_VERSION = "0.2.1"  # 0.2.1: party sentences name no party (issue 9, privacy)
