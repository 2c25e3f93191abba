//! Export of subgraphs: DOT, JSON interchange, GraphML, CSV, Cypher, Cytoscape.js.
//!
//! SKELETON: being built.
