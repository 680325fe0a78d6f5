import rules

from accounts.rules import is_applicant, is_portal_staff, is_recommender


@rules.predicate
def is_lead_member(user, application) -> bool:
    return application is not None and user.organisation_id is not None and user.organisation_id == application.lead_id


@rules.predicate
def is_routed_recommender(user, application) -> bool:
    return (
        application is not None and application.recommender_id is not None
        and user.organisation_id == application.recommender_id
    )


@rules.predicate
def is_fallback_organiser(user, application) -> bool:
    """With no recommender for the lead's region, the organiser's staff pre-check it."""
    return (
        application is not None and application.recommender_id is None
        and (user.is_superuser or user.organisation_id == application.bang.bang_list.organiser_id)
    )


@rules.predicate
def is_organiser_staff(user, application) -> bool:
    return application is not None and (
        user.is_superuser or user.organisation_id == application.bang.bang_list.organiser_id
    )


rules.add_perm("applications.own_application", is_applicant & is_lead_member)
rules.add_perm(
    "applications.decide_application",
    (is_recommender & is_routed_recommender) | (is_portal_staff & is_fallback_organiser),
)
rules.add_perm("applications.view_internal", (is_recommender & is_routed_recommender) | (is_portal_staff & is_organiser_staff))
