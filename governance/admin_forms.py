"""The security administrator's account forms: Django's user forms plus the work phone, which
is never in clear in the table (governance/personal_data.py). The form shows the mask and
takes a new number; leaving it empty keeps the stored one, the checkbox clears it."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from governance.accounts import staff_phone_set
from governance.errors import InvalidInput
from governance.personal_data import phone_validate


class StaffPhoneFields(forms.Form):
    new_phone = forms.CharField(
        label=_("新手机号"), required=False, max_length=20,
        help_text=_("手机号加密保存，只显示掩码；留空则保持不变"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    clear_phone = forms.BooleanField(label=_("清除手机号"), required=False)

    def clean_new_phone(self) -> str:
        value = (self.cleaned_data.get("new_phone") or "").strip()
        if not value:
            return ""
        try:
            return phone_validate(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None

    def phone_apply(self, user) -> None:
        """Put the typed phone (or its removal) on the account before it is saved."""
        if self.cleaned_data.get("new_phone"):
            staff_phone_set(user, self.cleaned_data["new_phone"])
        elif self.cleaned_data.get("clear_phone"):
            staff_phone_set(user, "")


class StaffChangeForm(StaffPhoneFields, UserChangeForm):
    def save(self, commit: bool = True):
        self.phone_apply(self.instance)
        return super().save(commit)


class StaffCreationForm(StaffPhoneFields, AdminUserCreationForm):
    def save(self, commit: bool = True):
        self.phone_apply(self.instance)
        return super().save(commit)
