"""The gradient-descent engines and what a run did.

:mod:`.stopping` states the one stopping rule every engine evaluates; :mod:`.precise` runs GD in high precision
(Arb or mpmath), :mod:`.batch` runs many starts in float64 with numpy; :mod:`.phenomena` reads EoS, balancing and
catapult off a run. Imports the symbolic and analysis layers only.
"""
