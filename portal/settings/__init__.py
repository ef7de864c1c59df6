"""Settings package: `base` is safe by default, `dev`, `production` and `test` build on it."""
