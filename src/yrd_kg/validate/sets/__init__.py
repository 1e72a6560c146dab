"""Set-based SHACL: each constraint compiled to one SPARQL query over all its focus nodes (see ``engine``)."""
