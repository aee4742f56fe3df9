"""The API catalog: the standard spec, loading and validation, and tool-format conversion."""

from apigen.catalog.decorators import api
from apigen.catalog.loader import Catalog, CatalogError, load_catalog

__all__ = ["api", "Catalog", "CatalogError", "load_catalog"]
