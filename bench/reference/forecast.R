# Reference forecasts from R's `forecast` package, for test/forecast.reference.test.ts.
#
# For each series below it writes test/fixtures/forecast/<name>.json: the series itself (so the
# TypeScript side reads exactly these numbers), and for ses, holt, damped holt, ETS(A,N,A),
# ETS(A,Ad,A) and croston the fitted parameters, initial states, in-sample MSE, sigma^2, point
# forecasts and 80 % / 95 % prediction intervals. Those fixtures are committed; the test suite (and
# CI) reads only them and needs no R.
#
# Regenerate (Debian/Ubuntu; run from the repository root):
#
#   apt-get install -y r-cran-forecast r-cran-jsonlite
#   Rscript bench/reference/forecast.R
#   npx biome format --write test/fixtures/forecast
#
# Written against forecast 8.20 (Debian bookworm); the version used is recorded in each fixture.

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})

out_dir <- file.path("test", "fixtures", "forecast")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
h <- 14
period <- 7

# --- The series ------------------------------------------------------------------------------

series <- list()
add <- function(name, source, y, intermittent = FALSE) {
  series[[name]] <<- list(name = name, source = source, y = as.numeric(y), intermittent = intermittent)
}

# Half-hourly electricity demand (forecast::taylor), summed per day: 12 weeks, strong weekly cycle.
add("taylor-daily", "forecast::taylor summed per day (48 half-hours), in GW",
    colSums(matrix(as.numeric(taylor), nrow = 48)) / 1000)
# Daily gold price (forecast::gold), a stretch without missing days.
add("gold", "forecast::gold[430:516], daily morning gold price in USD", gold[430:516])
# Daily maximum temperature, New York, May to September 1973.
add("airquality-temp", "datasets::airquality$Temp, daily", airquality$Temp)
# German stock index, the last 200 trading days of EuStockMarkets.
add("dax", "tail(datasets::EuStockMarkets[, 'DAX'], 200), daily closing", tail(EuStockMarkets[, "DAX"], 200))
# Internet usage per minute (trend-like), and the annual flow of the Nile (level shifts).
add("wwwusage", "datasets::WWWusage, per minute", WWWusage)
add("nile", "datasets::Nile, annual", Nile)

# Generated daily demand, fixed seed: weekly pattern, one with a trend.
set.seed(20261207)
weekday <- c(0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 0.8)
t <- 0:181
add("weekly-demand", "generated: Poisson, mean 30 x weekday factor (seed 20261207)",
    rpois(length(t), 30 * weekday[(t %% 7) + 1]))
add("weekly-trend-demand", "generated: Poisson, mean (15 + 0.1 t) x weekday factor (seed 20261207)",
    rpois(length(t), (15 + 0.1 * t) * weekday[(t %% 7) + 1]))

# Generated intermittent demand, fixed seed: a demand on a day with probability p, of size 1 + Poisson.
t <- 1:200
add("intermittent-sparse", "generated: Bernoulli(0.1) x (1 + Poisson(2)) (seed 20261207)",
    rbinom(length(t), 1, 0.1) * (1 + rpois(length(t), 2)), TRUE)
add("intermittent-medium", "generated: Bernoulli(0.3) x (1 + Poisson(4)) (seed 20261207)",
    rbinom(length(t), 1, 0.3) * (1 + rpois(length(t), 4)), TRUE)
add("intermittent-frequent", "generated: Bernoulli(0.6) x (1 + Poisson(1)) (seed 20261207)",
    rbinom(length(t), 1, 0.6) * (1 + rpois(length(t), 1)), TRUE)
add("intermittent-lumpy", "generated: Bernoulli(0.15) x negative binomial (size 0.8, mean 12) (seed 20261207)",
    rbinom(length(t), 1, 0.15) * (1 + rnbinom(length(t), size = 0.8, mu = 12)), TRUE)

# --- The fits --------------------------------------------------------------------------------

describe <- function(fc) {
  fit <- fc$model
  state0 <- fit$states[1, ]
  names0 <- names(state0)
  initial <- list(level = unname(state0["l"]))
  if ("b" %in% names0) initial$trend <- unname(state0["b"])
  seasonal <- grep("^s[0-9]+$", names0)
  if (length(seasonal) > 0) initial$seasonal <- unname(state0[seasonal])
  par <- fit$par
  value <- function(name) if (name %in% names(par)) unname(par[name]) else NULL
  list(
    method = fit$method,
    alpha = value("alpha"), beta = value("beta"), gamma = value("gamma"), phi = value("phi"),
    initialState = initial,
    mse = fit$mse,
    sigma2 = fit$sigma2,
    forecast = as.numeric(fc$mean),
    lower80 = as.numeric(fc$lower[, "80%"]), upper80 = as.numeric(fc$upper[, "80%"]),
    lower95 = as.numeric(fc$lower[, "95%"]), upper95 = as.numeric(fc$upper[, "95%"])
  )
}

for (s in series) {
  y <- ts(s$y, frequency = period)
  result <- list(
    name = s$name, source = s$source, rVersion = R.version.string,
    forecastVersion = as.character(packageVersion("forecast")),
    period = period, h = h, y = s$y,
    ses = describe(ses(y, h = h, level = c(80, 95))),
    holt = describe(holt(y, h = h, level = c(80, 95))),
    holtDamped = describe(holt(y, h = h, damped = TRUE, level = c(80, 95)))
  )
  if (!s$intermittent) {
    result$etsANA <- describe(forecast(ets(y, model = "ANA"), h = h, level = c(80, 95)))
    result$etsAAdA <- describe(forecast(ets(y, model = "AAA", damped = TRUE), h = h, level = c(80, 95)))
  }
  result$croston <- list(alpha = 0.1, forecast = as.numeric(croston(y, h = h, alpha = 0.1)$mean))
  result$croston2 <- list(alpha = 0.25, forecast = as.numeric(croston(y, h = h, alpha = 0.25)$mean))
  path <- file.path(out_dir, paste0(s$name, ".json"))
  writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), path)
  cat("wrote", path, "\n")
}
