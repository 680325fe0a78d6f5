import rules

from accounts.rules import is_enterprise, is_expert, is_portal_staff

from .enums import EDITABLE_STATES, DemandState


@rules.predicate
def is_demand_owner(user, demand) -> bool:
    return demand is not None and user.organisation_id is not None and user.organisation_id == demand.organisation_id


@rules.predicate
def is_demand_screener(user, demand) -> bool:
    """Staff of the department that answers for the demand's field."""
    if demand is None or demand.state == DemandState.DRAFT:
        return False
    if user.is_superuser:
        return True
    return demand.field_id is not None and user.department_id is not None and (
        user.department_id == demand.field.department_id
    )


@rules.predicate
def is_editable(user, demand) -> bool:
    return demand is not None and demand.state in EDITABLE_STATES


@rules.predicate
def is_submitted(user, demand) -> bool:
    return demand is not None and demand.state == DemandState.SUBMITTED


@rules.predicate
def has_unit(user) -> bool:
    return user.organisation_id is not None


@rules.predicate
def is_assigned_expert(user, demand) -> bool:
    return demand is not None and demand.opinions.filter(expert_id=user.pk).exists()


@rules.predicate
def is_pooled(user, demand) -> bool:
    return demand is not None and demand.state in {DemandState.ACCEPTED, DemandState.LISTED}


owner = is_enterprise & is_demand_owner
screener = is_portal_staff & is_demand_screener

rules.add_perm("demands.add_demand", is_enterprise & has_unit)
rules.add_perm(
    "demands.view_demand", owner | screener | (is_portal_staff & is_pooled) | (is_expert & is_assigned_expert)
)
rules.add_perm("demands.own_demand", owner)
rules.add_perm("demands.decide_demand", screener)
rules.add_perm("demands.change_demand", owner & is_editable)
rules.add_perm("demands.submit_demand", owner & is_editable)
rules.add_perm("demands.withdraw_demand", owner & is_submitted)
rules.add_perm("demands.screen_demand", screener & is_submitted)
rules.add_perm("demands.view_internal_notes", screener)
rules.add_perm("demands.view_queue", is_portal_staff)
rules.add_perm("demands.manage_rounds", is_portal_staff)
