"""Qt widgets and Qt models: the main window, its docks and dialogs."""
