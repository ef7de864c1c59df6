"""湖南省全民参保登记 portal: project package (settings, URLs, base templates)."""
