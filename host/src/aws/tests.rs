use super::*;

#[test]
fn the_code_of_an_xml_error_body_is_found() {
    let body = b"<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
<Message>no</Message></Error></ErrorResponse>";
    assert_eq!(code_in_body(body).as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(
        code_in_body(b"{\"__type\": \"com.amazonaws.organizations#ThrottlingException\", \"message\": \"x\"}")
            .as_deref(),
        Some("ThrottlingException")
    );
    assert_eq!(code_in_body(b"{\"message\":\"x\"}"), None);
    assert_eq!(code_in_body(b"<Code>not a code</Code>"), None);
}

#[test]
fn a_listing_stops_at_its_bounds() {
    let mut bound = ListingBound::default();
    assert!(bound.add(MAX_LISTED_BYTES).is_ok());
    assert!(bound.add(1).is_err());
    let mut bound = ListingBound::default();
    for _ in 0..MAX_EMPTY_PAGES {
        assert!(bound.page(true).is_ok());
    }
    assert!(bound.page(false).is_ok(), "a page with accounts resets the count");
    for _ in 0..MAX_EMPTY_PAGES {
        assert!(bound.page(true).is_ok());
    }
    assert!(bound.page(true).is_err());
}
