"""Custom Rasa NLU components for Vietnamese (tokenizer, normalisation, entity values)."""
