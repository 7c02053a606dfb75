"""Open a DXF with ezdxf: strict first, ``ezdxf.recover`` second, clear errors last."""

from __future__ import annotations

from pathlib import Path

import ezdxf
from ezdxf import recover
from ezdxf.document import Drawing

from core.plugin_api import ConversionError


def read_document(path: Path) -> tuple[Drawing, list[str]]:
    """The ezdxf document and warnings about repairs. Raises ConversionError.
    The caller has checked the file is whole (:func:`floorcast_dxf.markers.require_eof`)."""
    try:
        return ezdxf.readfile(path), []
    except Exception as strict_error:  # ezdxf raises many types on bad input
        first = f"{type(strict_error).__name__}: {strict_error}"
    try:
        doc, auditor = recover.readfile(path)
    except Exception as exc:
        raise ConversionError(
            "corrupt_file",
            f"the DXF file is damaged beyond repair ({first}; recovery failed with {type(exc).__name__}: {exc})",
            stage="parse",
        ) from None
    warnings = [f"the DXF file was damaged and repaired on reading ({first})"]
    if auditor.has_errors:
        warnings.append(f"{len(auditor.errors)} unrecoverable errors in the DXF were skipped")
    return doc, warnings
