"""`python -m backend` serves the app."""

from backend.entrypoints.app import main

main()
