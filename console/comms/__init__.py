"""The wire protocol shared by hub and console, and the console's client."""
