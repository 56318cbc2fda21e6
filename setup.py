"""Builds the optional C accelerator of the X12 reader; everything else is in pyproject.toml.

``optional=True``: on a machine without a C compiler or Python headers the install still
succeeds and ``claimbridge.x12`` reads with its pure-Python path (same values, slower).
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
    ]
)
