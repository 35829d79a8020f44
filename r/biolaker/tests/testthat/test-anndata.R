make_adata <- function() {
  X <- Matrix::sparseMatrix(i = c(1, 2, 3, 3), j = c(1, 2, 2, 3), x = c(1, 2, 3, 4), dims = c(3, 3),
                            dimnames = list(c("c1", "c2", "c3"), c("g1", "g2", "g3")))
  obs <- data.frame(cell_type = factor(c("T", "B", "T")), row.names = c("c1", "c2", "c3"))
  var <- data.frame(symbol = c("CD3E", "MS4A1", "ACTB"), row.names = c("g1", "g2", "g3"))
  anndata(X, obs = obs, var = var, obsm = list(X_umap = matrix(1:6 / 2, nrow = 3)))
}

test_that("an AnnData saved from R loads back with X as a Matrix and obs/var as data.frames", {
  adata <- make_adata()
  artifact <- ln$Artifact$from_anndata(adata, key = "r/x.h5ad")$save()
  expect_identical(artifact$otype, "AnnData")
  loaded <- ln$Artifact$get(key = "r/x.h5ad")$load()
  expect_s3_class(loaded, "biolaker_anndata")
  expect_s4_class(loaded$X, "dgCMatrix")
  expect_identical(as.matrix(loaded$X), as.matrix(adata$X))
  expect_identical(loaded$obs$cell_type, adata$obs$cell_type)
  expect_identical(rownames(loaded$obs), c("c1", "c2", "c3"))
  expect_identical(loaded$var$symbol, adata$var$symbol)
  expect_equal(unname(loaded$obsm$X_umap), adata$obsm$X_umap)
  expect_identical(dim(loaded), c(3L, 3L))
})

test_that("an AnnData becomes a SingleCellExperiment (genes x cells)", {
  skip_if_not_installed("SingleCellExperiment")
  sce <- as_SingleCellExperiment(ln$Artifact$get(key = "r/x.h5ad")$load())
  expect_s4_class(sce, "SingleCellExperiment")
  expect_identical(dim(sce), c(3L, 3L))
  expect_identical(colnames(sce), c("c1", "c2", "c3"))
  expect_identical(rownames(sce), c("g1", "g2", "g3"))
  expect_identical(as.character(sce$cell_type), c("T", "B", "T"))
  expect_identical(SummarizedExperiment::assay(sce, "X")["g3", "c3"], 4)
})

test_that("anndata() refuses annotations that do not match X", {
  expect_error(anndata(Matrix::Diagonal(2) * 1, obs = data.frame(a = 1:3)), "obs has 3 rows")
})
