"""The demo district and its simulator: field units, hotline calls, the police center, cameras."""
