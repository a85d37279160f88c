"""`python -m backend.entrypoints.workers` runs the outbox delivery and Rasa forwarder loops."""

from backend.entrypoints.workers.runner import main

main()
