"""citylabel: evidence of user-centricity on city and regional portals."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("citylabel")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
