// looplab/http/query.hpp
//
// The query string — the `?a=1&b=two` part of a request target, split into name/value pairs
// and percent-decoded, the way browsers encode forms and URLs (and Node's querystring reads
// them): "%41" is 'A', '+' is a space, "a&b=" gives a="" and b="".
// Teaches: what a URL can carry besides a path; why a server decodes it before comparing.
// Used by: engineio (EIO=4&transport=polling&sid=...), and any handler that reads parameters.
//
// Lenient on purpose: a '%' not followed by two hex digits stays as it is ("100%" stays
// "100%"), as Node does, so a strange URL is read, not refused. Decoded bytes are not checked
// as UTF-8: callers compare them with what they expect.
//
// Contract: pure functions; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace looplab::http {

// Most parameters parse_query() returns; the rest are ignored (the request head is already
// bounded by kHttpMaxHeaderBytes, this bounds the vector and the work). Node's default is 1000.
inline constexpr std::size_t kHttpMaxQueryParams = 100;

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The part of `target` after the first '?', without a '#fragment'; empty when there is none.
// "/socket.io/?EIO=4&t=x" -> "EIO=4&t=x".
std::string_view query_string(std::string_view target);

// One name or value of a query: "%2F" -> "/", "+" -> " "; malformed escapes are kept as
// written. (Paths use static_files.hpp percent_decode, which refuses them and keeps "+".)
std::string decode_query_component(std::string_view text);

// Splits on '&', then on the first '='. Empty pieces ("a&&b") are skipped; a name without
// '=' has an empty value. Names and values are decoded. Order is kept; names may repeat.
QueryParams parse_query(std::string_view query);

// The first value of `name` (compared exactly, after decoding), or nullopt.
std::optional<std::string_view> find_query_value(const QueryParams& params, std::string_view name);

}   // namespace looplab::http
