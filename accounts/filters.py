"""Query filters of the admin user list."""

import django_filters
from django.db.models import Q

from accounts.models import User


class AdminUserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=User.Role.choices)
    suspended = django_filters.BooleanFilter(field_name="is_suspended")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the name or email.")

    class Meta:
        model = User
        fields = ["role", "suspended", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))
