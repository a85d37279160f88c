"""Background workers: outbox delivery and the Rasa forwarder."""
