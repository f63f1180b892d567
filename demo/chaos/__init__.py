"""`manage.py chaos` (`make chaos`): the event pipeline under faults.

A small program is built through the services; the worker and the scheduler run under
supervisord as docs/operations.md configures them; placements are offered, started,
changed and ended from several threads while the worker is killed, Redis flushed and
restarted and (in the full form) PostgreSQL restarted; at the end every expected row
is counted (checker.py) and printed as expected vs found."""
