"""Passport desk: reads passports, ID cards and visas for the operator at a bank counter."""

__version__ = "0.1.0"
