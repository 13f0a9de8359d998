"""A small shop back end: the sample project of the quick start."""
