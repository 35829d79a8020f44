# Specs (plain lists both sides understand) <-> R values. The Python half is
# biolake/integrations/r/{encode,decode}.py; vectors cross as lists with NA flags.

.atomic <- function(values, type) {
  empty <- switch(type, logical = logical(0), integer = integer(0), double = numeric(0), character(0))
  if (length(values) == 0) return(empty)
  values <- unlist(values, use.names = FALSE)
  switch(type,
    logical = as.logical(values), integer = as.integer(values),
    double = as.numeric(values), as.character(values)
  )
}

.with_na <- function(values, na) {
  flags <- as.logical(unlist(na))
  if (length(flags) > 0 && any(flags)) values[flags] <- NA
  values
}

.factor <- function(spec) {
  codes <- .atomic(spec$codes, "integer")
  codes[codes == 0L] <- NA_integer_
  levels <- .atomic(spec$levels, "character")
  structure(codes, levels = levels, class = if (isTRUE(spec$ordered)) c("ordered", "factor") else "factor")
}

.data_frame <- function(spec) {
  columns <- lapply(spec$columns, .from_spec)
  names(columns) <- .atomic(spec$names, "character")
  rows <- if (length(columns) > 0) length(columns[[1]]) else length(spec$rownames)
  frame <- structure(columns, class = "data.frame", row.names = .set_row_names(rows))
  if (!is.null(spec$rownames)) rownames(frame) <- .atomic(spec$rownames, "character")
  frame
}

.set_row_names <- function(n) if (n > 0) c(NA_integer_, -n) else integer(0)

.dimnames <- function(spec) {
  if (is.null(spec$dimnames)) return(NULL)
  lapply(spec$dimnames, function(names) .atomic(names, "character"))
}

.sparse <- function(spec) {
  Matrix::sparseMatrix(
    i = .atomic(spec$i, "integer"), p = .atomic(spec$p, "integer"), x = .atomic(spec$x, "double"),
    dims = c(spec$nrow, spec$ncol), dimnames = .dimnames(spec), index1 = FALSE, repr = "C"
  )
}

.matrix <- function(spec) {
  values <- .from_spec(spec$data)
  matrix(values, nrow = spec$nrow, ncol = spec$ncol, dimnames = .dimnames(spec))
}

.from_spec <- function(spec, obj = NULL) {
  switch(spec$t,
    null = NULL,
    vector = .with_na(.atomic(spec$values, spec$type), spec$na),
    factor = .factor(spec),
    datetime = .with_na(as.POSIXct(.atomic(spec$values, "double"), origin = "1970-01-01", tz = "UTC"), spec$na),
    list = {
      items <- lapply(spec$items, .from_spec)
      if (!is.null(spec$names)) names(items) <- .atomic(spec$names, "character")
      items
    },
    `data.frame` = .data_frame(spec),
    matrix = .matrix(spec),
    sparse = .sparse(spec),
    anndata = .anndata(spec),
    rds = readRDS(spec$path),
    object = .wrap(if (is.null(spec$obj)) obj else spec$obj),
    stop(sprintf("biolaker cannot read a value of type '%s' from Python: update biolaker.", spec$t))
  )
}

# -- R -> Python ----------------------------------------------------------------------------

.vector_spec <- function(x, scalar = FALSE) {
  type <- switch(typeof(x), logical = "logical", integer = "integer", double = "double", "character")
  na <- is.na(x)
  fill <- switch(type, logical = FALSE, integer = 0L, double = 0, "")
  values <- if (type == "character") as.character(x) else x
  values[na] <- fill
  list(t = "vector", type = type, values = as.list(unname(values)), na = as.list(unname(na)), scalar = scalar)
}

.factor_spec <- function(x) {
  codes <- as.integer(x)
  codes[is.na(codes)] <- 0L
  list(t = "factor", codes = as.list(codes), levels = as.list(levels(x)), ordered = is.ordered(x))
}

.data_frame_spec <- function(x, keep_rownames = FALSE) {
  automatic <- .row_names_info(x) < 0 || identical(rownames(x), as.character(seq_len(nrow(x))))
  list(
    t = "data.frame", names = as.list(names(x)), columns = unname(lapply(x, .column_spec)),
    rownames = if (automatic && !keep_rownames) NULL else as.list(rownames(x)), nrow = nrow(x)
  )
}

.column_spec <- function(x) {
  if (is.factor(x) || inherits(x, "POSIXct")) return(.to_spec(x))
  .vector_spec(as.vector(x))
}

.sparse_spec <- function(x) {
  x <- methods::as(methods::as(x, "CsparseMatrix"), "generalMatrix")
  x <- methods::as(x, "dMatrix")
  dn <- dimnames(x)
  list(
    t = "sparse", i = as.list(x@i), p = as.list(x@p), x = as.list(as.numeric(x@x)),
    nrow = nrow(x), ncol = ncol(x),
    dimnames = if (is.null(dn[[1]]) && is.null(dn[[2]])) NULL else lapply(dn, as.list)
  )
}

.to_spec <- function(x) {
  if (is.null(x)) return(list(t = "null"))
  if (inherits(x, "biolaker_object")) return(list(t = "object", obj = attr(x, "py")))
  if (inherits(x, "python.builtin.object")) return(list(t = "object", obj = x))
  if (inherits(x, "biolaker_anndata")) return(.anndata_spec(x))
  if (is.data.frame(x)) return(.data_frame_spec(x))
  if (is.factor(x)) return(.factor_spec(x))
  if (methods::is(x, "Matrix")) return(.sparse_spec(x))
  if (inherits(x, "POSIXct")) {
    spec <- .vector_spec(as.numeric(x))
    return(list(t = "datetime", values = spec$values, na = spec$na))
  }
  if (is.matrix(x)) {
    return(list(t = "matrix", nrow = nrow(x), ncol = ncol(x), data = .vector_spec(as.vector(x))))
  }
  if (is.atomic(x)) return(.vector_spec(x, scalar = length(x) == 1))
  if (is.list(x)) {
    return(list(t = "list", items = unname(lapply(x, .to_spec)), names = if (is.null(names(x))) NULL else as.list(names(x))))
  }
  stop(sprintf("biolaker cannot send an R value of class '%s' to Python.", paste(class(x), collapse = "/")))
}
