from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    # Steps run in the run container's own process: the multiprocess executor starts a Python
    # process per step that imports the location again (about 5 s each on two cores), and the
    # DuckDB writers of a location are serialised by its pool anyway.
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
