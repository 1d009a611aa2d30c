"""Simulated devices: the demo home (``type: demo``) and the physics behind it."""
