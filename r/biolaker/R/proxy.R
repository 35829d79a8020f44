# A Python object seen from R: callable like a function, attributes with `$`, items with `[[`.
# Every call goes through biolake.integrations.r.call, so results come back as R values
# (data.frame, factor, Matrix, list) and Python errors as R conditions.

.wrap <- function(obj) {
  force(obj)
  proxy <- function(...) .call_py(obj, ...)
  attr(proxy, "py") <- obj
  class(proxy) <- c("biolaker_object", "function")
  proxy
}

#' The Python object behind a biolaker value (for use with reticulate).
#' @param x a value returned by biolaker.
#' @export
py_object <- function(x) attr(x, "py")

`$.biolaker_object` <- function(x, name) {
  .unpack(.bridge()$get_attr(attr(x, "py"), name))
}

`[[.biolaker_object` <- function(x, i) {
  getitem <- reticulate::py_get_attr(attr(x, "py"), "__getitem__")
  .call_py(getitem, i)
}

format.biolaker_object <- function(x, ...) {
  reticulate::py_str(attr(x, "py"))
}

as.character.biolaker_object <- function(x, ...) format(x)

print.biolaker_object <- function(x, ...) {
  cat(format(x), "\n", sep = "")
  invisible(x)
}

.DollarNames.biolaker_object <- function(x, pattern = "") {
  names <- reticulate::py_to_r(reticulate::import_builtins(convert = FALSE)$dir(attr(x, "py")))
  names <- unlist(names)
  names[!startsWith(names, "_") & grepl(pattern, names)]
}
