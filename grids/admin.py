"""Grid admin. Not jurisdiction-scoped: the admin site is for platform administrators only."""
from django.contrib import admin

from grids.models import Grid, GridWorkerAssignment

PATH_FIELDS = ("city", "county", "township", "village")


class GridWorkerAssignmentInline(admin.TabularInline):
    model = GridWorkerAssignment
    extra = 0
    autocomplete_fields = ("worker",)


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "households", "population", "is_active")
    list_select_related = ("region",)
    list_filter = ("is_active",)
    search_fields = ("code", "name", "region__name")
    autocomplete_fields = ("region",)
    readonly_fields = PATH_FIELDS
    inlines = (GridWorkerAssignmentInline,)


@admin.register(GridWorkerAssignment)
class GridWorkerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("grid", "worker", "started_on", "ended_on")
    list_select_related = ("grid", "worker")
    list_filter = ("ended_on",)
    search_fields = ("grid__code", "grid__name", "worker__username", "worker__display_name")
    autocomplete_fields = ("grid", "worker")
