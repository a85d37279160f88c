"""Channel senders: the channel adapters behind one ``send`` used by delivery."""
