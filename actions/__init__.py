"""Rasa action server of the IOC citizen bot: one module per feature, one backend client."""
