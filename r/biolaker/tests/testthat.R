library(testthat)
library(biolaker)
test_check("biolaker")
