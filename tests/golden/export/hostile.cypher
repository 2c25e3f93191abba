// dossier export: 7 nodes, 8 relationships.
// Nodes carry :_DossierExport {_dossier_id} until the last statement removes them.
// For a big script, create an index first:
//   Neo4j 5:  CREATE INDEX FOR (n:_DossierExport) ON (n._dossier_id)
//   Memgraph: CREATE INDEX ON :_DossierExport(_dossier_id)
CREATE (:Person:_DossierExport {_dossier_id: 0, name: 'Say "hi" \\ to <b>{x}|y</b> & AT&amp;T', note: 'line one\nline two\r\nline three\ttabbed'});
CREATE (:Person:`Weird Label`:_DossierExport {_dossier_id: 1, name: 'محمد عبد الله 🇸🇾 👨‍👩‍👧 été'});
CREATE (:Post:_DossierExport {_dossier_id: 2, text: 'word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word ', ctrl: 'bell\u0007null\u0000esc\u001Bend'});
CREATE (:_DossierExport {_dossier_id: 3, `weird key "q"`: 'v', `key:with:colons`: 1, `back``tick`: true, mixed: 1, nan: 0.0/0.0, inf: 1.0/0.0, ninf: -1.0/0.0, neg: -42, big: 1.0e300});
CREATE (:`Thing``s <&>`:Event:_DossierExport {_dossier_id: 4, summary: '}{ ][ \\n literal backslash-n', mixed: 'now a string', tags: ['a', 'b;c', 'ç'], nums: [1, 2], empty: [], took: duration('P1Y2M3DT1H2M3.5S'), when: date('0001-01-01')});
CREATE (:Place:_DossierExport {_dossier_id: 5, name: '\\'});
CREATE (:Organisation:_DossierExport {_dossier_id: 6, name: ''});
MATCH (a:_DossierExport {_dossier_id: 0}), (b:_DossierExport {_dossier_id: 1}) CREATE (a)-[:`SAYS "HI"` {text: '<edge> & "quote"'}]->(b);
MATCH (a:_DossierExport {_dossier_id: 1}), (b:_DossierExport {_dossier_id: 2}) CREATE (a)-[:POSTED]->(b);
MATCH (a:_DossierExport {_dossier_id: 2}), (b:_DossierExport {_dossier_id: 3}) CREATE (a)-[:`رد` {w: -0.5}]->(b);
MATCH (a:_DossierExport {_dossier_id: 3}), (b:_DossierExport {_dossier_id: 4}) CREATE (a)-[:`REL``TYPE` {list: [true]}]->(b);
MATCH (a:_DossierExport {_dossier_id: 4}), (b:_DossierExport {_dossier_id: 5}) CREATE (a)-[:IN]->(b);
MATCH (a:_DossierExport {_dossier_id: 5}), (b:_DossierExport {_dossier_id: 6}) CREATE (a)-[:NEAR]->(b);
MATCH (a:_DossierExport {_dossier_id: 0}), (b:_DossierExport {_dossier_id: 0}) CREATE (a)-[:SELF]->(b);
MATCH (a:_DossierExport {_dossier_id: 0}), (b:_DossierExport {_dossier_id: 1}) CREATE (a)-[:`SAYS "HI"`]->(b);
MATCH (n:_DossierExport) REMOVE n:_DossierExport, n._dossier_id;
