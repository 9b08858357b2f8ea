//! Packaging as far as this machine can test it: the licence files match Cargo.toml's
//! licence; the systemd unit passes `systemd-analyze verify` (with ExecStart pointed at the
//! built binary) and uses only options and variables the binary has; the container file
//! installs with the README's command (it cannot be built here: no container engine).

use std::path::Path;
use std::process::Command;

fn repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn licence_files_match_the_declared_licence() {
    let manifest = repo("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(repo("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
    let apache = repo("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
}

#[test]
fn systemd_unit_verifies_and_runs_the_daemon() {
    let unit = repo("contrib/newsvault.service");
    assert!(unit.contains("ExecStart=/usr/local/bin/newsvault daemon"));
    for var in ["NEWSVAULT_CONFIG", "NEWSVAULT_DB"] {
        assert!(unit.contains(&format!("Environment={var}=")), "{var}");
    }
    // The variables are the ones the binary reads.
    let help = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("env: NEWSVAULT_CONFIG") && help.contains("env: NEWSVAULT_DB"));

    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("newsvault.service");
    std::fs::write(
        &here,
        unit.replace("/usr/local/bin/newsvault", env!("CARGO_BIN_EXE_newsvault")),
    )
    .unwrap();
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&here)
        .current_dir(dir.path())
        .output()
        .expect("systemd-analyze runs (CI installs systemd)");
    assert!(verify.status.success(), "{verify:?}");
    assert!(
        verify.stderr.is_empty(),
        "no warning: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // And the check can fail: a misspelt key is reported.
    std::fs::write(
        &here,
        repo("contrib/newsvault.service").replace("ExecStart=", "ExecStrat="),
    )
    .unwrap();
    let bad = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&here)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success(), "{bad:?}");
}

#[test]
fn container_file_installs_as_the_readme_says() {
    let containerfile = repo("contrib/Containerfile");
    let readme = repo("README.md");
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(containerfile.contains("cargo install --locked --path ."));
    assert!(containerfile.contains("ENTRYPOINT [\"/usr/local/bin/newsvault\"]"));
    assert!(containerfile.contains("CMD [\"daemon\"]"));
    // The toolchain image is the crate's rust-version.
    let rust_version = repo("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap();
    assert!(
        containerfile.contains(&format!("rust:{rust_version}-")),
        "{rust_version}"
    );
}
