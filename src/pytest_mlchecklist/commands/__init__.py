"""Sub-commands of ``ml-checklist`` besides ``scan``: one module each, with
``add_parser(subparsers)`` and ``run(arguments) -> int``. ``cli.py`` registers and dispatches them."""
