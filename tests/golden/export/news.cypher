// dossier export: 8 nodes, 8 relationships.
// Nodes carry :_DossierExport {_dossier_id} until the last statement removes them.
// For a big script, create an index first:
//   Neo4j 5:  CREATE INDEX FOR (n:_DossierExport) ON (n._dossier_id)
//   Memgraph: CREATE INDEX ON :_DossierExport(_dossier_id)
CREATE (:Person:_DossierExport {_dossier_id: 0, name: 'Alice Example', handle: '@alice'});
CREATE (:Person:_DossierExport {_dossier_id: 1, name: 'Bob Sample'});
CREATE (:Organisation:_DossierExport {_dossier_id: 2, name: 'Example Relief Agency'});
CREATE (:Place:_DossierExport {_dossier_id: 3, name: 'Aleppo', kind: 'city'});
CREATE (:Document:_DossierExport {_dossier_id: 4, id: 1, title: 'Evacuation continues', published: date('2016-12-12')});
CREATE (:Post:_DossierExport {_dossier_id: 5, id: 2, text: 'Buses are leaving the eastern districts this morning, thousands waiting #Aleppo', date: date('2016-12-12'), handle: '@alice'});
CREATE (:Hashtag:_DossierExport {_dossier_id: 6, name: '#Aleppo'});
CREATE (:Event:_DossierExport {_dossier_id: 7, kind: 'evacuation', summary: 'Evacuation of eastern Aleppo', date: date('2016-12-12'), count: 3000});
MATCH (a:_DossierExport {_dossier_id: 0}), (b:_DossierExport {_dossier_id: 5}) CREATE (a)-[:POSTED]->(b);
MATCH (a:_DossierExport {_dossier_id: 5}), (b:_DossierExport {_dossier_id: 6}) CREATE (a)-[:TAGGED]->(b);
MATCH (a:_DossierExport {_dossier_id: 4}), (b:_DossierExport {_dossier_id: 5}) CREATE (a)-[:QUOTES]->(b);
MATCH (a:_DossierExport {_dossier_id: 4}), (b:_DossierExport {_dossier_id: 1}) CREATE (a)-[:MENTIONS {count: 2}]->(b);
MATCH (a:_DossierExport {_dossier_id: 1}), (b:_DossierExport {_dossier_id: 2}) CREATE (a)-[:AFFILIATED_WITH {role: 'spokesperson', since: date('2015-01-01')}]->(b);
MATCH (a:_DossierExport {_dossier_id: 7}), (b:_DossierExport {_dossier_id: 3}) CREATE (a)-[:IN {confidence: 0.75}]->(b);
MATCH (a:_DossierExport {_dossier_id: 2}), (b:_DossierExport {_dossier_id: 7}) CREATE (a)-[:INVOLVED_IN]->(b);
MATCH (a:_DossierExport {_dossier_id: 4}), (b:_DossierExport {_dossier_id: 7}) CREATE (a)-[:REPORTS]->(b);
MATCH (n:_DossierExport) REMOVE n:_DossierExport, n._dossier_id;
