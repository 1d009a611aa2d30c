"""``type: custom`` meters, chargers and vehicles, assembled from plugin sources."""
