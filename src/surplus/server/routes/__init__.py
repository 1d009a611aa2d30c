"""evcc's REST routes, one module per resource."""
