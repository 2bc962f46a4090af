//! Report speed on a signed 10k-item release: sign-off (freeze + sign),
//! export in every format, verification of each signed file, and the
//! database checks a gate runs (doctor: integrity, replay of the audit
//! trail against the live state, signatures).
//! Targets (issues 4 and 13): md/json/csv/html < 50 ms, pdf < 1 s,
//! verify < 50 ms (pdf < 200 ms). The report carries what layout 2 shows:
//! branding with a logo, owners by name, and a comparison with a previous
//! release (its change lists hold 200 items at most, whatever the size).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use signet_core::import::{import_bytes, sample::generate, ImportOptions};
use signet_core::keys::{Keyring, Protection, Unprotected};
use signet_core::model::{Status, Tick};
use signet_core::report::branding::logo_from_bytes;
use signet_core::report::model::Branding;
use signet_core::report::{self, Format, Paper};
use signet_core::store::{SignoffRequest, Store};

fn signed_store(n: usize, keys: &Keyring) -> Store {
    let text = generate(n);
    let imp = import_bytes("bench.md", text.into_bytes(), &ImportOptions::default()).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import(&imp, "bench").unwrap();
    store.add_person("Ana Ruiz", None, None, "bench").unwrap();
    let logo = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\">{}</svg>",
        "<rect width=\"1\" height=\"1\"/>".repeat(1000)
    );
    store
        .set_branding(&Branding {
            client_name: Some("Globex".into()),
            logo: Some(logo_from_bytes(logo.into_bytes()).unwrap()),
            org_name: Some("Acme Consulting".into()),
        })
        .unwrap();
    // The previous release, compared with at sign-off.
    store.create_release("r0", None, "bench").unwrap();
    store.add_run("r0", "bench", false, "bench").unwrap();
    store.create_release("r", None, "bench").unwrap();
    store.add_run("r", "bench", false, "bench").unwrap();
    let owned = Tick {
        status: Some(Status::Done),
        owner: Some("ana".into()),
        ..Default::default()
    };
    store.tick("r", "1.1", &owned, "bench").unwrap();
    let key = keys
        .generate("ana", true, &Protection::Unencrypted)
        .unwrap();
    store
        .set_public_key("ana", &key.public_key(), "bench")
        .unwrap();
    store
}

fn sign(store: &mut Store, keys: &Keyring) {
    let key = keys.load("ana", &Unprotected).unwrap().key;
    let req = SignoffRequest {
        release: "r",
        person: "ana",
        role: "Tech lead",
        override_reason: Some("benchmark"),
        actor: "bench",
    };
    store.sign_off(&req, &key).unwrap();
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keyring::new(dir.path());
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        g.bench_function(BenchmarkId::new("signoff", n), |b| {
            b.iter_batched(
                || signed_store(n, &keys),
                |mut store| sign(&mut store, &keys),
                criterion::BatchSize::PerIteration,
            )
        });
        let mut store = signed_store(n, &keys);
        sign(&mut store, &keys);
        g.bench_function(BenchmarkId::new("doctor", n), |b| {
            b.iter(|| assert!(store.doctor().unwrap().ok))
        });
        g.bench_function(BenchmarkId::new("gate", n), |b| {
            b.iter(|| {
                let v = signet_core::gate::check(&store, "r", &Default::default()).unwrap();
                assert!(v.passed, "{v:?}");
            })
        });
        let (r, seal) = store.report("r", None).unwrap();
        for format in Format::ALL {
            g.bench_function(
                BenchmarkId::new(format!("export_{}", format.extension()), n),
                |b| {
                    b.iter(|| {
                        report::render(black_box(&r), seal.as_ref(), format, Paper::A4).unwrap()
                    })
                },
            );
            if format == Format::Csv {
                continue;
            }
            let file = report::render(&r, seal.as_ref(), format, Paper::A4).unwrap();
            g.bench_function(
                BenchmarkId::new(format!("verify_{}", format.extension()), n),
                |b| {
                    b.iter(|| {
                        let v = signet_core::verify::verify("r", black_box(&file), &[]).unwrap();
                        assert!(v.passed);
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(report_benches, benches);
criterion_main!(report_benches);
