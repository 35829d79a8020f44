# The Python side: biolake.integrations.r, imported once (convert = FALSE: nothing is
# converted by reticulate, every value crosses as a spec built from plain lists).

.state <- new.env(parent = emptyenv())

.bridge <- function() {
  if (is.null(.state$bridge)) {
    .state$bridge <- reticulate::import("biolake.integrations.r", convert = FALSE)
  }
  .state$bridge
}

# Tell Python which R file runs (an .Rmd being knitted, or Rscript's --file=).
.announce_source <- function() {
  source <- .r_source()
  if (is.null(source) || identical(source, .state$announced)) return(invisible(source))
  Sys.setenv(BIOLAKE_R_SOURCE = source)
  if (reticulate::py_available(initialize = FALSE)) {  # Python copied the environment at start-up
    environ <- reticulate::py_get_attr(reticulate::import("os", convert = FALSE), "environ")
    reticulate::py_call(reticulate::py_get_attr(environ, "__setitem__"), "BIOLAKE_R_SOURCE", source)
  }
  .state$announced <- source
  invisible(source)
}

.r_source <- function() {
  if ("knitr" %in% loadedNamespaces()) {
    input <- tryCatch(knitr::current_input(dir = TRUE), error = function(e) NULL)
    if (length(input) == 1 && nzchar(input) && file.exists(input)) return(normalizePath(input))
  }
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1) {
    path <- sub("^--file=", "", file_arg)
    if (file.exists(path)) return(normalizePath(path))
  }
  NULL
}

.item <- function(tuple, i) reticulate::py_get_item(tuple, reticulate::r_to_py(as.integer(i)))

# Unpack what biolake.integrations.r.call/get_attr returned: a value, or an R condition.
.unpack <- function(result) {
  status <- reticulate::py_to_r(.item(result, 0L))
  payload <- reticulate::py_to_r(.item(result, 1L))
  if (identical(status, "error")) .raise(payload)
  .from_spec(payload, .item(result, 2L))
}

# A Python exception as an R condition: classes are the exception's Python class names
# (e.g. "DoesNotExist", "BiolakeError", "LookupError"), the message is biolake's message.
.raise <- function(info) {
  classes <- unlist(info$classes)
  condition <- structure(
    class = unique(c(classes, "python_error", "error", "condition")),
    list(message = info$message, call = NULL)
  )
  stop(condition)
}

.call_py <- function(fn, ...) {
  .announce_source()
  args <- list(...)
  arg_names <- names(args)
  if (is.null(arg_names)) arg_names <- rep("", length(args))
  positional <- unname(lapply(args[arg_names == ""], .to_spec))
  named <- lapply(args[arg_names != ""], .to_spec)
  kwargs <- reticulate::py_dict(as.list(names(named)), unname(named), convert = FALSE)
  .unpack(.bridge()$call(fn, positional, kwargs))
}
