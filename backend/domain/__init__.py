"""The ticket domain: pure Python, standard library only."""
