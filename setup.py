"""Builds the optional C loops of the X12 reader and of the guide check; the rest is in
pyproject.toml.

``optional=True``: on a machine without a C compiler or Python headers the install still
succeeds and ``claimbridge.x12`` reads and checks with its pure-Python path (same values and
problems, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "claimbridge.x12._stream_c",
            sources=["src/claimbridge/x12/_stream_c.c"],
            optional=True,
        ),
        Extension(
            "claimbridge.x12.tx835_005010X221A1._claims_c",
            sources=["src/claimbridge/x12/tx835_005010X221A1/_claims_c.c"],
            optional=True,
        ),
        Extension(
            "claimbridge.x12.tx837p_005010X222A1._lines_c",
            sources=["src/claimbridge/x12/tx837p_005010X222A1/_lines_c.c"],
            optional=True,
        ),
        Extension(
            "claimbridge.x12.guide._guide_c",
            sources=["src/claimbridge/x12/guide/_guide_c.c"],
            optional=True,
        ),
    ]
)
