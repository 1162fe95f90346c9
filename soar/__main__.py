"""``python -m soar``: the ``soar`` command line (for example ``accelerate launch -m soar train``)."""

from soar.evaluate.cli import main

if __name__ == "__main__":
    main()
