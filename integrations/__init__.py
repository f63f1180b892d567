"""The edges to other systems, one Django app per integration: integrations.calendar
(iCal feeds); integrations.api and integrations.webhooks follow the same pattern."""
