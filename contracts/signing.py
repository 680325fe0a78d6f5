"""The platform's PAdES signature on issued PDFs (stub until the signing work lands)."""


def sign_pdf(data: bytes) -> bytes:
    return data
