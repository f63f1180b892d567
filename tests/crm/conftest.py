import pytest

from tests.factories import JobSeekerFactory


@pytest.fixture
def caseloads(specialist_sam, specialist_sofia, specialist_bob, specialist_louis, leader_a, leader_b, program_admin):
    """One job seeker on each caseload: Sam's and Sofia's (team A), Léa's (team A's
    leader), Bob's (team B), and Louis's in another program."""
    return {
        "sam": JobSeekerFactory(specialist=specialist_sam, first_name="Samia"),
        "sofia": JobSeekerFactory(specialist=specialist_sofia, first_name="Sofiane"),
        "bob": JobSeekerFactory(specialist=specialist_bob, first_name="Bobette"),
        "louis": JobSeekerFactory(specialist=specialist_louis, first_name="Louise"),
        "lea": JobSeekerFactory(specialist=leader_a, first_name="Léonie"),
    }
