# One biolake instance for the whole run, in a temporary folder; BIOLAKE_HOME must point
# at a temporary folder too (the pytest wrapper tests/r/test_r_package.py sets it).
test_root <- normalizePath(tempfile("biolaker-tests-"), mustWork = FALSE)
dir.create(test_root)
lamin_init(storage = file.path(test_root, "storage"), modules = c("bio"))
ln <- import_module("biolake")
py_identity <- import_module("copy")$copy  # a round trip through Python and back

# Run R code in a fresh Rscript (the transform is the script file) and return its output.
run_rscript <- function(path, workdir = dirname(path)) {
  out <- system2(file.path(R.home("bin"), "Rscript"), shQuote(path), stdout = TRUE, stderr = TRUE)
  status <- attr(out, "status")
  if (!is.null(status) && status != 0) stop(paste(c("Rscript failed:", out), collapse = "\n"))
  out
}
