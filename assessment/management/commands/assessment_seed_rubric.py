"""`manage.py assessment_seed_rubric --city 6102 --year 2026 [--level county] [--periods]`:
the default rubric of a city for a year (idempotent), optionally the year's periods;
`--copy-from 2025` copies that year's rubric instead. Rubrics are data, never seeded by a
migration (docs/assessment.md)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.models import Rubric
from governance.errors import ApplicationError
from governance.models import Region, RegionLevel


class Command(BaseCommand):
    help = "Seed a city's default assessment rubric (and periods) for a year, or copy last year's."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--city", required=True, help="the city's region code (4 digits)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--level", choices=[RegionLevel.TOWNSHIP, RegionLevel.COUNTY], default="township")
        parser.add_argument("--copy-from", type=int, help="copy this year's rubric instead of the default")
        parser.add_argument("--periods", action="store_true", help="also create the year's periods")

    def handle(self, *args, **options) -> None:
        city = Region.objects.filter(code=options["city"], level=RegionLevel.CITY).first()
        if city is None:
            raise CommandError(f"no city with code {options['city']}")
        try:
            if options["copy_from"]:
                source = Rubric.objects.filter(region=city, level=options["level"], year=options["copy_from"]).first()
                if source is None:
                    raise CommandError(f"no {options['level']} rubric for {options['copy_from']}")
                rubric = services.rubric_copy(rubric_id=source.pk, year=options["year"])
            else:
                rubric = services.rubric_seed_default(region=city, year=options["year"], level=options["level"])
            if options["periods"]:
                services.periods_ensure(region=city, year=options["year"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{rubric.name}: {rubric.items.count()} lines")
