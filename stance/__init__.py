"""stance: where the parties in a news story give conflicting accounts of the same thing."""

__version__ = "0.1.0"
