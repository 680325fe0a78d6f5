"""Racehorse projects and uploads for the mid-term and acceptance tests (issue 13)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from contracts import services
from contracts.models import Project
from notices import services as notice_services
from notices.models import Notice
from reviews.models import Award

from ..factories import UserFactory
from .helpers import execution_start, lead_user, proposed, sign_all, valid_content

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name="report.pdf", salt=""):
    return SimpleUploadedFile(name, PDF + salt.encode(), content_type="application/pdf")


def racehorse_projects(staff, teams=2) -> list[Project]:
    """A racehorse bang (max_teams = `teams`) whose teams all hold a task book in force."""
    bang_list, bang, apps = proposed(staff, applications=teams, racing=teams,
                                     override_reason="一事一议", override_approver="局长")
    notice_services.notice_publish(bang_list=bang_list, by=staff, title="揭榜结果公示", basis="依据",
                                   how_to_object="书面实名提出", confirm_warnings=True)
    past = timezone.now() - datetime.timedelta(seconds=5)
    Notice.objects.filter(entries__decision__bang=bang).update(published_at=past - datetime.timedelta(days=10),
                                                               ends_at=past)
    notice_services.notices_confirm_due()
    projects = []
    for award in Award.objects.filter(decision__bang=bang).order_by("project_number"):
        task_book = services.task_book_draft(award=award, by=staff)
        services.task_book_save(task_book=task_book, by=lead_user(task_book),
                                content=valid_content(task_book, execution_start()), seen_version=1)
        task_book.refresh_from_db()
        task_book = services.task_book_finalise(task_book=task_book, by=staff, seen_version=2)
        sign_all(task_book, staff)
        projects.append(Project.objects.get(award=award))
    return projects


def issuer_user(project):
    return UserFactory(organisation=project.award.decision.bang.issuers.first(), roles=[Role.ENTERPRISE])


def other_unit_applicant():
    from ..factories import OrganisationFactory

    return UserFactory(organisation=OrganisationFactory(), roles=[Role.APPLICANT])
