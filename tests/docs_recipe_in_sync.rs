//! MIGRATION.md step (a) shows the test a primitive's crate should keep; CI
//! runs that test from `.ci/primitive-recipe/` (and checks that it fails
//! without `task-coop`'s `tokio` feature). This keeps the copy in the guide
//! identical to the file CI runs.

#[test]
fn migration_guide_shows_the_recipe_ci_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/MIGRATION.md")).unwrap();
    let recipe = std::fs::read_to_string(format!(
        "{root}/.ci/primitive-recipe/tests/budget_on_plain_tokio.rs"
    ))
    .unwrap();
    let block = format!("```rust,ignore\n{}\n```", recipe.trim_end());
    assert!(
        guide.contains(&block),
        "MIGRATION.md's recipe block differs from .ci/primitive-recipe/tests/budget_on_plain_tokio.rs; copy the file into the guide"
    );
}
