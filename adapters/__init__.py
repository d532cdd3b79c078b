"""Platform adapters: translate platform events to core calls, render core Cards, deliver them."""
