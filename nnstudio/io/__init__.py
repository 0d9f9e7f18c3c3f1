"""Reading and writing project files (and, later, exporters)."""
from nnstudio.io.atomic import atomic_write_bytes
from nnstudio.io.import_weights import ImportReport, import_weights
from nnstudio.io.project import (
    EXTENSION, FORMAT_NAME, FORMAT_VERSION, Project, load_project, parse_project, save_project,
)

__all__ = [
    "Project", "save_project", "load_project", "parse_project", "atomic_write_bytes",
    "FORMAT_NAME", "FORMAT_VERSION", "EXTENSION",
    "import_weights", "ImportReport",
]
