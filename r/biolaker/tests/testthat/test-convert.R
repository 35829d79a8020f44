test_that("a data.frame goes to pandas and back: factors, NAs, types and names kept", {
  df <- data.frame(
    count = c(1L, NA, 3L), value = c(0.5, NaN, NA), group = factor(c("b", NA, "a"), levels = c("b", "a")),
    name = c("u", NA, "w"), flag = c(TRUE, NA, FALSE), `with space` = 1:3,
    stringsAsFactors = FALSE, check.names = FALSE
  )
  back <- py_identity(df)
  expect_identical(names(back), names(df))
  expect_identical(back$count, df$count)
  expect_identical(back$group, df$group)
  expect_identical(levels(back$group), c("b", "a"))
  expect_identical(back$name, df$name)
  expect_identical(back$flag, df$flag)
  expect_true(is.na(back$value[2]) && is.na(back$value[3]))
})

test_that("factors arrive in pandas as categoricals, ordered ones ordered", {
  df <- data.frame(size = factor(c("S", "L", "S"), levels = c("S", "M", "L"), ordered = TRUE))
  py <- reticulate::py_run_string(
    "def describe(df):\n    c = df['size'].dtype\n    return [str(c), list(c.categories), bool(c.ordered)]",
    convert = FALSE
  )
  described <- biolaker:::.wrap(py$describe)(df)
  expect_identical(described[[1]], "category")
  expect_identical(described[[2]], c("S", "M", "L"))
  expect_true(described[[3]])
  expect_identical(py_identity(df)$size, df$size)
})

test_that("row names, dates and empty frames survive the round trip", {
  df <- data.frame(x = c(2.5, 3.5), row.names = c("cell_1", "cell_2"))
  expect_identical(rownames(py_identity(df)), c("cell_1", "cell_2"))
  when <- as.POSIXct(c("2024-01-02 03:04:05", NA), tz = "UTC")
  expect_equal(py_identity(data.frame(when = when))$when, when)
  empty <- py_identity(data.frame(a = integer(0), b = character(0)))
  expect_identical(nrow(empty), 0L)
  expect_identical(names(empty), c("a", "b"))
})

test_that("a dgCMatrix goes to scipy sparse and back; dense matrices too", {
  m <- Matrix::sparseMatrix(i = c(1, 3, 2), j = c(1, 1, 4), x = c(1.5, 2, 3), dims = c(3, 4))
  scipy_class <- import_module("builtins")$type(m)
  expect_match(format(scipy_class), "scipy.sparse")
  back <- py_identity(m)
  expect_s4_class(back, "dgCMatrix")
  expect_identical(as.matrix(back), as.matrix(m))
  dense <- matrix(c(1, 2, 3, 4, 5, 6), nrow = 2)
  expect_identical(py_identity(dense), dense)
})

test_that("plain values: scalars, vectors, named lists, NULL", {
  expect_identical(py_identity(3L), 3L)
  expect_identical(py_identity("a"), "a")
  expect_identical(py_identity(c(1.5, 2.5)), c(1.5, 2.5))
  expect_identical(py_identity(list(a = 1L, b = "x")), list(a = 1L, b = "x"))
  expect_null(py_identity(NULL))
})
