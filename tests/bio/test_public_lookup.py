"""One rule turns names into attributes, for public sources and registries alike."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from biolake.bio.public.lookup import Lookup as PublicLookup
from biolake.models.lookup import Lookup as RegistryLookup
from biolake.models.lookup import to_identifier

NAMES = {
    "naïve T cell": "naive_t_cell",  # accents dropped: typed on any keyboard
    "class": "class_",  # a keyword gets PEP 8's trailing underscore
    "CD4-positive, alpha-beta T cell": "cd4_positive_alpha_beta_t_cell",
    "1st": "_1st",  # an identifier cannot start with a digit
    "TNF-α": "tnf_α",  # letters Python allows in identifiers are kept
    "": "",  # no letters or digits: no attribute
    "--": "",
}


@pytest.mark.parametrize(("name", "attribute"), NAMES.items())
def test_to_identifier(name: str, attribute: str) -> None:
    assert to_identifier(name) == attribute
    assert attribute == "" or attribute.isidentifier()


def test_public_and_registry_lookups_agree() -> None:
    names = list(NAMES)
    ids = pd.Index([f"T:{i}" for i in range(len(names))], name="id")
    public = PublicLookup(pd.DataFrame({"name": names}, index=ids), "name")
    registry = RegistryLookup("CellType", "name", [SimpleNamespace(name=n, id=i) for i, n in enumerate(names)])
    expected = sorted(a for a in NAMES.values() if a)
    assert sorted(dir(public)) == sorted(dir(registry)) == expected
    for name, attribute in NAMES.items():
        if attribute:
            assert getattr(public, attribute).name == getattr(registry, attribute).name == name


def test_keyword_attributes_are_reachable() -> None:
    registry = RegistryLookup("ULabel", "name", [SimpleNamespace(name="class")])
    assert registry.class_.name == "class"
    assert registry["class"].name == "class"
