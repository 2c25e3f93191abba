use std::collections::HashMap;
use std::io::BufRead;
use std::time::Instant;

use dossier::query::{Params, QueryOptions, query_graph, render};
use dossier::value::json::property_from_json;
use dossier::{Graph, Txn, Value};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = &args[1];
    let t0 = Instant::now();
    let mut g = Graph::new();
    {
        let mut t = Txn::new(&mut g);
        let f = std::fs::File::open(format!("{dir}/graph.json")).unwrap();
        let mut ids: HashMap<String, dossier::NodeId> = HashMap::new();
        for line in std::io::BufReader::new(f).lines() {
            let line = line.unwrap();
            let l = line
                .trim_start_matches([',', '{', '['])
                .trim_end_matches([']', '}']);
            let l = line.trim().trim_start_matches(',');
            if !l.starts_with('{')
                || l.starts_with("{\"nodes\"")
                || l.starts_with("{\"relationships\"")
            {
                // may be a header like {"nodes":[ or ],"relationships":[
                if !l.contains("\"id\"") {
                    continue;
                }
            }
            let l = l
                .trim_start_matches("{\"nodes\":[")
                .trim_start_matches("],\"relationships\":[")
                .trim_end_matches("]}")
                .trim_end_matches(']');
            let Ok(j) = serde_json::from_str::<serde_json::Value>(l) else {
                continue;
            };
            let props: Vec<(String, Value)> = j["properties"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), property_from_json(k, v).unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(labels) = j["labels"].as_array() {
                let ls: Vec<&str> = labels.iter().map(|x| x.as_str().unwrap()).collect();
                let id = t.create_node(&ls, props).unwrap();
                ids.insert(j["id"].as_str().unwrap().to_string(), id);
            } else if let Some(ty) = j["type"].as_str() {
                let a = ids[j["startNode"].as_str().unwrap()];
                let b = ids[j["endNode"].as_str().unwrap()];
                t.create_rel(a, b, ty, props).unwrap();
            }
        }
        t.commit();
    }
    eprintln!(
        "loaded {} nodes {} rels in {:?}",
        g.node_count(),
        g.rel_count(),
        t0.elapsed()
    );
    let qj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("/work/shared/bench/queries.json").unwrap())
            .unwrap();
    let scale = &args[2];
    for q in qj["queries"].as_array().unwrap() {
        let text = q["query"].as_str().unwrap();
        let sc = &q[format!("scale_{scale}")];
        let mut p = Params::new();
        for (k, v) in sc["params"].as_object().unwrap() {
            p.insert(k.clone(), Value::str(v.as_str().unwrap()));
        }
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let t = Instant::now();
            let r = query_graph(&g, text, &p, &QueryOptions::default());
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(r);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let r = last.unwrap();
        match r {
            Ok(r) => {
                let got: Vec<String> = r
                    .rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|v| match v {
                                Value::String(s) => s.to_string(),
                                Value::Date(d) => dossier::value::format_date(*d),
                                v => render::value(&g, v),
                            })
                            .collect::<Vec<_>>()
                            .join("\t")
                    })
                    .collect();
                let exp: Vec<String> = sc["result"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect();
                let ok = got == exp || {
                    let mut a = got.clone();
                    a.sort();
                    let mut b = exp.clone();
                    b.sort();
                    a == b
                };
                println!(
                    "{:16} min {:9.3} ms  med {:9.3} ms  rows {:3}  {}",
                    q["id"].as_str().unwrap(),
                    times[0],
                    times[2],
                    got.len(),
                    if ok { "OK" } else { "MISMATCH" }
                );
                if !ok {
                    println!(
                        "   got {:?}\n   exp {:?}",
                        &got[..got.len().min(3)],
                        &exp[..exp.len().min(3)]
                    );
                }
            }
            Err(e) => println!("{}: error {e}", q["id"]),
        }
        if args.len() > 3 {
            let ex =
                query_graph(&g, &format!("EXPLAIN {text}"), &p, &QueryOptions::default()).unwrap();
            println!("{}", ex.plan.unwrap());
        }
    }
}
