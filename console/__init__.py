"""Linkage Console: the command-and-dispatch system of a district grand-linkage center."""
