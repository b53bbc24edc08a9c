"""Third-party evaluation: scorecard templates, evaluations and panels, evaluators' score entry, results, rectifications."""
