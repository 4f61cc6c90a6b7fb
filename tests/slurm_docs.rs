//! The Slurm job-array scripts cannot drift from the docs: docs/SWEEPS.md shows every
//! docs/slurm/*.sh file whole, and the commands that .ci/slurm runs on a real one-node cluster
//! (the blocks between `<<'DOC'` and `DOC`) are the ones the docs show, submitting those files.
//! The README's cluster quick start is the block .ci/slurm runs first.

use std::fs;
use std::path::Path;

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The command blocks .ci/slurm runs with eval, in order.
fn ci_blocks() -> Vec<String> {
    let ci = read(".ci/slurm");
    let mut out = Vec::new();
    let mut rest = ci.as_str();
    while let Some(i) = rest.find("<<'DOC'\n") {
        let body = &rest[i + "<<'DOC'\n".len()..];
        let end = body.find("\nDOC\n").expect("a block ends with DOC");
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

#[test]
fn the_docs_show_the_slurm_scripts_and_commands_that_ci_runs() {
    let doc = read("docs/SWEEPS.md");
    let mut scripts = Vec::new();
    for e in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/slurm")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "sh") {
            let text = fs::read_to_string(&p).unwrap();
            let name = format!("docs/slurm/{}", p.file_name().unwrap().to_str().unwrap());
            assert!(doc.contains(&format!("```bash\n{text}```\n")), "docs/SWEEPS.md does not show {name} as it is");
            scripts.push(name);
        }
    }
    assert_eq!(scripts.len(), 2, "shard.sh and merge.sh: {scripts:?}");

    let blocks = ci_blocks();
    assert_eq!(blocks.len(), 3, "quick start, resubmission, sensitivity study");
    for b in &blocks {
        assert!(doc.contains(&format!("```sh\n{b}\n```\n")), "docs/SWEEPS.md does not show what .ci/slurm runs:\n{b}");
    }
    for s in &scripts {
        let submits =
            blocks.iter().flat_map(|b| b.lines()).any(|l| l.contains("sbatch ") && l.contains(&format!(" {s}")));
        assert!(submits, ".ci/slurm does not submit {s}");
    }
    assert!(read(".ci/slurm").contains("run_block \"$quick_start\""), ".ci/slurm runs the quick start");

    assert!(
        read("README.md").contains(&format!("```sh\n{}\n```\n", blocks[0])),
        "the README's cluster quick start is not what .ci/slurm runs"
    );
}
