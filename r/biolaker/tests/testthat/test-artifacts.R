test_that("from_df from an R data.frame saves parquet that loads back as the same data.frame", {
  df <- data.frame(gene = c("CD8A", "CD4"), perturbation = factor(c("DMSO", "IFNG")), value = c(1.5, 2))
  artifact <- ln$Artifact$from_df(df, key = "my-datasets/from-r.parquet")$save()
  expect_identical(artifact$suffix, ".parquet")
  expect_identical(ln$Artifact$get(key = "my-datasets/from-r.parquet")$load(), df)
  expect_identical(ln$Artifact$filter(key__startswith = "my-datasets/")$count(), 1L)
})

test_that(".rds artifacts save from R and load back with readRDS", {
  object <- list(model = lm(dist ~ speed, data = cars)$coefficients, note = "fit")
  saveRDS(object, tmp <- tempfile(fileext = ".rds"))
  ln$Artifact(tmp, key = "my-datasets/my-object.rds")$save()
  expect_identical(ln$Artifact$get(key = "my-datasets/my-object.rds")$load(), object)
})
