"""Data at scale (`manage.py seed_scale`): a national IPS roll-out written with
PostgreSQL COPY, consistent with what the services would have written.

See demo/scale/world.py for what is generated and the invariants it keeps."""
