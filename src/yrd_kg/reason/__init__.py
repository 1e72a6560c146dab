"""OWL reasoning: HermiT through owlready2 (consistency) and OWL 2 RL closures."""
