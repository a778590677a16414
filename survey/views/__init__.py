"""The web views, one blueprint a module."""
