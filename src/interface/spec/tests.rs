//! Unit tests of the spec module's small pieces; the format as a whole is tested in tests/spec.rs.

use super::*;

#[test]
fn pointers_and_ids() {
    for p in ["", "/", "/a", "/a~0b/~1", "/0/x"] {
        assert!(is_valid_pointer(p), "{p}");
    }
    for p in ["a", "/a~", "/a~2", "~0"] {
        assert!(!is_valid_pointer(p), "{p}");
    }
    assert!(is_valid_id("speed_2-x"));
    assert!(!is_valid_id(""));
    assert!(!is_valid_id("a b"));
    assert!(!is_valid_id(&"a".repeat(MAX_ID_LEN + 1)));
}

#[test]
fn names_round_trip() {
    for k in FieldKind::ALL {
        assert_eq!(FieldKind::from_id(k.id()), Some(k));
        assert_eq!(serde_json::to_string(&k).ok(), Some(format!("\"{}\"", k.id())));
    }
    for k in OutputKind::ALL {
        assert_eq!(OutputKind::from_id(k.id()), Some(k));
        assert_eq!(serde_json::to_string(&k).ok(), Some(format!("\"{}\"", k.id())));
    }
    for c in Control::ALL {
        assert_eq!(Control::from_id(c.id()), Some(c));
    }
    assert_eq!(OutputKind::Auto.view(), None);
    assert_eq!(OutputKind::Zip.view(), Some(OutputView::Zip));
    assert_eq!(FieldKind::Number.input_kind(), None);
    assert_eq!(FieldKind::Table.input_kind(), Some(InputKind::Table));
}

#[test]
fn spec_is_send_and_sync() {
    fn check<T: Send + Sync + Clone + PartialEq + fmt::Debug>() {}
    check::<Spec>();
    check::<Resolved>();
}

#[test]
fn error_display() {
    assert_eq!(
        SpecError::new("inputs[1].control", "bad").to_string(),
        "inputs[1].control: bad"
    );
    assert_eq!(SpecError::new("", "empty").to_string(), "empty");
}
