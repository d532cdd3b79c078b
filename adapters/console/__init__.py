"""The console adapter: a terminal channel, so anyone can try the whole bot without tokens."""
