"""The device definition: the message catalog (`messages.toml`), the device definition (`device.toml`),
the exact charge limit derived from it, and the generated constants (`generated`)."""

from __future__ import annotations

from protocol.spec.catalog import Catalog, CatalogError, Kind, Message, Role, load_catalog
from protocol.spec.charge_limit import max_cathode_charge_pc
from protocol.spec.definition import Definition, load_definition

__all__ = ["Catalog", "CatalogError", "Definition", "Kind", "Message", "Role", "load_catalog", "load_definition", "max_cathode_charge_pc"]
