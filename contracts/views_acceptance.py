"""Project pages (issue 13): stub until this area lands."""


def section(request, project) -> dict:
    """What the project hub's section for this area needs (the hub includes contracts/project/_acceptance.html)."""
    return {}
