"""Rendering the issued task book (stub until the PDF work lands)."""


def render_task_book(task_book, parties) -> bytes:
    from core.pdf import html_to_pdf

    return html_to_pdf(f"<h1>{task_book.project_name}</h1><p>{task_book.fingerprint}</p><p>军令状</p>")
