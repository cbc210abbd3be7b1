#pragma once
// The SDK speaks Boost.JSON values; Documents are the protocol library's shape.
#include <cocobase/protocol/document.hpp>
#include <cocobase/protocol/json.hpp>

#include <boost/json.hpp>

namespace cocobase {

namespace json = boost::json;
using Document = protocol::Document;

// Decodes a Document, tolerating unknown members and any RFC 3339 timestamp text.
// Throws cocobase::Error when a required member (id, data) is missing or mistyped.
Document document_from_json(const json::value& v);
json::value document_to_json(const Document& d);

}  // namespace cocobase
