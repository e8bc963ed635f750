// looplab/http/status.hpp
//
// reason_phrase(status) — the words after the number in a status line: 404 → "Not Found".
// Teaches: the status code is what programs read; the phrase is only for people, which is
// why HTTP/2 dropped it. Names follow RFC 9110 §15 (413 is now "Content Too Large").
#pragma once

#include <string_view>

namespace looplab::http {

// The RFC 9110 phrase (and RFC 6585's 428, 429, 431) for the codes a small server uses;
// "" for any other code, which still makes a valid status line ("HTTP/1.1 599 ").
std::string_view reason_phrase(int status);

}   // namespace looplab::http
