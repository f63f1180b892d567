"""Input and output serializers of /api/v1/, one module per area."""
