"""The engine of guanai. It knows nothing about any particular activity type."""
