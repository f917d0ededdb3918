//! A plain `cargo test` leaves out the test targets that need every area (`client`, `programs`,
//! `stream`: `required-features` in Cargo.toml) without a word. This test is built without
//! any feature of its own, so that such a run fails, saying how to run the whole suite,
//! instead of passing with most of the suite unbuilt.

#[test]
fn the_suite_runs_with_every_area() {
    assert!(
        cfg!(feature = "full"),
        "the test targets `client`, `programs` and `stream` need every area and were left out: \
         run `cargo test --workspace --all-features` (README: \"The two commands\")"
    );
}
