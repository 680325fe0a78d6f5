from django.contrib import admin

from .models import CollectionRound, Demand, TechField


@admin.register(TechField)
class TechFieldAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "sort_order", "is_active"]


@admin.register(CollectionRound)
class CollectionRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_at", "closes_on", "min_self_investment", "max_period_months"]
    filter_horizontal = ["fields"]


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the screening pages and their log."""

    list_display = ["name", "organisation", "field", "state", "submitted_at"]
    list_filter = ["state", "field", "round"]
    list_select_related = ["organisation", "field"]
    search_fields = ["name", "organisation__name"]
    readonly_fields = ["state", "enterprise_snapshot", "submitted_at", "decided_at"]

    def has_delete_permission(self, request, obj=None):
        return False
