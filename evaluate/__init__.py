"""The ``soar`` command line, run directories, scoring and reports."""
