"""The built dataset: sources parsed once (build), opened as an Oxigraph store, terms converted at the edge."""
