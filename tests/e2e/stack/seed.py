"""Data for the stack test, written into the stack's own database by a separate process with the
production settings (`python -m tests.e2e.stack.seed <what>`), as an operator's script would.

    seed.py people   the journey's users, a demand round, a bang list closing in two days and a
                     complete draft application (so beat's draft reminder is due); prints JSON
    seed.py batch N  N inbox messages for one recipient, e-mailed as one batch task
"""

import json
import sys


def people() -> dict:
    from django.db import transaction

    from accounts.models import Department
    from applications import services as application_services
    from tests.applications.helpers import fill, make_applicant
    from tests.factories import RoundFactory, UserFactory, make_bang_list, make_enterprise_user, make_staff

    from .passwords import PASSWORD

    with transaction.atomic():
        department = Department.objects.get(name="高新技术处")
        staff = make_staff(username="stack_staff", email="staff@stack.test", department=department)
        enterprise = make_enterprise_user(username="stack_ent", email="enterprise@stack.test")
        applicant = make_applicant(username="stack_app", email="applicant@stack.test")
        batch = UserFactory(username="stack_batch", email="batch@stack.test")
        for user in (staff, enterprise, applicant, batch):
            user.set_password(PASSWORD)
            user.save()
        RoundFactory(title="2026年度揭榜挂帅需求征集（栈测试）")
        bang_list = make_bang_list(by=staff, deadline_days=2, title="栈测试榜单")
        application = application_services.application_start(bang=bang_list.bangs.get(), by=applicant)
        fill(application, applicant)
    return {"application": application.pk, "bang_list": bang_list.pk}


def batch(n: int) -> int:
    from django.db import transaction

    from accounts.models import User
    from notifications.services import notifications_bulk_send

    user = User.objects.get(username="stack_batch")
    with transaction.atomic():
        return notifications_bulk_send(
            messages=[(user.pk, f"stack:batch:{i}", f"批量消息{i:02d}", "栈测试", "") for i in range(n)]
        )


if __name__ == "__main__":
    import django

    django.setup()
    what = sys.argv[1]
    result = people() if what == "people" else batch(int(sys.argv[2]))
    print(json.dumps(result))
