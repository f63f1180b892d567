"""What happens in the demo program, decided in memory before anything is written.

One `random.Random(seed)` draws everything, in a fixed order, from the data files
(demo/catalogue.py) and the numbers in `rhythms.py`; dates are counted back from
`today`. The result is a `Plan` (`plan.py`): the people and their stories
(`people.py`), the employers (`employers.py`), every employer contact with the moments
it is planned, moved, cancelled or recorded and the job openings learned of
(`contacts.py`), and the support around each job (`support.py`). demo/story.py then
plays the plan day by day through the real services.

What the live system derives is not planned here: relationship stages, the
rapid-job-search clock, nudges, milestones and the tasks of the event handlers come
from the application itself as the story is played."""

from demo.planning.plan import (
    AdjustmentPlan,
    BenefitsPlan,
    ContactPlan,
    EmployerPlan,
    JobSeekerPlan,
    OpeningPlan,
    PersonPlan,
    PlacementPlan,
    Plan,
    ReviewPlan,
    SitePlan,
    weekday_on_or_after,
    weekday_on_or_before,
    weighted,
)
from demo.planning.planner import Planner, make_plan

__all__ = [
    "AdjustmentPlan",
    "BenefitsPlan",
    "ContactPlan",
    "EmployerPlan",
    "JobSeekerPlan",
    "OpeningPlan",
    "PersonPlan",
    "PlacementPlan",
    "Plan",
    "Planner",
    "ReviewPlan",
    "SitePlan",
    "make_plan",
    "weekday_on_or_after",
    "weekday_on_or_before",
    "weighted",
]
