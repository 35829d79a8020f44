test_that("a biolake error reaches R as a condition with biolake's message, not a traceback", {
  error <- tryCatch(ln$Artifact$get(key = "no/such/key.parquet"), error = function(e) e)
  expect_s3_class(error, "DoesNotExist")
  expect_s3_class(error, "BiolakeError")
  expect_s3_class(error, "error")
  expect_identical(conditionMessage(error), "No Artifact record matches key='no/such/key.parquet'.")
  expect_false(grepl("Traceback", conditionMessage(error)))
})

test_that("errors can be caught by their Python class name", {
  caught <- tryCatch(ln$finish(), TrackingError = function(e) conditionMessage(e))
  expect_match(caught, "ln.track()", fixed = TRUE)
})
