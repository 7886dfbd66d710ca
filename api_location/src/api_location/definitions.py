"""The location's definitions: every module in defs/, merged, plus the executor.

Not `dg.load_from_defs_folder`: besides the defs modules it imports every package in the
environment that registers dg components (dagster_dlt, and with it dlt: about 1.3 s of every
code-server start and every run). This loads exactly the modules in defs/ (a file added there is
served after a redeploy, as with the defs folder), and the same objects the defs folder would.
"""

import importlib
import pkgutil
import warnings
from types import ModuleType

import dagster as dg
from dagster.components.definitions import LazyDefinitions

from api_location import defs as defs_package


def defs_modules() -> list[ModuleType]:
    names = sorted(info.name for info in pkgutil.iter_modules(defs_package.__path__))
    return [importlib.import_module(f"{defs_package.__name__}.{name}") for name in names]


@dg.definitions
def defs() -> dg.Definitions:
    modules = defs_modules()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        module_scope = dg.load_definitions_from_modules(modules)
    # @dg.definitions functions (resources.py): called now, so env vars are read at load time.
    lazy = [
        value()
        for module in modules
        for value in vars(module).values()
        if isinstance(value, LazyDefinitions)
    ]
    # Steps run in the run container's own process: the multiprocess executor starts a Python
    # process per step that imports the location again (about 5 s each on two cores), and the
    # DuckDB writers of a location are serialised by its pool anyway.
    return dg.Definitions.merge(
        module_scope, *lazy, dg.Definitions(executor=dg.in_process_executor)
    )
