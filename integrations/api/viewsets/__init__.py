"""The viewsets of /api/v1/, one module per area; each lists its `ROUTES`."""
