"""The office's pages (public host, /office/): programmes.py, enrolments.py, figures.py (an enterprise,
the city, monthly reports), own.py (an enterprise's own figures, also on its own host); base.py
holds the access checks. Thin: parse input, call a service or selector, render."""
