"""Fails to import, as a plugin with a missing dependency would."""

import welfarekit_example_adapter_missing_dependency  # noqa: F401
