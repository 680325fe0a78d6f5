from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, JoinRequest, Organisation, Region, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ["username", "full_name", "organisation", "department", "is_active"]
    list_select_related = ["organisation", "department"]
    search_fields = ["username", "full_name", "mobile", "email", "organisation__name"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("单位与联系方式"), {"fields": ["organisation", "department", "full_name", "mobile", "title"]}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "region", "is_verified", "is_dishonest"]
    list_filter = ["kind", "is_verified", "is_dishonest"]
    list_select_related = ["region__parent"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["first_user"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "organisation"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "state", "created_at"]
    readonly_fields = ["state", "decided_by", "decided_at"]
