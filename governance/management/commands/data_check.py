"""manage.py data_check [--repair]: rows stored before the input bounds (governance/data_checks.py)."""
from django.core.management.base import BaseCommand

from governance.data_checks import data_findings, data_repair


class Command(BaseCommand):
    help = "查找（--repair 时修复）输入限制生效前写入的越界数据，修复留痕"

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="修复找到的行（写审计日志）")

    def handle(self, *args, repair: bool = False, **options):
        if repair:
            results = data_repair()
            for finding, count in results:
                self.stdout.write(f"{finding.check.name}: 修复 {count} 行（{finding.check.rule}）")
            self.stdout.write(self.style.SUCCESS(f"完成：{len(results)} 项检查修复了数据"))
            return
        findings = data_findings()
        for finding in findings:
            self.stdout.write(f"{finding.check.name}: {finding.check.description}，{len(finding.ids)} 行"
                              f"（id {', '.join(map(str, finding.ids[:20]))}）")
        if findings:
            self.stdout.write(self.style.WARNING("运行 manage.py data_check --repair 修复"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("数据检查通过：没有越界的行"))
