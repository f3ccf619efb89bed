"""Evidence for regulated teams (issue 23): requirements, test records, traceability, SBOM, MISRA, coverage."""
