"""Problems with how the tool is installed, not with its input or its code: each says how to put
it right. Defined here so that the command line can name them without importing what failed."""

from __future__ import annotations

# How to rebuild durable_rules 2.0.28 so that it imports on Python 3.13 (see the Makefile).
REBUILD_ENGINE = (
    "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install --force-reinstall"
    " --no-cache-dir durable_rules==2.0.28"
)

ENGINE_BUILT_WITHOUT_THE_FLAG = (
    "durable_rules does not load on this Python (undefined symbol PyEval_CallObject): it was"
    " built without the flag Python 3.13 needs. Rebuild it:\n"
    f"  {REBUILD_ENGINE}\n"
    "(for pre-commit: 'pre-commit clean', then 'PIP_NO_CACHE_DIR=1' and CPPFLAGS the same way"
    " before 'pre-commit install-hooks'; README.md, 'Python 3.13');"
)


class EngineNotLoadable(Exception):
    """durable_rules' C extension does not load on this Python: an installation to redo, not a
    bug. The message says how."""
