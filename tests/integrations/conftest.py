import pytest


@pytest.fixture(autouse=True)
def api_lists_show_changes_at_once(settings):
    """API lists hold back changes younger than API_SYNC_SETTLE_SECONDS (integrations.api
    .pagination). Tests that write and then list at once read with no delay; the sync
    tests set it back to prove the delay (tests/integrations/api/test_sync.py)."""
    settings.API_SYNC_SETTLE_SECONDS = 0
