from django.contrib import admin

from .models import Application, ApplicationVersion, RecommenderRoute


@admin.register(RecommenderRoute)
class RecommenderRouteAdmin(admin.ModelAdmin):
    list_display = ["region", "recommender"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the pages and their log."""

    list_display = ["number", "bang", "lead", "state", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["number", "lead__name", "bang__title"]
    readonly_fields = ["state", "number", "submitted_summary", "submitted_at", "recommender", "correction_deadline"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(admin.ModelAdmin):
    list_display = ["receipt", "application", "submitted_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
