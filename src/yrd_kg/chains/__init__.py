"""Causal chains: the argument as a networkx graph, traced, explained and drawn."""
