#!/bin/sh
# Install claimbridge into a virtual environment with exactly the locked runtime set.
#
#   deploy/install-locked.sh VENV            the locked build and runtime sets only
#   deploy/install-locked.sh VENV SOURCE     then claimbridge from SOURCE (a source tree or an sdist)
#
# Every dependency comes from requirements/ (uv.lock's export) and is checked against its hash;
# claimbridge itself is built by the locked setuptools (no build isolation), with the X12 reader's
# C loops where gcc and the Python headers exist. The Dockerfile and the package test
# (tests/test_package.py) both install this way. PYTHON names the interpreter (default python3).
set -eu

venv=$1
source=${2:-}
requirements=$(cd "$(dirname "$0")/../requirements" && pwd)
pip="$venv/bin/python -m pip --disable-pip-version-check --no-input"

[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
$pip install --quiet --require-hashes --no-deps \
    -r "$requirements/build.txt" -r "$requirements/runtime.txt"
if [ -n "$source" ]; then
    $pip install --quiet --no-deps --no-build-isolation "$source"
fi
