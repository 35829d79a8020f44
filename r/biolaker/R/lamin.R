#' Import a Python module (e.g. biolake) for use from R.
#'
#' Attributes are read with `$`, callables are called like R functions; results come back
#' as R values (data.frames with factors, Matrix objects, AnnData lists) or as handles to
#' Python objects, and Python errors as R conditions carrying biolake's message.
#' @param name the module, e.g. "biolake".
#' @examples
#' \dontrun{
#' ln <- import_module("biolake")
#' ln$track()
#' }
#' @export
import_module <- function(name = "biolake") {
  .announce_source()
  module <- tryCatch(
    reticulate::import(name, convert = FALSE),
    error = function(e) stop(sprintf(
      "Python module '%s' could not be imported (%s): install it in the Python reticulate uses (RETICULATE_PYTHON).",
      name, conditionMessage(e)
    ), call. = FALSE)
  )
  .wrap(module)
}

.biolake_fn <- function(module, name) {
  reticulate::py_get_attr(reticulate::import(module, convert = FALSE), name)
}

#' Create a biolake instance (or reconnect to the one at `storage`) and make it current.
#' @param storage a local folder or a cloud URL.
#' @param modules schema modules, e.g. c("bio").
#' @param db a database URL (default: SQLite inside the storage).
#' @param name the instance name.
#' @export
lamin_init <- function(storage, modules = NULL, db = NULL, name = NULL) {
  args <- list(storage = normalizePath(storage, mustWork = FALSE))
  if (!is.null(modules)) args$modules <- as.list(modules)
  if (!is.null(db)) args$db <- db
  if (!is.null(name)) args$name <- name
  invisible(do.call(.call_py, c(list(.biolake_fn("biolake.setup", "init")), args)))
}

#' Connect to an existing biolake instance by name or storage path.
#' @param instance the instance name or its storage folder.
#' @export
lamin_connect <- function(instance) {
  invisible(.call_py(.biolake_fn("biolake.setup", "connect"), instance))
}

#' Save an R script, R Markdown or Quarto document: its source as a transform and, for a
#' document, its rendered HTML as the report of its latest run.
#'
#' An `.Rmd`/`.qmd` whose HTML (beside it) is missing or older than the source is rendered
#' first, in a separate R process (so the document's own `ln$track()` runs there).
#' @param path the .R, .Rmd or .qmd file.
#' @param html the rendered report (default: the .html beside `path`).
#' @export
lamin_save <- function(path, html = NULL) {
  path <- normalizePath(path, mustWork = TRUE)
  if (grepl("\\.(rmd|qmd)$", tolower(path)) && is.null(html)) {
    html <- sub("\\.[^.]+$", ".html", path)
    if (!file.exists(html) || file.mtime(html) < file.mtime(path)) .render(path, html)
  }
  save_code <- .biolake_fn("biolake.lineage.register", "save_code")
  result <- if (is.null(html)) .call_py(save_code, path) else .call_py(save_code, path, report = html)
  transform <- result[[1]]
  message(sprintf("saved transform %s (%s)", transform$uid, transform$key))
  invisible(transform)
}

.render <- function(path, html) {
  if (!requireNamespace("rmarkdown", quietly = TRUE)) {
    stop(sprintf("Rendering %s needs the rmarkdown package (Debian: r-cran-rmarkdown); or render it yourself and call lamin_save() again.", basename(path)), call. = FALSE)
  }
  code <- sprintf(
    "rmarkdown::render(%s, output_file = %s, quiet = TRUE, envir = new.env())",
    deparse(path), deparse(basename(html))
  )
  # the document names itself while it is knitted: not the R file that called lamin_save()
  status <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), env = "BIOLAKE_R_SOURCE=")
  if (!identical(as.integer(status), 0L) || !file.exists(html)) {
    stop(sprintf("Rendering %s failed (exit status %s): see the output above.", basename(path), status), call. = FALSE)
  }
  invisible(html)
}
