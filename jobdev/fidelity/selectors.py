"""Reads on fidelity reviews (the 25-item worksheet), through the access scope.

Who sees and edits a review (docs/fidelity-review.md, "Who may do what"):

- a program admin reads and edits every review of the program: the whole program's
  and each team's;
- a team leader reads and edits the reviews of the teams they lead, and reads the
  whole program's (which only a program admin creates or edits: its figures are the
  program's, which a team leader's scope does not compute);
- an employment specialist has no access (404), as the dashboard shows a specialist
  their own figures only (crm.access, docs/access-rules.md); the program shares a
  review with its team by printing it or exporting it;
- nobody sees another program's reviews: out of scope is answered like missing (404).
"""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from crm.access import AccessScope, rows_rule
from crm.models import Team
from jobdev.models import FidelityReview, FidelityReviewItem


def fidelity_reviews_available_to(scope: AccessScope) -> bool:
    """Program admins and team leaders of a program (and the program itself)."""
    return scope.in_program and (scope.is_program_wide or scope.supervises)


def fidelity_review_teams(scope: AccessScope) -> QuerySet[Team]:
    """The teams whose reviews the scope may create and edit: every team of the
    program for a program admin, the teams they lead for a team leader."""
    if not fidelity_reviews_available_to(scope):
        return Team.objects.none()
    if scope.is_program_wide:
        return Team.objects.filter(organisation_id=scope.organisation_id).order_by("name", "pk")
    return scope.led_teams().order_by("name", "pk")


def may_review_program(scope: AccessScope) -> bool:
    """Whether the scope creates and edits reviews of the whole program (program admins)."""
    return fidelity_reviews_available_to(scope) and scope.is_program_wide


def may_create_review(scope: AccessScope) -> bool:
    return may_review_program(scope) or fidelity_review_teams(scope).exists()


@rows_rule(FidelityReview)
def fidelity_reviews_visible(scope: AccessScope) -> QuerySet[FidelityReview]:
    """The reviews the scope may read: the program's and its led teams' (see above)."""
    if not fidelity_reviews_available_to(scope):
        return FidelityReview.objects.none()
    reviews = FidelityReview.objects.filter(organisation_id=scope.organisation_id)
    if scope.is_program_wide:
        return reviews
    return reviews.filter(Q(team__isnull=True) | Q(team_id__in=fidelity_review_teams(scope).values("pk")))


def fidelity_reviews_editable(scope: AccessScope) -> QuerySet[FidelityReview]:
    """The reviews the scope may change: a program admin's every review, a team
    leader's those of the teams they lead."""
    reviews = fidelity_reviews_visible(scope)
    if may_review_program(scope):
        return reviews
    return reviews.filter(team_id__in=fidelity_review_teams(scope).values("pk"))


@rows_rule(FidelityReviewItem)
def fidelity_review_items_visible(scope: AccessScope) -> QuerySet[FidelityReviewItem]:
    return FidelityReviewItem.objects.filter(review__in=fidelity_reviews_visible(scope).values("pk"))


def fidelity_review_list(scope: AccessScope) -> list[FidelityReview]:
    """Every review the scope reads, newest first, each with `scored` (items with a
    score) and `score_sum` (their sum): one query whatever the number of reviews."""
    return list(
        fidelity_reviews_visible(scope)
        .select_related("team", "created_by")
        .annotate(
            scored=Count("items__score"),
            score_sum=Sum("items__score"),
        )
        .order_by("-review_date", "-pk")
    )


def fidelity_review_for_detail(scope: AccessScope, review_id: int, *, edit: bool = False) -> FidelityReview:
    """One review the scope reads (may change, with `edit`), its items prefetched in
    the scale's order, or OutOfScope (404): another program's, another team's, a
    specialist's request, an id that is no review's."""
    reviews = fidelity_reviews_editable(scope) if edit else fidelity_reviews_visible(scope)
    reviews = reviews.select_related("team", "created_by", "organisation").prefetch_related(
        Prefetch("items", queryset=FidelityReviewItem.objects.order_by("item"))
    )
    return scope.get(reviews, pk=review_id)


def may_edit_review(scope: AccessScope, review: FidelityReview) -> bool:
    """Whether the scope may change `review` (already read through the scope)."""
    if not fidelity_reviews_available_to(scope) or review.organisation_id != scope.organisation_id:
        return False
    if review.team_id is None:
        return may_review_program(scope)
    return may_review_program(scope) or fidelity_review_teams(scope).filter(pk=review.team_id).exists()
