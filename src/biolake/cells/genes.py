"""Match requested genes to each artifact's var: through its var index and var columns, with
the Gene registry (when the bio module is enabled) mapping synonyms to symbols and symbols
to Ensembl ids, so ``"CD8A"`` finds ``ENSG00000153563`` in a var indexed by Ensembl ids."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from biolake.errors import GeneNotFoundError
from biolake.models.registries import registry_model
from biolake.setup.django_boot import active_instance

if TYPE_CHECKING:
    import pandas as pd

#: var columns that commonly hold gene symbols or ids (CELLxGENE, scanpy, 10x)
VAR_COLUMNS = ("gene_symbols", "symbol", "feature_name", "gene_name", "gene_ids", "ensembl_gene_id", "gene_id")


@dataclasses.dataclass
class Genes:
    """The requested genes, standardized, with every name each may appear under."""

    names: list[str]  # output var names: the standardized requested genes
    aliases: list[list[str]]  # per gene: names to look for in a var
    ensembl_ids: list[str | None]


def literal(genes: list[str]) -> Genes:
    """The genes as asked, matched by their exact names only."""
    return Genes(list(genes), [[g] for g in genes], [None] * len(genes))


def resolve(genes: list[str], gene_field: str | None) -> Genes:
    """Standardize ``genes`` (synonyms → symbols) and find their Ensembl ids and symbols in the Gene
    registry (its records or its public source); without the bio module, the genes as asked."""
    gene_model = _gene_registry()
    if gene_model is None:
        return literal(genes)
    field = gene_field or ("ensembl_gene_id" if all(str(g).startswith("ENS") for g in genes) else "symbol")
    mapper = gene_model.standardize(genes, field=field, return_mapper=True, mute=True) if field == "symbol" else {}
    standardized = [mapper.get(g, g) for g in genes]
    records = {getattr(r, field): r for r in gene_model.from_values(standardized, field=field, mute=True)}
    names, aliases, ids = [], [], []
    for asked, name in zip(genes, standardized):
        record = records.get(name)
        extra = [record.symbol, record.ensembl_gene_id] if record is not None else []
        names.append(name)
        aliases.append([v for v in dict.fromkeys([name, asked, *extra]) if v])
        ids.append(record.ensembl_gene_id if record is not None else None)
    return Genes(names, aliases, ids)


def match(genes: list[str], gene_field: str | None, vars_: dict[str, pd.DataFrame]) -> tuple[Genes, dict[str, list[int | None]]]:
    """Each gene's position in each artifact's var: exact names first; genes some var lacks are
    then looked up in the Gene registry (synonyms, symbol ↔ Ensembl id)."""
    asked = literal(genes)
    places = {uid: positions(var, asked) for uid, var in vars_.items()}
    unmatched = [i for i in range(len(genes)) if any(p[i] is None for p in places.values())]
    if not unmatched:
        return asked, places
    found = resolve([genes[i] for i in unmatched], gene_field)
    for j, i in enumerate(unmatched):
        asked.names[i], asked.aliases[i], asked.ensembl_ids[i] = found.names[j], found.aliases[j], found.ensembl_ids[j]
    return asked, {uid: positions(var, asked) for uid, var in vars_.items()}


def _gene_registry() -> Any:
    instance = active_instance()
    if instance is None or "bio" not in instance.modules:
        return None
    return registry_model("bio.Gene")


def positions(var: pd.DataFrame, genes: Genes) -> list[int | None]:
    """The position of each gene in ``var`` (index first, then :data:`VAR_COLUMNS`), ``None`` if absent;
    a gene's first alias found wins. One hash lookup per column for all genes."""
    import pandas as pd

    owner = [gene for gene, aliases in enumerate(genes.aliases) for _ in aliases]  # alias → its gene
    flat = [str(a) for aliases in genes.aliases for a in aliases]
    found: list[int | None] = [None] * len(genes.aliases)
    for column in [var.index] + [pd.Index(var[c].astype(str)) for c in VAR_COLUMNS if c in var.columns]:
        for gene, hit in zip(owner, column.get_indexer_for(flat)):
            if hit >= 0 and found[gene] is None:
                found[gene] = int(hit)
        if all(p is not None for p in found):
            break
    return found


def report_missing(genes: Genes, found: dict[str, list[int | None]]) -> None:
    """Raise :class:`GeneNotFoundError` naming each gene missing from some artifacts, and where."""
    missing: dict[str, list[str]] = {}
    for i, name in enumerate(genes.names):
        lacking = [uid for uid, places in found.items() if places[i] is None]
        if lacking:
            missing[name] = lacking
    if not missing:
        return
    n = len(found)
    parts = [
        f"{name!r} (in none of the {n} artifacts)" if len(uids) == n else f"{name!r} (missing in {len(uids)} of {n}: {', '.join(uids[:5])})"
        for name, uids in missing.items()
    ]
    raise GeneNotFoundError(
        f"Genes not found: {'; '.join(parts)}. Check the names and gene_field (symbol or ensembl_gene_id), "
        "or pass on_missing='fill' to return zeros for them.",
        missing=missing,
    )
