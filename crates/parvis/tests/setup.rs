//! The first minutes of an operator with an empty install, from the shell only.

mod support;

use support::*;

#[test]
fn an_empty_install_gets_a_space_topics_and_an_admin_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("first.db").display());
    let export = dir.path().join("blog.jsonl");
    std::fs::write(
        &export,
        r#"{"channel":"forum","id":"m1","thread_title":"Bonjour","author":{"handle":"ana","name":"Ana","email":"ana@example.org"},"text":"Premier message sur la satisfaction","created_at":"2026-01-02T10:00:00Z"}"#,
    )
    .unwrap();
    let export = export.to_str().unwrap();

    // Importing into a space that does not exist says what to do, and which store it opened.
    let (ok, _, err) = run(&[
        "import",
        "jsonl",
        export,
        "--space",
        "blog",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains(&format!("store: {url}")), "{err}");
    assert!(err.contains("parvis space create blog"), "{err}");
    assert!(err.contains("no space yet"), "{err}");
    assert!(
        !err.contains("\u{1b}["),
        "no colour codes when not at a terminal: {err:?}"
    );

    let (ok, out, err) = run(&[
        "space",
        "create",
        "blog",
        "--name",
        "Le blog",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("\"blog\" created"), "{out}");
    assert!(
        !err.contains("migrated"),
        "migrations are not listed at info: {err}"
    );
    // The same slug twice is refused, naming it.
    let (ok, _, err) = run(&["space", "create", "blog", "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("blog"), "{err}");
    // A bad slug names the field.
    let (ok, _, err) = run(&["space", "create", "Mon Blog!", "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("slug"), "{err}");
    // A space in another time zone; an unknown zone is refused, naming it and the field.
    let (ok, out, err) = run(&[
        "space",
        "create",
        "quebec",
        "--time-zone",
        "America/Montreal",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("time zone America/Montreal"), "{out}");
    let (ok, _, err) = run(&[
        "space",
        "create",
        "mars",
        "--time-zone",
        "Mars/Olympus",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(
        err.contains("time_zone") && err.contains("Mars/Olympus"),
        "{err}"
    );

    let (ok, out, err) = run(&[
        "topic",
        "create",
        "Expérience client",
        "--space",
        "blog",
        "--keywords",
        "nps, satisfaction",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("2 keywords"), "{out}");
    let (ok, out, _) = run(&["topic", "list", "--space", "blog", "--database-url", &url]);
    assert!(ok);
    assert!(out.contains("Expérience client"), "{out}");
    let (ok, out, _) = run(&["space", "list", "--database-url", &url]);
    assert!(ok);
    assert!(out.contains("blog\tLe blog"), "{out}");
    assert!(out.contains("quebec\tquebec"), "{out}");

    // Now the import goes through.
    let (ok, _, err) = run(&[
        "import",
        "jsonl",
        export,
        "--space",
        "blog",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");

    // A topic declared after the import finds the conversations already there.
    let (ok, out, err) = run(&[
        "topic",
        "create",
        "Premiers pas",
        "--space",
        "blog",
        "--keywords",
        "premier",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("1 existing message read, 1 tag written"),
        "{out}"
    );
    // Retagging every topic again changes nothing and says so.
    let (ok, out, err) = run(&["topic", "retag", "--space", "blog", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(
        out.contains("1 existing message read, 2 tags written"),
        "{out}"
    );

    // The admin's link points at the port the server will use, and a second run says the
    // truth instead of "created" again.
    let (ok, out, err) = run(&[
        "admin",
        "add",
        "lead@example.org",
        "--port",
        "9123",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("created"), "{out}");
    assert!(out.contains("http://127.0.0.1:9123/auth/link/"), "{out}");
    let (ok, out, _) = run(&[
        "admin",
        "add",
        "lead@example.org",
        "--public-url",
        "https://forum.example.org",
        "--database-url",
        &url,
    ]);
    assert!(ok);
    assert!(out.contains("already an admin"), "{out}");
    assert!(!out.contains(" created"), "{out}");
    assert!(
        out.contains("https://forum.example.org/auth/link/"),
        "{out}"
    );
}

/// Every command that names a space says what to do when it does not exist.
#[test]
fn following_a_feed_or_measuring_an_unknown_space_says_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("empty.db").display());
    for args in [
        vec![
            "follow",
            "add",
            "https://blog.example.org/feed",
            "--space",
            "veille",
        ],
        vec!["measure", "report", "--space", "veille"],
    ] {
        let mut args = args.clone();
        args.extend(["--database-url", &url]);
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?}");
        assert!(
            err.contains("space \"veille\" not found"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("parvis space create veille"),
            "{args:?}: {err}"
        );
    }
}
