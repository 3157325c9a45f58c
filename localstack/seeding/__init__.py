"""localstack/seed.py's code: one emulated AWS account seeded from a YAML fixture.

seed.py's docstring maps the modules; schema.py defines the fixture format.
"""
