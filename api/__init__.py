"""The HTTP API and CLI of Countermark."""
