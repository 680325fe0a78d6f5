from django.contrib import admin

from .models import Bang, BangList, DemandOpinion


@admin.register(BangList)
class BangListAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser", "state", "deadline"]
    readonly_fields = ["state", "published_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bang)
class BangAdmin(admin.ModelAdmin):
    list_display = ["title", "bang_list", "number", "kind", "total_investment"]

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(DemandOpinion)
