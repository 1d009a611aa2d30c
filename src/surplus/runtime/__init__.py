"""The I/O side of the control loop: reading devices, running cycles, applying commands."""
