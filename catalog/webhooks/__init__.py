"""Signed alerts to rights holders: subscriptions, the event outbox, deliveries with retries."""
