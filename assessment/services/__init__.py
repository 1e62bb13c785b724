"""Every assessment write: rubrics (`rubrics`), periods and scores (`periods`), 一票否决
(`vetoes`), manual scores and responsibility letters (`manual`)."""
from assessment.services.periods import (
    adjustment_decide,
    adjustment_propose,
    period_compute,
    period_lock,
    period_publish,
    period_range,
    periods_ensure,
)
from assessment.services.rubrics import rubric_check, rubric_copy, rubric_item_save, rubric_seed_default

__all__ = [
    "adjustment_decide", "adjustment_propose", "period_compute", "period_lock", "period_publish", "period_range", "periods_ensure",
    "rubric_check", "rubric_copy", "rubric_item_save", "rubric_seed_default",
]
