use leverage_core::scenarios;
fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(2000);
    let table = scenarios::table();
    let (name, request, scenario) = table
        .into_iter()
        .find(|(n, _, _)| n.contains("MANAGEMENT") || n.contains("management"))
        .unwrap();
    eprintln!("scenario {name}");
    let t = std::time::Instant::now();
    for _ in 0..n {
        let mut host = leverage_core::scripted::ScriptedHost::new(scenario.clone());
        let plan = leverage_core::configure(&mut host, &request);
        std::hint::black_box(plan);
    }
    eprintln!("{:.1} us a run", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}
