//! `cargo xtask build [--release]`: the admin's hydrate bundle and the widget, compiled
//! to wasm, bound (wasm-bindgen), optimised (wasm-opt), JS and CSS minified (esbuild),
//! named by content hash and precompressed into `target/site/`, which `hark serve`
//! serves; then the server itself. Tools are local: nothing is downloaded.
//! `cargo xtask size` reports the assets' sizes.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

type Result<T = ()> = std::result::Result<T, String>;

const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("build") => build(args.iter().any(|a| a == "--release")),
        Some("size") => size(),
        _ => Err("usage: cargo xtask build [--release] | cargo xtask size".into()),
    };
    if let Err(message) = outcome {
        eprintln!("xtask: {message}");
        std::process::exit(1);
    }
}

/// The workspace the command was run in, found from the current directory as cargo
/// finds it, never a path baked in at build time: a binary built for one checkout must
/// not build into another.
fn workspace_root() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .map_err(|e| format!("could not run cargo locate-project: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo locate-project: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    manifest.parent().map(Path::to_path_buf).ok_or_else(|| format!("{} has no folder", manifest.display()))
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

fn run(command: &mut Command) -> Result {
    let status = command.status().map_err(|e| format!("could not start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

/// What `command` prints, once it has succeeded.
fn output(command: &mut Command) -> Result<String> {
    let done = command.stderr(std::process::Stdio::inherit()).output();
    let done = done.map_err(|e| format!("could not start {command:?}: {e}"))?;
    if done.status.success() {
        String::from_utf8(done.stdout).map_err(|e| e.to_string())
    } else {
        Err(format!("{command:?} failed ({})", done.status))
    }
}

/// One wasm bundle: which crate, built how, and the name its files get.
struct Bundle {
    name: &'static str,
    package: &'static str,
    /// `cargo rustc` arguments beyond package, target and profile.
    extra: &'static [&'static str],
    /// Built with its own standard library, optimised for size, where a panic stops at
    /// once with no message (nor the file and line it would have printed): what every
    /// shopper downloads (docs/PERFORMANCE.md, "Widget"). Needs `rustup component add
    /// rust-src`; cargo's `-Zbuild-std` is unstable, so RUSTC_BOOTSTRAP lets the stable
    /// toolchain run it.
    own_std: bool,
    /// What the page takes from the glue (`default` is wasm-bindgen's init): the rest,
    /// such as `initSync`, is left out of it.
    glue_exports: &'static str,
}

const BUNDLES: &[Bundle] = &[
    Bundle {
        name: "admin",
        package: "app",
        extra: &["--lib", "--crate-type", "cdylib", "--features", "hydrate"],
        own_std: false,
        glue_exports: "default, hydrate",
    },
    Bundle {
        name: "widget",
        package: "widget",
        extra: &["--lib", "--features", "csr"],
        own_std: true,
        glue_exports: "default, mount, open, close, identify, order",
    },
];

/// Where a bundle is built: its own folder when it builds its own standard library, so
/// that its flags never make cargo rebuild the other bundle's dependencies.
fn bundle_target(target: &Path, bundle: &Bundle) -> PathBuf {
    if bundle.own_std {
        target.join("own-std")
    } else {
        target.to_path_buf()
    }
}

/// Browser assets, then the server (`--release` for the optimised binary).
fn build(release: bool) -> Result {
    let root = workspace_root()?;
    let target = target_dir(&root);
    let tools = Tools {
        wasm_bindgen: find_wasm_bindgen(&root)?,
        wasm_opt: find_npm_tool(&root, "wasm-opt", "WASM_OPT", "binaryen")?,
        esbuild: find_npm_tool(&root, "esbuild", "ESBUILD", "esbuild")?,
    };
    let site = root.join("target/site");
    let cache = site.join(".cache");
    fs::create_dir_all(&cache).map_err(|e| e.to_string())?;

    let mut bound = Vec::new();
    for bundle in BUNDLES {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", bundle_target(&target, bundle))
            .args([
                "rustc",
                "--package",
                bundle.package,
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "wasm-release",
            ])
            .args(bundle.extra);
        if bundle.own_std {
            cargo
                .env("RUSTC_BOOTSTRAP", "1")
                // No file names and lines for panics that print nothing, no Debug output.
                .env("RUSTFLAGS", "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none")
                .args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"]);
        }
        run(&mut cargo)?;
        let wasm =
            bundle_target(&target, bundle).join(format!("wasm32-unknown-unknown/wasm-release/{}.wasm", bundle.package));
        bound.push(bind_and_optimise(bundle, &wasm, &cache, &tools)?);
    }
    assemble(&root, &site, &bound, &tools.esbuild)?;
    let mut server = Command::new(env!("CARGO"));
    server.current_dir(&root).args(["build", "--package", "hark-server"]);
    if release {
        server.arg("--release");
    }
    run(&mut server)
}

/// The steps `bind_and_optimise` applies, in its cache stamp.
const PIPELINE: &str =
    "wasm-bindgen --target web; wasm-opt -Oz --minify-imports-and-exports-and-modules; names renamed in glue; esbuild --bundle --minify glue's exports";

/// The programs the asset build runs.
struct Tools {
    wasm_bindgen: PathBuf,
    wasm_opt: PathBuf,
    esbuild: PathBuf,
}

/// wasm-bindgen + wasm-opt + a minified glue, skipped when the compiled module is what it
/// was last time.
fn bind_and_optimise(bundle: &Bundle, wasm: &Path, cache: &Path, tools: &Tools) -> Result<PathBuf> {
    let name = bundle.name;
    let input = fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    // What is done to the module is part of the stamp: a changed step redoes the cache.
    let input_hash = hex::encode(
        Sha256::new().chain_update(&input).chain_update(PIPELINE).chain_update(bundle.glue_exports).finalize(),
    );
    let out = cache.join(name);
    let stamp = cache.join(format!("{name}.input"));
    if fs::read_to_string(&stamp).ok().as_deref() == Some(input_hash.as_str())
        && out.join(format!("{name}_bg.wasm")).exists()
    {
        return Ok(out);
    }
    let _ = fs::remove_dir_all(&out);
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-name", name, "--out-dir"])
        .arg(&out)
        .arg(wasm))?;
    let bg = out.join(format!("{name}_bg.wasm"));
    let glue = out.join(format!("{name}.js"));
    let renamed = output(
        Command::new(&tools.wasm_opt)
            .arg("-Oz")
            .args(WASM_OPT_FEATURES)
            .arg("--minify-imports-and-exports-and-modules")
            .arg(&bg)
            .arg("-o")
            .arg(&bg),
    )?;
    let bound = String::from_utf8(read(&glue)?).map_err(|e| e.to_string())?;
    fs::write(&glue, rename(&bound, &format!("./{name}_bg"), &renamed)?).map_err(|e| e.to_string())?;
    // Minified with only what the page takes from it.
    let entry = out.join(format!("{name}.entry.js"));
    fs::write(&entry, format!("export {{ {} }} from \"./{name}.js\";\n", bundle.glue_exports))
        .map_err(|e| e.to_string())?;
    let shaken = out.join(format!("{name}.shaken.js"));
    run(Command::new(&tools.esbuild)
        .arg(&entry)
        .args(["--bundle", "--format=esm", "--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", shaken.display())))?;
    fs::rename(&shaken, &glue).map_err(|e| e.to_string())?;
    fs::write(&stamp, input_hash).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The glue `glue` calling the module by the short names wasm-opt gave its imports,
/// exports and import module (`renamed`, the JSON that `--minify-imports-and-exports-and-
/// modules` prints). wasm-bindgen names them for people (`__wbg_setAttribute_f75317b2b5cabfb4`,
/// closures' mangled paths); nobody reads them in the browser, and each name travels twice,
/// in the module and in its glue: shortened, the widget on open is 3.9 KB gzip smaller
/// (docs/PERFORMANCE.md, "Widget"). `module` is the glue's one import module.
fn rename(glue: &str, module: &str, renamed: &str) -> Result<String> {
    let json = renamed.get(renamed.find('{').unwrap_or(0)..).unwrap_or_default();
    let map: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("wasm-opt's renaming is not JSON ({e}): {renamed}"))?;
    let pairs = |key: &str| map[key].as_array().cloned().unwrap_or_default();
    // Every import module becomes "a": the glue must give one only.
    let modules = [format!("\"{module}.js\": import0,"), format!("\"{module}.js\": import1,")];
    if !glue.contains(&modules[0]) || glue.contains(&modules[1]) {
        return Err(format!("the glue does not import from {module}.js alone: names left as they were"));
    }
    let mut glue = glue.replace(&modules[0], "\"a\": import0,");
    for import in pairs("imports") {
        let (Some(module_name), Some(old), Some(new)) = (import[0].as_str(), import[1].as_str(), import[2].as_str())
        else {
            return Err(format!("wasm-opt renamed an import as {import}"));
        };
        // The glue gives each import once, as a key of its imports object.
        let key = format!("{old}:");
        if module_name != format!("{module}.js") || glue.matches(&key).count() != 1 {
            return Err(format!("the glue does not give {module_name} {old} once"));
        }
        glue = glue.replace(&key, &format!("{new}:"));
    }
    for export in pairs("exports") {
        let (Some(old), Some(new)) = (export[0].as_str(), export[1].as_str()) else {
            return Err(format!("wasm-opt renamed an export as {export}"));
        };
        glue = replace_member(&glue, &format!("wasm.{old}"), &format!("wasm.{new}"));
    }
    Ok(glue)
}

/// `text` with each `old` (a member access, `wasm.name`) that is not the start of a longer
/// name replaced by `new`.
fn replace_member(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let after = &rest[at + old.len()..];
        let longer = after.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..at]);
        out.push_str(if longer { old } else { new });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn short_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))[..16].to_owned()
}

/// `bytes` compressed as served: gzip -9 and brotli 11.
fn compressed(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).map_err(|e| e.to_string())?;
    Ok((gz, br))
}

/// Writes `bytes` to `dir/name` with `.gz` and `.br` beside it, for the server to send
/// whichever the browser accepts.
fn write_compressed(dir: &Path, name: &str, bytes: &[u8]) -> Result {
    let (gz, br) = compressed(bytes)?;
    for (file, content) in [(name.to_owned(), bytes), (format!("{name}.gz"), &gz[..]), (format!("{name}.br"), &br[..])]
    {
        fs::write(dir.join(file), content).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Writes `bytes` to `pkg/{stem}.{hash}.{ext}` (compressed beside it); returns the name.
fn emit(pkg: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<String> {
    let name = format!("{stem}.{}.{ext}", short_hash(bytes));
    write_compressed(pkg, &name, bytes)?;
    Ok(name)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `source` minified into `to` (JavaScript or CSS, by its extension).
fn minify(esbuild: &Path, source: &Path, to: &Path) -> Result {
    run(Command::new(esbuild)
        .arg(source)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .arg(format!("--outfile={}", to.display())))
}

fn assemble(root: &Path, site: &Path, bound: &[PathBuf], esbuild: &Path) -> Result {
    let pkg = site.join("pkg");
    let _ = fs::remove_dir_all(&pkg);
    fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    let (admin, widget) = (&bound[0], &bound[1]);

    let admin_wasm = emit(&pkg, "admin_bg", "wasm", &read(&admin.join("admin_bg.wasm"))?)?;
    let admin_glue = emit(&pkg, "admin", "js", &read(&admin.join("admin.js"))?)?;
    let boot = format!(
        "import init, {{ hydrate }} from \"./{admin_glue}\";\n\
         init({{ module_or_path: new URL(\"./{admin_wasm}\", import.meta.url) }}).then(hydrate);\n"
    );
    let admin_js = emit(&pkg, "admin-boot", "js", boot.as_bytes())?;
    let minified = |source: &str| -> Result<Vec<u8>> {
        let to = site.join(".cache").join(Path::new(source).file_name().expect("a file"));
        minify(esbuild, &root.join(source), &to)?;
        read(&to)
    };
    let admin_css = emit(&pkg, "admin", "css", &minified("style/admin.css")?)?;

    let widget_wasm = emit(&pkg, "widget_bg", "wasm", &read(&widget.join("widget_bg.wasm"))?)?;
    let widget_js = emit(&pkg, "widget", "js", &read(&widget.join("widget.js"))?)?;
    let widget_css = emit(&pkg, "widget", "css", &minified("style/widget.css")?)?;
    // The launcher's own CSS travels inside the loader, as a JS string.
    let launcher_css = String::from_utf8(minified("style/launcher.css")?).map_err(|e| e.to_string())?;
    let loader = String::from_utf8(minified("widget/loader.js")?)
        .map_err(|e| e.to_string())?
        .replace("\"__LAUNCHER_CSS__\"", &serde_json::to_string(launcher_css.trim()).expect("a string"))
        .replace("__WIDGET_JS__", &widget_js)
        .replace("__WIDGET_WASM__", &widget_wasm)
        .replace("__WIDGET_CSS__", &widget_css);
    write_compressed(site, "widget.js", loader.as_bytes())?;

    let manifest = serde_json::json!({
        "admin_js": admin_js,
        "admin_wasm": admin_wasm,
        "admin_css": admin_css,
        "widget_js": widget_js,
        "widget_wasm": widget_wasm,
        "widget_css": widget_css,
    });
    fs::write(site.join("manifest.json"), serde_json::to_string_pretty(&manifest).expect("json"))
        .map_err(|e| e.to_string())?;

    println!("xtask: assets in {}", site.display());
    size()
}

/// `cargo xtask size`: what each built asset costs over the wire, from `target/site`.
fn size() -> Result {
    let site = workspace_root()?.join("target/site");
    let manifest: serde_json::Value = serde_json::from_slice(&read(&site.join("manifest.json"))?)
        .map_err(|e| format!("manifest.json: {e}; run `cargo xtask build` first"))?;
    let bytes = |path: PathBuf| fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let kb = |n: u64| format!("{:.1}", n as f64 / 1000.0);
    let row =
        |name: &str, raw: u64, gz: u64, br: u64| println!("{name:<36} {:>8} {:>8} {:>9}", kb(raw), kb(gz), kb(br));
    let loader = |suffix: &str| bytes(site.join(format!("widget.js{suffix}")));

    println!("{:<36} {:>8} {:>8} {:>9}", "asset (KB = 1000 bytes)", "raw KB", "gzip KB", "brotli KB");
    row("widget.js (loader, at page load)", loader(""), loader(".gz"), loader(".br"));
    let mut on_open = (0, 0, 0);
    for key in ["widget_js", "widget_wasm", "widget_css", "admin_js", "admin_wasm", "admin_css"] {
        let file = manifest[key].as_str().unwrap_or_default();
        let sizes = (
            bytes(site.join("pkg").join(file)),
            bytes(site.join("pkg").join(format!("{file}.gz"))),
            bytes(site.join("pkg").join(format!("{file}.br"))),
        );
        if key.starts_with("widget") {
            on_open = (on_open.0 + sizes.0, on_open.1 + sizes.1, on_open.2 + sizes.2);
        }
        row(file, sizes.0, sizes.1, sizes.2);
    }
    row("widget on open (js + wasm + css)", on_open.0, on_open.1, on_open.2);
    Ok(())
}

/// wasm-bindgen's CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
fn find_wasm_bindgen(root: &Path) -> Result<PathBuf> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let wanted = lock
        .split("[[package]]")
        .find(|block| block.contains("name = \"wasm-bindgen\"\n"))
        .and_then(|block| block.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or("no wasm-bindgen in Cargo.lock")?;
    let found = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    match found {
        Some(version) if version.split_whitespace().nth(1) == Some(wanted.as_str()) => {
            Ok(PathBuf::from("wasm-bindgen"))
        }
        other => Err(format!(
            "wasm-bindgen {wanted} is needed (found: {}); run: cargo install wasm-bindgen-cli --version {wanted}",
            other.as_deref().map(str::trim).unwrap_or("none")
        )),
    }
}

/// A build tool from npm (`end2end/node_modules`, pinned by its package-lock), or the
/// program that `variable` names. Debian's wasm-opt is too old for wasm-bindgen's output.
fn find_npm_tool(root: &Path, program: &str, variable: &str, package: &str) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Ok(PathBuf::from(path));
    }
    let local = root.join("end2end/node_modules/.bin").join(program);
    if local.exists() {
        return Ok(local);
    }
    Err(format!("{program} not found: run `npm ci --prefix end2end` ({package} from npm) or set {variable}"))
}

#[cfg(test)]
mod tests {
    use super::rename;

    const GLUE: &str = "function i(){const import0={__wbg_f_0123:function(a){return wasm.__wbindgen_malloc(a)},};\
        return{\"./w_bg.js\": import0,}}function mount(){wasm.mount();wasm.mount_two()}";

    #[test]
    fn the_glue_calls_the_module_by_its_new_names() {
        let renamed = r#"{"imports": [["./w_bg.js", "__wbg_f_0123", "A"]],
            "exports": [["__wbindgen_malloc", "b"], ["mount", "c"], ["memory", "d"]]}"#;
        assert_eq!(
            rename(GLUE, "./w_bg", renamed).unwrap(),
            "function i(){const import0={A:function(a){return wasm.b(a)},};\
             return{\"a\": import0,}}function mount(){wasm.c();wasm.mount_two()}"
        );
    }

    #[test]
    fn names_are_left_alone_unless_each_is_found_once() {
        let unknown = r#"{"imports": [["./w_bg.js", "__wbg_g_4567", "A"]], "exports": []}"#;
        assert!(rename(GLUE, "./w_bg", unknown).is_err());
        let other_module = r#"{"imports": [["./snippets/x.js", "__wbg_f_0123", "A"]], "exports": []}"#;
        assert!(rename(GLUE, "./w_bg", other_module).is_err());
        assert!(rename(GLUE, "./elsewhere_bg", r#"{"imports": [], "exports": []}"#).is_err());
    }
}
