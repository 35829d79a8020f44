instance_args <- function() sprintf("lamin_connect(%s)", deparse(file.path(test_root, "storage")))

test_that("an Rscript is tracked: its source is the transform, artifacts are its run's outputs", {
  dir <- tempfile("script-"); dir.create(dir)
  script <- file.path(dir, "analysis.R")
  writeLines(c(
    "library(biolaker)", instance_args(),
    "ln <- import_module('biolake')",
    "ln$track()",
    "df <- data.frame(x = factor(c('a', 'b')))",
    "ln$Artifact$from_df(df, key = 'tracked/from-script.parquet')$save()",
    "ln$finish()"
  ), script)
  run_rscript(script)
  transform <- ln$Transform$get(key = "analysis.R")
  expect_identical(transform$type, "script")
  expect_identical(transform$source_code, paste0(paste(readLines(script), collapse = "\n"), "\n"))
  artifact <- ln$Artifact$get(key = "tracked/from-script.parquet")
  expect_identical(artifact$run$transform$key, "analysis.R")
  expect_identical(artifact$run$status, "completed")
})

test_that("lamin_save renders an .Rmd and stores its source and HTML report", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is not installed")
  dir <- tempfile("rmd-"); dir.create(dir)
  rmd <- file.path(dir, "my-analysis.Rmd")
  writeLines(c(
    "---", "title: My analysis", "output: html_document", "---", "",
    "```{r}", "library(biolaker)", instance_args(), "ln <- import_module('biolake')", "ln$track()",
    "ln$Artifact$from_df(data.frame(n = 1:2), key = 'tracked/from-rmd.parquet')$save()",
    "ln$finish()", "```", "", "Counted `r 1 + 1` rows."
  ), rmd)
  lamin_save(rmd)
  expect_true(file.exists(file.path(dir, "my-analysis.html")))
  transform <- ln$Transform$get(key = "my-analysis.Rmd")
  expect_identical(transform$type, "notebook")
  expect_match(transform$source_code, "Counted `r 1 + 1` rows.", fixed = TRUE)
  run <- ln$Artifact$get(key = "tracked/from-rmd.parquet")$run
  expect_identical(run$transform$key, "my-analysis.Rmd")
  report <- ln$Run$get(uid = run$uid)$report
  expect_identical(report$suffix, ".html")
  expect_match(paste(readLines(report$cache(), warn = FALSE), collapse = "\n"), "Counted 2 rows.", fixed = TRUE)
})
