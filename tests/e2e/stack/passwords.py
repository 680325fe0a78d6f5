PASSWORD = "Stack-pass-2026"
