"""The rules of the work: incidents, units, SLA clocks, permissions, taxonomy and geography.

Pure Python: nothing here imports Qt, touches the network or the database, or reads the clock.
Time always comes in as an argument, so every rule can be tested on any date.
"""
