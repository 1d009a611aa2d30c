"""The built-in demo configuration (demo.yaml), loaded by ``surplus --demo``."""
