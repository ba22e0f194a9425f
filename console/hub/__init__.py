"""The websocket hub: sessions, auth, command handling, fan-out, police and field gateways."""
