"""Model fields of the kernel."""
from __future__ import annotations

import datetime as dt

from django.db import models

from governance import clock


class ClockDateTimeField(models.DateTimeField):
    """A DateTimeField whose `auto_now` / `auto_now_add` stamp `governance.clock.now()`.

    Django's own field stamps `timezone.now()`; reading the kernel clock instead lets the
    demo seeder's `clock.frozen_at` date the rows it writes through the services. The same
    semantics otherwise (`auto_now` on every save, `auto_now_add` on insert, both
    non-editable); the column type is unchanged (`get_internal_type()` is DateTimeField's).
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> dt.datetime | None:
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
