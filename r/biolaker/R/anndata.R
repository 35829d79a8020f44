# AnnData in R: a list with X (cells x genes, a Matrix::dgCMatrix or a dense matrix),
# obs and var (data.frames), layers and obsm (named lists of matrices).

.anndata <- function(spec) {
  adata <- list(
    X = .from_spec(spec$X), obs = .from_spec(spec$obs), var = .from_spec(spec$var),
    layers = .from_spec(spec$layers), obsm = .from_spec(spec$obsm)
  )
  if (is.null(adata$layers)) adata$layers <- list()
  if (is.null(adata$obsm)) adata$obsm <- list()
  structure(adata, class = "biolaker_anndata")
}

.anndata_spec <- function(x) {
  list(
    t = "anndata", X = .to_spec(x$X),
    obs = .data_frame_spec(x$obs, keep_rownames = TRUE), var = .data_frame_spec(x$var, keep_rownames = TRUE),
    layers = .to_spec(if (length(x$layers)) x$layers else NULL),
    obsm = .to_spec(if (length(x$obsm)) x$obsm else NULL)
  )
}

dim.biolaker_anndata <- function(x) c(nrow(x$obs), nrow(x$var))

print.biolaker_anndata <- function(x, ...) {
  cat(sprintf("AnnData object with n_obs x n_vars = %d x %d\n", nrow(x$obs), nrow(x$var)))
  if (ncol(x$obs)) cat("    obs:", paste0("'", names(x$obs), "'", collapse = ", "), "\n")
  if (ncol(x$var)) cat("    var:", paste0("'", names(x$var), "'", collapse = ", "), "\n")
  if (length(x$layers)) cat("    layers:", paste0("'", names(x$layers), "'", collapse = ", "), "\n")
  if (length(x$obsm)) cat("    obsm:", paste0("'", names(x$obsm), "'", collapse = ", "), "\n")
  invisible(x)
}

#' An AnnData (as loaded by biolaker) as a SingleCellExperiment.
#'
#' Genes become rows and cells columns (the transpose of AnnData's X); X becomes the
#' assay `X` (and each layer an assay of its name), obs the colData, var the rowData,
#' obsm the reducedDims. Needs Bioconductor's SingleCellExperiment.
#' @param adata an AnnData loaded through biolaker (`artifact$load()`).
#' @export
as_SingleCellExperiment <- function(adata) {
  if (!requireNamespace("SingleCellExperiment", quietly = TRUE)) {
    stop("as_SingleCellExperiment() needs Bioconductor's SingleCellExperiment: install it (Debian: r-bioc-singlecellexperiment).", call. = FALSE)
  }
  assays <- c(list(X = Matrix::t(adata$X)), lapply(adata$layers, Matrix::t))
  SingleCellExperiment::SingleCellExperiment(
    assays = assays,
    colData = S4Vectors::DataFrame(adata$obs, check.names = FALSE),
    rowData = S4Vectors::DataFrame(adata$var, check.names = FALSE),
    reducedDims = adata$obsm
  )
}

#' Make an AnnData in R (to save with `ln$Artifact$from_anndata(adata, key = ...)`).
#' @param X cells x genes: a Matrix (e.g. dgCMatrix) or a dense matrix.
#' @param obs,var data.frames of cell and gene annotations (row names = cell and gene names).
#' @param layers,obsm named lists of further matrices.
#' @export
anndata <- function(X, obs = NULL, var = NULL, layers = list(), obsm = list()) {
  cells <- rownames(X) %||% rownames(obs) %||% as.character(seq_len(nrow(X)))
  genes <- colnames(X) %||% rownames(var) %||% as.character(seq_len(ncol(X)))
  if (is.null(obs)) obs <- data.frame(row.names = cells)
  if (is.null(var)) var <- data.frame(row.names = genes)
  if (nrow(obs) != nrow(X) || nrow(var) != ncol(X)) {
    stop(sprintf("X has %d x %d entries but obs has %d rows and var %d: they must match.", nrow(X), ncol(X), nrow(obs), nrow(var)), call. = FALSE)
  }
  dimnames(X) <- list(cells, genes)
  rownames(obs) <- cells
  rownames(var) <- genes
  structure(list(X = X, obs = obs, var = var, layers = layers, obsm = obsm), class = "biolaker_anndata")
}

`%||%` <- function(a, b) if (is.null(a)) b else a
