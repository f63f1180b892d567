"""The program's fidelity reviews: when, of which weeks, and what the reviewers scored
(the items the records cannot answer), from demo/data/fidelity_reviews.json."""

from datetime import timedelta

from demo.planning.plan import ReviewPlan
from demo.planning.rhythms import CONTACT_WEEKS, REVIEW_WEEKS


class ReviewPlanner:
    """Two reviews of the whole program by its admin, so the worksheet shows a trend:
    the first of the first weeks of systematic job development, the second of the last
    complete weeks (a week earlier when today is the Monday after them), each on the
    Monday after its period."""

    def plan_fidelity_reviews(self) -> list[ReviewPlan]:
        this_monday = self.today - timedelta(days=self.today.weekday())
        first_from = this_monday - timedelta(weeks=CONTACT_WEEKS)
        spans = [
            (first_from, first_from + timedelta(weeks=REVIEW_WEEKS[0], days=-1)),
            (this_monday - timedelta(weeks=REVIEW_WEEKS[1]), this_monday - timedelta(days=1)),
        ]
        reviews = []
        for (period_from, period_to), entry in zip(spans, self.data.fidelity_reviews["reviews"], strict=True):
            while period_to + timedelta(days=1) >= self.today:  # the story ends before today: a week earlier
                period_from, period_to = period_from - timedelta(weeks=1), period_to - timedelta(weeks=1)
            review_date = period_to + timedelta(days=1)  # the Monday after the period
            reviews.append(
                ReviewPlan(
                    review_date=review_date,
                    period_from=period_from,
                    period_to=period_to,
                    reviewers=entry["reviewers"],
                    notes=entry["notes"],
                    items={int(number): (score, notes) for number, (score, notes) in entry["items"].items()},
                )
            )
        return reviews
