//! A plain `cargo test` leaves out the test targets that need every area (`client`, `programs`,
//! `stream`: `required-features` in Cargo.toml) without a word. This target needs no feature;
//! built without `full`, it holds one test that fails, saying how to run the whole suite,
//! instead of letting the run pass with most of the suite unbuilt. With `full` it is empty.

#[cfg(not(feature = "full"))]
#[test]
fn the_suite_runs_with_every_area() {
    panic!(
        "the test targets `client`, `programs` and `stream` need every area and were left out: \
         run `cargo test --workspace --all-features` (README: \"The two commands\")"
    );
}
