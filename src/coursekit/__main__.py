"""`python -m coursekit`: print what the course would use on this machine."""

import sys

from . import DeviceError, setup

try:
    setup()
except DeviceError as exc:
    print(f"DeviceError: {exc}", file=sys.stderr)
    sys.exit(2)
