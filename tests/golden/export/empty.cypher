// dossier export: 0 nodes, 0 relationships.
// Nodes carry :_DossierExport {_dossier_id} until the last statement removes them.
// For a big script, create an index first:
//   Neo4j 5:  CREATE INDEX FOR (n:_DossierExport) ON (n._dossier_id)
//   Memgraph: CREATE INDEX ON :_DossierExport(_dossier_id)
