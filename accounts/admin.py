"""Django admin for administrators (national role `admin`, is_staff). Council staff never get
is_staff, so the admin is not a way around tenant scoping."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Authority, Invitation, Membership, User


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["ons_code", "name", "region", "authority_type", "population_minority_ethnic_percent"]
    list_filter = ["region", "authority_type"]
    search_fields = ["ons_code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["authority"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "national_role", "is_active"]
    list_filter = ["national_role", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Details", {"fields": ("full_name", "national_role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "authority", "role", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
    readonly_fields = ["authority", "email", "role", "invited_by", "expires_at", "accepted_at", "accepted_by"]
