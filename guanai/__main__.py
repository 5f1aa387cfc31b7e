"""``python -m guanai``: the same as the ``guanai`` command."""

from guanai.cli import main

if __name__ == "__main__":
    main()
